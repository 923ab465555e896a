"""Bottom-up multi-person inference with an OpenPose-style model, and its COCO evaluation.

The whole image is resized (long side ``long_side`` px), run once, and every stage's
belief maps and PAFs are kept for display; the last stage's maps are upsampled ×2 and
grouped into people (``poseviz.core.paf.group_people``). Keypoints are returned in original
image pixels.
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

__all__ = ["BottomUpResult", "predict_people", "evaluate_bottom_up", "DEFAULT_LONG_SIDE"]

DEFAULT_LONG_SIDE = 256
UPSAMPLE = 2  # grouping runs on maps upsampled ×2, as OpenPose groups on finer maps


@dataclass(frozen=True)
class BottomUpResult:
    """People found in one image.

    people: [N, K, 3] (x, y in original image pixels, peak belief; 0, 0, 0 where a joint was not found).
    scores: [N] person scores (mean belief of found joints × fraction of joints found).
    stages / pafs: per stage, belief maps [K, h, w] and PAFs [L, 2, h, w] on the network grid.
    image: the resized, padded RGB the network saw; resize: its pixels per original pixel.
    limbs: the (joint, joint) pairs the PAF channels belong to.
    """

    people: np.ndarray
    scores: np.ndarray
    stages: list[np.ndarray]
    pafs: list[np.ndarray]
    image: np.ndarray
    resize: float
    stride: int
    limbs: tuple[tuple[int, int], ...]

    def paf_peak_norms(self, limb: int) -> list[float]:
        """Largest PAF vector length of ``limb`` at each stage (1 = a confident unit vector)."""
        return [float(np.hypot(p[limb, 0], p[limb, 1]).max()) for p in self.pafs]

    def grid_to_image(self, points: np.ndarray) -> np.ndarray:
        """Network-grid coordinates [..., 2] → original image pixels."""
        return (heatmap_to_input(points, self.stride) + 0.5) / self.resize - 0.5


def _prepare(rgb: np.ndarray, long_side: int, multiple: int) -> tuple[np.ndarray, float]:
    h, w = rgb.shape[:2]
    r = long_side / max(h, w)
    nh, nw = max(1, round(h * r)), max(1, round(w * r))
    resized = cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_AREA if r < 1 else cv2.INTER_LINEAR)
    ph, pw = -nh % multiple, -nw % multiple
    # Pad with the ImageNet mean colour so the padding normalises to zero.
    padded = cv2.copyMakeBorder(resized, 0, ph, 0, pw, cv2.BORDER_CONSTANT, value=(124, 116, 104))
    return padded, nw / w


@torch.inference_mode()
def predict_people(model: nn.Module, rgb: np.ndarray, long_side: int = DEFAULT_LONG_SIDE, threshold: float = 0.1,
                   min_joints: int = 3) -> BottomUpResult:
    """Every person in an RGB image from belief maps + PAFs (the model must return ``pafs``)."""
    if not predicts_pafs(model):
        raise ValueError("bottom-up grouping needs an OpenPose-style model (one that predicts part affinity fields)")
    image, resize = _prepare(rgb, long_side, 8)
    out = model(to_tensor(image))
    stages = [s[0].numpy() for s in out.stages]
    pafs = [p[0].numpy().reshape(-1, 2, *p.shape[-2:]) for p in out.pafs]
    k, h, w = stages[-1].shape
    size = (w * UPSAMPLE, h * UPSAMPLE)
    hm = np.stack([cv2.resize(m, size, interpolation=cv2.INTER_CUBIC) for m in stages[-1]])
    pf = np.stack([np.stack([cv2.resize(c, size, interpolation=cv2.INTER_CUBIC) for c in limb]) for limb in pafs[-1]])
    groups = [g for g in group_people(hm, pf, list(model.limbs), threshold=threshold) if (g[:, 2] > 0).sum() >= min_joints]
    stride = model.stride
    people = np.zeros((len(groups), k, 3))
    scores = np.zeros(len(groups))
    for i, g in enumerate(groups):
        found = g[:, 2] > 0
        grid = (g[:, :2] + 0.5) / UPSAMPLE - 0.5  # upsampled grid → network grid
        people[i, found, :2] = (heatmap_to_input(grid[found], stride) + 0.5) / resize - 0.5
        people[i, found, 2] = g[found, 2]
        scores[i] = float(g[found, 2].mean() * found.mean())
    order = np.argsort(-scores)
    return BottomUpResult(people[order], scores[order], stages, pafs, image, resize, stride, tuple(model.limbs))


def evaluate_bottom_up(model: nn.Module, gt: CocoKeypoints, image_loader, long_side: int = DEFAULT_LONG_SIDE,
                       progress: bool = True) -> tuple[CocoEvalResult, list[dict]]:
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
        res = predict_people(model, image_loader(im), long_side)
        for kp, score in zip(res.people, res.scores):
            sel = kp[src_idx]
            results.append({"image_id": im["id"], "category_id": 1,
                            "keypoints": np.column_stack([sel[:, :2], (sel[:, 2] > 0).astype(float)]).ravel().tolist(),
                            "score": float(score)})
    return coco_keypoint_eval(data, results, sigmas), results
