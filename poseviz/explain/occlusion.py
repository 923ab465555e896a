"""Occlusion: paste occluders, measure what they do, and attribute a joint's belief to pixels.

Occluders are rectangles (x, y, w, h) in the pixels of the image they are applied to,
with a fill: grey, noise, blur, a patch copied from elsewhere in the image, or a
limb-like bar. Attribution uses captum (``Occlusion`` and ``IntegratedGradients``) on a
function that returns the joint's belief-map peak.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import cv2
import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from poseviz.core.geometry import crop_transform, warp_crop
from poseviz.core.heatmaps import decode, heatmap_to_input
from poseviz.core.preprocess import to_tensor
from poseviz.data.lsp import LSPData, joints_box
from poseviz.core.schemas import LSP14, map_keypoints
from poseviz.inference.top_down import model_crop, model_input_size, model_schema, predict_person
from poseviz.metrics.pck import lsp_torso_size, pck

__all__ = ["attribution_display", "predict_occluded", "FILLS", "Occluder", "apply_occluders", "occlude_photo", "occlusion_table", "occlusion_sensitivity", "occlusion_sensitivity_all", "occlusion_window", "integrated_gradients", "SweepResult", "occlusion_sweep", "compare_sweeps",
           "visibility_accuracy", "visibility_rows"]

FILLS = ("grey", "noise", "blur", "patch", "limb")


@dataclass(frozen=True)
class Occluder:
    """A rectangle (pixels of the image it is applied to) and how to fill it."""

    x: float
    y: float
    w: float
    h: float
    fill: str = "grey"


def apply_occluders(image: np.ndarray, occluders: list[Occluder], seed: int = 0) -> np.ndarray:
    """A copy of an RGB uint8 image with every occluder pasted in (clipped to the image)."""
    out = image.copy()
    rng = np.random.default_rng(seed)
    hh, ww = image.shape[:2]
    for o in occluders:
        if o.fill not in FILLS:
            raise ValueError(f"unknown occluder fill {o.fill!r}; choose one of {', '.join(FILLS)}")
        x0, y0 = int(np.clip(round(o.x), 0, ww)), int(np.clip(round(o.y), 0, hh))
        x1, y1 = int(np.clip(round(o.x + o.w), 0, ww)), int(np.clip(round(o.y + o.h), 0, hh))
        if x1 <= x0 or y1 <= y0:
            continue
        region = out[y0:y1, x0:x1]
        if o.fill == "grey":
            region[:] = 128
        elif o.fill == "noise":
            region[:] = rng.integers(0, 256, size=region.shape, dtype=np.uint8)
        elif o.fill == "blur":
            k = max(3, (max(x1 - x0, y1 - y0) // 2) | 1)
            region[:] = cv2.GaussianBlur(np.ascontiguousarray(image[y0:y1, x0:x1]), (k, k), 0)
        elif o.fill == "patch":
            # the same-size patch one box-width to the side (wrapping), as a distractor from the scene
            sx = (x0 + (x1 - x0)) % max(ww - (x1 - x0), 1)
            region[:] = image[y0:y1, sx:sx + (x1 - x0)][: y1 - y0, : x1 - x0]
        else:  # limb: a skin-toned bar along the rectangle's longer axis
            bar = np.zeros(region.shape[:2], np.uint8)
            t = max(2, min(x1 - x0, y1 - y0) // 2)
            if x1 - x0 >= y1 - y0:
                cv2.line(bar, (0, (y1 - y0) // 2), (x1 - x0 - 1, (y1 - y0) // 2), 1, t)
            else:
                cv2.line(bar, ((x1 - x0) // 2, 0), ((x1 - x0) // 2, y1 - y0 - 1), 1, t)
            region[bar > 0] = (198, 134, 103)
    return out


def _peak_fn(model: nn.Module, joint: int, stage: int = -1):
    def f(x: torch.Tensor) -> torch.Tensor:
        return model(x).stages[stage][:, joint].amax(dim=(-2, -1))
    return f


def occlusion_window(crop: np.ndarray) -> int:
    """The occlusion-sensitivity mask side for a crop: 1/8 of its width (16 px on a 128-px crop), so every network
    is probed with the same 15 × 15 windows whatever its input size."""
    return max(crop.shape[1] // 8, 2)


def occlusion_sensitivity(model: nn.Module, crop: np.ndarray, joint: int, window: int | None = None,
                          stride: int | None = None, stage: int = -1) -> np.ndarray:
    """captum ``Occlusion``: drop of the joint's belief peak when each window is greyed (mean of the normalised
    input) → [H, W]. ``window`` defaults to ``occlusion_window(crop)``, ``stride`` to half the window."""
    from captum.attr import Occlusion

    window = occlusion_window(crop) if window is None else window
    stride = max(window // 2, 1) if stride is None else stride

    model.eval()
    x = to_tensor(crop)
    occ = Occlusion(_peak_fn(model, joint, stage))
    with torch.no_grad():
        attr = occ.attribute(x, sliding_window_shapes=(3, window, window), strides=(3, stride, stride), baselines=0.0,
                             perturbations_per_eval=32)
    return attr[0].sum(0).numpy() / 3.0


@torch.no_grad()
def occlusion_sensitivity_all(model: nn.Module, crop: np.ndarray, window: int | None = None, stride: int | None = None,
                              stage: int = -1, batch: int | None = None, progress_callback=None) -> np.ndarray:
    """``occlusion_sensitivity`` of every joint from one sweep → [K, H, W]: the same windows, baseline and averaging
    over overlapping windows as captum's ``Occlusion`` (a test holds them equal), but each occluded input's forward
    pass is read for all joints at once — captum attributes one output per sweep, so K joints would cost K sweeps.
    ``progress_callback(fraction)`` is called after each batch."""
    window = occlusion_window(crop) if window is None else window
    stride = max(window // 2, 1) if stride is None else stride
    model.eval()
    x = to_tensor(crop)
    h, w = x.shape[-2:]
    # About half a megapixel of occluded inputs per batch: 32 crops of 128 px, 10 of 224 px. On 2 CPU cores a batch
    # of 32 224-px crops ran 2.5× slower than batches of 8 (memory traffic), with the same result.
    batch = batch or max(4, (32 * 128 * 128) // (h * w))
    base = model(x).stages[stage][0].amax(dim=(-2, -1))  # [K]
    spots = [(y, xx) for y in range(0, h - window + 1, stride) for xx in range(0, w - window + 1, stride)]
    total = torch.zeros(base.shape[0], h, w)
    count = torch.zeros(h, w)
    for start in range(0, len(spots), batch):
        chunk = spots[start:start + batch]
        xb = x.repeat(len(chunk), 1, 1, 1)
        for i, (y, xx) in enumerate(chunk):
            xb[i, :, y:y + window, xx:xx + window] = 0.0
        drops = base[None] - model(xb).stages[stage].amax(dim=(-2, -1))  # [n, K]
        for i, (y, xx) in enumerate(chunk):
            total[:, y:y + window, xx:xx + window] += drops[i][:, None, None]
            count[y:y + window, xx:xx + window] += 1
        if progress_callback is not None:
            progress_callback(min(1.0, (start + len(chunk)) / len(spots)))
    return (total / count.clamp(min=1)).numpy()


def integrated_gradients(model: nn.Module, crop: np.ndarray, joint: int, steps: int = 24, stage: int = -1) -> np.ndarray:
    """captum ``IntegratedGradients`` of the joint's belief peak from a grey baseline → |attribution| summed over colour [H, W]."""
    from captum.attr import IntegratedGradients

    model.eval()
    x = to_tensor(crop)
    ig = IntegratedGradients(_peak_fn(model, joint, stage))
    # Eight interpolated inputs at a time: on 2 CPU cores a batch of 24 224-px inputs with their gradients ran 1.6×
    # slower than three batches of 8 (memory traffic), with the same attribution to 1e-8.
    attr = ig.attribute(x, baselines=torch.zeros_like(x), n_steps=steps, internal_batch_size=min(steps, 8))
    return attr[0].abs().sum(0).detach().numpy()


