"""Bottom-up multi-person inference with an OpenPose-style model, and its COCO evaluation.

The whole image is resized (long side ``long_side`` px), run once, and every stage's
belief maps and PAFs are kept for display; the last stage's maps are upsampled ×2 and
grouped into people (``poseviz.core.paf.group_people``). Keypoints are returned in original
image pixels.

With several ``scales`` (OpenPose's test-time scale search: the image is also run at long sides
``long_side × s``), the last stage's maps of every scale are resampled onto one grid, as fine as the
largest scale's upsampled ×2, averaged, and grouped there; the mean is shown as a last "stage". Small
people are found at the larger scales and large ones at the smaller: on the COCO sample's 80 images
this lifts ``openpose_lsp``'s AP from 0.028 (one scale) to 0.057 (``PAPER_SCALES``).
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from poseviz.core.heatmaps import heatmap_to_input
from poseviz.core.paf import group_people
from poseviz.core.preprocess import to_tensor
from poseviz.core.schemas import joint_mapping
from poseviz.explain.oks_errors import gt_schema, restrict_dataset
from poseviz.inference.top_down import model_schema
from poseviz.io.coco import CocoKeypoints
from poseviz.metrics import CocoEvalResult, coco_keypoint_eval
from poseviz.models.protocol import predicts_pafs

__all__ = ["BottomUpResult", "predict_people", "evaluate_bottom_up", "DEFAULT_LONG_SIDE", "PAPER_SCALES", "ONE_SCALE"]

DEFAULT_LONG_SIDE = 256
UPSAMPLE = 2  # grouping runs on maps upsampled ×2, as OpenPose groups on finer maps
# OpenPose's scale search (Cao et al. 2017, evaluation on COCO and MPII): fixed from the paper, not tuned here.
PAPER_SCALES = (0.5, 1.0, 1.5, 2.0)
ONE_SCALE = (1.0,)
MIN_SIDE, MAX_SIDE = 32, 2048  # long sides a scale may ask for: below, no joint survives the stride; above, memory


@dataclass(frozen=True)
class BottomUpResult:
    """People found in one image.

    people: [N, K, 3] (x, y in original image pixels, peak belief; 0, 0, 0 where a joint was not found).
    scores: [N] person scores (mean belief of found joints × fraction of joints found).
    stages / pafs: per stage, belief maps [K, h, w] and PAFs [L, 2, h, w] on the network grid of ``image``;
    with several scales the last entry is their mean, the maps that were grouped (resampled to this grid).
    stage_names: a title per entry of ``stages``.
    image: the resized, padded RGB the network saw at scale 1; resize: its pixels per original pixel.
    limbs: the (joint, joint) pairs the PAF channels belong to. scales: the long-side multipliers averaged.
    """

    people: np.ndarray
    scores: np.ndarray
    stages: list[np.ndarray]
    pafs: list[np.ndarray]
    image: np.ndarray
    resize: float
    stride: int
    limbs: tuple[tuple[int, int], ...]
    stage_names: tuple[str, ...] = ()
    scales: tuple[float, ...] = ONE_SCALE

    def paf_peak_norms(self, limb: int) -> list[float]:
        """Largest PAF vector length of ``limb`` at each stage (1 = a confident unit vector)."""
        return [float(np.hypot(p[limb, 0], p[limb, 1]).max()) for p in self.pafs]

    def grid_to_image(self, points: np.ndarray) -> np.ndarray:
        """Network-grid coordinates [..., 2] → original image pixels."""
        return (heatmap_to_input(points, self.stride) + 0.5) / self.resize - 0.5


def _prepare(rgb: np.ndarray, long_side: int, multiple: int) -> tuple[np.ndarray, tuple[float, float]]:
    """Resize (long side ``long_side``) and pad to a multiple of ``multiple`` → (image, (x, y) pixels per original pixel)."""
    h, w = rgb.shape[:2]
    r = long_side / max(h, w)
    nh, nw = max(1, round(h * r)), max(1, round(w * r))
    resized = cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_AREA if r < 1 else cv2.INTER_LINEAR)
    ph, pw = -nh % multiple, -nw % multiple
    # Pad with the ImageNet mean colour so the padding normalises to zero.
    padded = cv2.copyMakeBorder(resized, 0, ph, 0, pw, cv2.BORDER_CONSTANT, value=(124, 116, 104))
    return padded, (nw / w, nh / h)


def _run(model: nn.Module, rgb: np.ndarray, long_side: int) -> tuple[np.ndarray, tuple[float, float], list, list]:
    image, resize = _prepare(rgb, long_side, 8)
    out = model(to_tensor(image))
    stages = [s[0].numpy() for s in out.stages]
    pafs = [p[0].numpy().reshape(-1, 2, *p.shape[-2:]) for p in out.pafs]
    return image, resize, stages, pafs


def _resample(maps: np.ndarray, factor: tuple[float, float], size: tuple[int, int]) -> np.ndarray:
    """Maps [C, h, w] onto a grid of ``size`` (w, h) whose cell centres sit at source cell x_s = (x + 0.5) × factor − 0.5
    (pixel centres aligned; cubic, zero outside the source)."""
    ax, ay = factor
    m = np.array([[ax, 0.0, 0.5 * ax - 0.5], [0.0, ay, 0.5 * ay - 0.5]])
    flags = cv2.INTER_CUBIC | cv2.WARP_INVERSE_MAP
    return np.stack([cv2.warpAffine(c, m, size, flags=flags, borderMode=cv2.BORDER_CONSTANT, borderValue=0.0)
                     for c in maps.astype(np.float32)])


def _check_scales(scales: tuple[float, ...], long_side: int) -> tuple[float, ...]:
    scales = tuple(float(s) for s in scales)
    if not scales or any(not np.isfinite(s) or s <= 0 for s in scales):
        raise ValueError(f"scales must be positive numbers (got {scales})")
    bad = [s for s in scales if not MIN_SIDE <= round(long_side * s) <= MAX_SIDE]
    if bad:
        raise ValueError(f"scales {bad} × long side {long_side} px leave [{MIN_SIDE}, {MAX_SIDE}] px")
    return scales


@torch.inference_mode()
def predict_people(model: nn.Module, rgb: np.ndarray, long_side: int = DEFAULT_LONG_SIDE, threshold: float = 0.1,
                   min_joints: int = 3, scales: tuple[float, ...] = PAPER_SCALES) -> BottomUpResult:
    """Every person in an RGB image from belief maps + PAFs (the model must return ``pafs``).

    ``scales``: long-side multipliers whose last-stage maps are averaged before grouping
    (default: OpenPose's four; ``ONE_SCALE`` runs the network once, about 7× less network work).
    """
    if not predicts_pafs(model):
        raise ValueError("bottom-up grouping needs an OpenPose-style model (one that predicts part affinity fields)")
    scales = _check_scales(scales, long_side)
    image, resize, stages, pafs = _run(model, rgb, long_side)
    k, h, w = stages[-1].shape
    stride = model.stride
    names = [f"stage {i + 1}" for i in range(len(stages))]
    up = UPSAMPLE * max(max(scales), 1.0)  # as fine as the largest scale's grid upsampled ×2
    size = (round(w * up), round(h * up))
    hm_sum = pf_sum = 0.0
    for s in scales:
        if s == 1.0:
            s_resize, s_stages, s_pafs = resize, stages, pafs
        else:
            _, s_resize, s_stages, s_pafs = _run(model, rgb, round(long_side * s))
        factor = (s_resize[0] / (resize[0] * up), s_resize[1] / (resize[1] * up))
        hm_sum = hm_sum + _resample(s_stages[-1], factor, size)
        pf_sum = pf_sum + _resample(s_pafs[-1].reshape(-1, *s_pafs[-1].shape[-2:]), factor, size)
    hm = hm_sum / len(scales)
    pf = (pf_sum / len(scales)).reshape(-1, 2, size[1], size[0])
    if len(scales) > 1:  # shown as a last stage on the scale-1 grid: what was grouped
        stages = [*stages, cv2.resize(hm.transpose(1, 2, 0), (w, h), interpolation=cv2.INTER_AREA).reshape(h, w, -1).transpose(2, 0, 1)]
        flat = pf.reshape(-1, size[1], size[0]).transpose(1, 2, 0)
        pafs = [*pafs, cv2.resize(flat, (w, h), interpolation=cv2.INTER_AREA).reshape(h, w, -1).transpose(2, 0, 1).reshape(-1, 2, h, w)]
        names.append("mean of scales ×" + ", ".join(f"{s:g}" for s in scales))
    groups = [g for g in group_people(hm, pf, list(model.limbs), threshold=threshold) if (g[:, 2] > 0).sum() >= min_joints]
    people = np.zeros((len(groups), k, 3))
    scores = np.zeros(len(groups))
    for i, g in enumerate(groups):
        found = g[:, 2] > 0
        grid = (g[:, :2] + 0.5) / up - 0.5  # grouping grid → network grid at scale 1
        people[i, found, :2] = (heatmap_to_input(grid[found], stride) + 0.5) / np.asarray(resize) - 0.5
        people[i, found, 2] = g[found, 2]
        scores[i] = float(g[found, 2].mean() * found.mean())
    order = np.argsort(-scores)
    return BottomUpResult(people[order], scores[order], stages, pafs, image, resize[0], stride, tuple(model.limbs),
                          tuple(names), scales)


def evaluate_bottom_up(model: nn.Module, gt: CocoKeypoints, image_loader, long_side: int = DEFAULT_LONG_SIDE,
                       progress: bool = True, scales: tuple[float, ...] = PAPER_SCALES) -> tuple[CocoEvalResult, list[dict]]:
    """COCO keypoint AP/AR of bottom-up predictions on every image of ``gt``, on the joints the
    model's schema shares with COCO-17 (12 for LSP-14), with the core metric (= pycocotools).

    ``image_loader(image_dict) -> RGB`` at annotation scale. Returns (AP/AR, results in the restricted layout).
    """
    schema = model_schema(model)
    data, sigmas, keep = restrict_dataset(gt, schema)
    src_for = {j: i for i, j in joint_mapping(schema, gt_schema(gt))}
    src_idx = [src_for[j] for j in keep]
    results = []
    for im in tqdm(data["images"], desc="bottom-up", disable=not progress, leave=False):
        res = predict_people(model, image_loader(im), long_side, scales=scales)
        for kp, score in zip(res.people, res.scores):
            sel = kp[src_idx]
            results.append({"image_id": im["id"], "category_id": 1,
                            "keypoints": np.column_stack([sel[:, :2], (sel[:, 2] > 0).astype(float)]).ravel().tolist(),
                            "score": float(score)})
    return coco_keypoint_eval(data, results, sigmas), results