@dataclass(frozen=True)
class SweepResult:
    """PCK@0.2 (%) by occluder size (fraction of the crop side), mean over positions and images."""

    sizes: np.ndarray
    pck: np.ndarray  # [len(sizes)]
    pck_per_position: np.ndarray  # [len(sizes), n_positions]
    correct: np.ndarray  # [len(sizes), n_positions, N, K] bool: each joint right under each occluder
    labelled: np.ndarray  # [N, K] bool: the joints counted

    @property
    def drop(self) -> np.ndarray:
        return self.pck[0] - self.pck

    def person_hits(self, si: int) -> np.ndarray:
        """Joints right per person at size index ``si``, summed over positions and joints [N]."""
        return (self.correct[si] & self.labelled).sum((0, 2))  # per person, over positions and joints

    def intervals(self, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
        """Bootstrap intervals over the people (%): of PCK at each size [S, 2], and of the drop from the
        unoccluded crop [S, 2] (paired: the same people resampled for both)."""
        from poseviz.metrics.bootstrap import bootstrap_ratio

        totals = self.labelled.sum(1) * self.correct.shape[1]
        pck = [bootstrap_ratio(self.person_hits(si), totals, level=level) for si in range(len(self.sizes))]
        drop = [bootstrap_ratio(self.person_hits(0), totals, minus=self.person_hits(si), level=level) for si in range(len(self.sizes))]
        return np.array(pck), np.array(drop)


def occlusion_sweep(
    model: nn.Module, data: LSPData, indices: np.ndarray, sizes=(0.0, 0.1, 0.2, 0.3, 0.4), grid: int = 3,
    fill: str = "grey", images: list[np.ndarray] | None = None, progress: bool = True, progress_callback=None,
) -> SweepResult:
    """Grey squares of each size at a grid×grid of positions over the person crop; PCK@0.2 for each.

    Size 0 is the unoccluded baseline. All of one image's crops run as one batch (the unoccluded
    crop once, not once per position). ``progress_callback(fraction)`` is called after each image.
    """
    from poseviz.training.dataset import load_images

    model.eval()
    images = images if images is not None else load_images(data, indices)
    w, h = model_input_size(model)
    schema = model_schema(model)
    sizes = np.asarray(sizes, dtype=np.float64)
    centres = [((i + 0.5) / grid, (j + 0.5) / grid) for j in range(grid) for i in range(grid)]
    preds = np.zeros((len(sizes), len(centres), len(indices), LSP14.num_joints, 2))
    steps = len(indices)
    for n, (img, idx) in enumerate(tqdm(list(zip(images, indices)), desc="occlusion sweep", disable=not progress, leave=False)):
        gt = data.joints[int(idx)]
        t = crop_transform(*model_crop(model, joints_box(gt)), (w, h))
        crop = warp_crop(img, t)
        # A size-0 "occluder" leaves the crop unchanged at every position, so it runs once.
        crops = [crop] + [apply_occluders(crop, [Occluder(cx * w - side / 2, cy * h - side / 2, side, side, fill)])
                          for side in sizes[sizes > 0] * w for cx, cy in centres]
        with torch.inference_mode():
            hm = model(to_tensor(np.stack(crops))).heatmaps.numpy()
        coords, _ = decode(hm, "dark", dark_blur_kernel=3)
        img_xy = np.stack([t.to_image(p) for p in heatmap_to_input(coords, w / hm.shape[-1])])
        if schema.name != LSP14.name:  # an MPII-16 network is scored on the LSP joints it shares
            img_xy = map_keypoints(img_xy, schema, LSP14, aliases=True)
        occluded = iter(img_xy[1:].reshape(-1, len(centres), LSP14.num_joints, 2))
        for si, size in enumerate(sizes):
            preds[si, :, n] = img_xy[0] if size <= 0 else next(occluded)
        if progress_callback is not None:
            progress_callback((n + 1) / steps)
    gt = data.joints[np.asarray(indices)]
    norm = lsp_torso_size(gt)
    scored = [[pck(preds[si, p], gt, norm) for p in range(len(centres))] for si in range(len(sizes))]
    per_pos = np.array([[r.mean for r in row] for row in scored])
    correct = np.array([[r.correct for r in row] for row in scored])
    return SweepResult(sizes, per_pos.mean(1), per_pos, correct, scored[0][0].labelled)


def compare_sweeps(a: SweepResult, b: SweepResult, names: tuple[str, str], level: float = 0.95) -> list[dict]:
    """One row per occluder size: each model's PCK drop from its unoccluded crop and how much more ``a`` drops than
    ``b``, with the paired bootstrap interval of that difference — the same people resampled for both models and
    both conditions, which is what tells two models apart on one test set. Both sweeps: the same people and sizes."""
    from poseviz.metrics.bootstrap import bootstrap_ratio, interval_text

    if a.labelled.shape != b.labelled.shape or not np.array_equal(a.sizes, b.sizes) or a.correct.shape != b.correct.shape:
        raise ValueError("compare_sweeps needs two sweeps of the same people, sizes and positions")
    totals = a.labelled.sum(1) * a.correct.shape[1]
    rows = []
    for si, size in enumerate(a.sizes):
        # (a₀ − aₛ) − (b₀ − bₛ) = (a₀ + bₛ) − (aₛ + b₀), per person: one paired difference of two sums
        ci = bootstrap_ratio(a.person_hits(0) + b.person_hits(si), totals, minus=a.person_hits(si) + b.person_hits(0), level=level)
        rows.append({"occluder side (% of crop)": round(100 * float(size)), f"drop, {names[0]} (points)": round(float(a.drop[si]), 1),
                     f"drop, {names[1]} (points)": round(float(b.drop[si]), 1),
                     f"{names[0]} drops more by (points)": round(float(a.drop[si] - b.drop[si]), 1),
                     f"{100 * level:g} % CI (paired)": interval_text(ci)})
    return rows


def attribution_display(attribution: np.ndarray, outlier_percent: float = 2.0) -> np.ndarray:
    """An attribution map scaled to 0–1 for display: divided by its (100 − ``outlier_percent``)th percentile and
    clipped, as captum's visualisation does. Integrated gradients are heavy-tailed: scaled by the maximum, a few
    pixels are bright and the rest of the map looks empty."""
    a = np.maximum(np.asarray(attribution, dtype=np.float64), 0)
    scale = float(np.percentile(a, 100 - outlier_percent))
    if scale <= 0:
        scale = float(a.max())
    return np.clip(a / scale, 0, 1) if scale > 0 else np.zeros_like(a)


def visibility_accuracy(correct: np.ndarray, visibility: np.ndarray) -> dict[str, float]:
    """PCK (%) on joints LSP marks visible (v = 2) and occluded (v = 1), from ``PCKResult.correct`` [N, K]."""
    vis = visibility == 2
    occ = visibility == 1
    return {"visible": float(100 * correct[vis].mean()) if vis.any() else float("nan"),
            "occluded": float(100 * correct[occ].mean()) if occ.any() else float("nan"),
            "visible joints": int(vis.sum()), "occluded joints": int(occ.sum())}


def visibility_rows(models: dict[str, nn.Module], data, people: np.ndarray,
                    step: Callable[[], None] | None = None) -> tuple[list[dict], dict]:
    """PCK@0.2 (ground-truth boxes, no flip) on the joints LSP marks visible and occluded, each with its 95 %
    bootstrap interval over the people, one row per model; and each model's ``PCKResult`` (for paired intervals).
    ``step()``, if given, is called after each model (a progress bar)."""
    from poseviz.metrics.bootstrap import interval_text, pck_interval
    from poseviz.metrics.evaluation import evaluate_lsp, load_images

    images = load_images(data, people)
    flags = data.joints[np.asarray(people)][..., 2]
    rows, results = [], {}
    for name, model in models.items():
        ev = evaluate_lsp(model, data, people, images=images, progress=False)
        acc = visibility_accuracy(ev.pck.correct, flags)
        results[name] = ev.pck
        rows.append({"model": name, "PCK@0.2 visible joints (%)": round(acc["visible"], 1),
                     "visible 95 % CI": interval_text(pck_interval(ev.pck.correct, ev.pck.labelled & (flags == 2))),
                     "PCK@0.2 occluded joints (%)": round(acc["occluded"], 1),
                     "occluded 95 % CI": interval_text(pck_interval(ev.pck.correct, ev.pck.labelled & (flags == 1))),
                     "visible joints": acc["visible joints"], "occluded joints": acc["occluded joints"]})
        if step is not None:
            step()
    return rows, results


def occlude_photo(image: np.ndarray, crop: np.ndarray, occluded_crop: np.ndarray, crop_to_image: np.ndarray) -> np.ndarray:
    """The photo with the pixels that occluders changed in its crop warped back into place.

    ``crop_to_image`` is the 2×3 crop → image matrix; nearest-neighbour warping keeps the
    occluder's own pixels (a flat colour stays flat), so the same crop pipeline sees them again.
    """
    size = (image.shape[1], image.shape[0])
    warped = cv2.warpAffine(occluded_crop, crop_to_image, size, flags=cv2.INTER_NEAREST, borderValue=(0, 0, 0))
    changed = cv2.warpAffine(np.any(occluded_crop != crop, -1).astype(np.uint8), crop_to_image, size, flags=cv2.INTER_NEAREST)
    out = image.copy()
    out[changed > 0] = warped[changed > 0]
    return out


def predict_occluded(model: nn.Module, image: np.ndarray, box: tuple[float, float, float, float], clean,
                     occluders: list[Occluder]):
    """(occluded photo, its ``Prediction``): ``occluders`` (crop pixels) pasted on the crop of the ``clean``
    ``Prediction``, put back into the photo, and the photo predicted again from the same box."""
    occluded_crop = apply_occluders(clean.crop, occluders)
    photo = occlude_photo(image, clean.crop, occluded_crop, clean.transform.inverse)
    return photo, predict_person(model, photo, box)


def occlusion_table(joints: tuple[str, ...], clean: np.ndarray, occluded: np.ndarray, gt: np.ndarray | None = None,
                    alpha: float = 0.2) -> list[dict]:
    """Per joint of the model (``joints``, its schema's names): how far the occluders moved it (image px), its
    belief before and after and, given LSP-14 ground truth ``gt`` [14, 3] in the same pixels, whether each is
    correct at PCK@``alpha`` (a model of another schema is scored on the joints it shares with LSP, MPII's upper
    neck standing for LSP's neck; its other joints get None)."""
    from poseviz.core.schemas import ALIASES

    moved = np.linalg.norm(occluded[:, :2] - clean[:, :2], axis=-1)
    rows = [{"joint": j, "moved (image px)": round(float(m), 1), "belief clean": round(float(a), 3),
             "belief occluded": round(float(b), 3)} for j, m, a, b in zip(joints, moved, clean[:, 2], occluded[:, 2])]
    if gt is not None:
        lsp_of = {i: LSP14.joints.index(j) if j in LSP14.joints else LSP14.joints.index(ALIASES[j])
                  for i, j in enumerate(joints) if j in LSP14.joints or ALIASES.get(j) in LSP14.joints}
        norm = lsp_torso_size(gt[None])
        for r in rows:
            r[f"correct clean (PCK@{alpha:g})"], r["correct occluded"] = None, None
        for kp, column in ((clean, f"correct clean (PCK@{alpha:g})"), (occluded, "correct occluded")):
            lsp = np.zeros((LSP14.num_joints, 3))
            for i, j in lsp_of.items():
                lsp[j] = kp[i]
            ok = pck(lsp[None, :, :2], gt[None], norm, alpha).correct[0]
            for i, j in lsp_of.items():
                rows[i][column] = bool(ok[j])
    return rows


def occlusion_pck(rows: list[dict]) -> tuple[float, float]:
    """PCK (%) of the clean and of the occluded prediction from ``occlusion_table`` rows with ground truth
    (the joints scored against it)."""
    clean = [r[k] for r in rows for k in r if k.startswith("correct clean") and r[k] is not None]
    occluded = [r["correct occluded"] for r in rows if r["correct occluded"] is not None]
    return 100.0 * float(np.mean(clean)), 100.0 * float(np.mean(occluded))


def most_sensitive_point(sensitivity: np.ndarray) -> tuple[int, int]:
    """(x, y) crop pixel of the largest value of a sensitivity map [H, W]."""
    y, x = np.unravel_index(int(np.argmax(sensitivity)), sensitivity.shape)
    return int(x), int(y)
