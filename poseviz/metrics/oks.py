"""Object Keypoint Similarity exactly as COCO defines it.

OKS = Σᵢ exp(−dᵢ² / (2 s² kᵢ²)) δ(vᵢ > 0) / Σᵢ δ(vᵢ > 0), with s² = the object's
segment area and kᵢ = 2σᵢ, σᵢ being the published per-joint "sigmas" (COCO's
``kpt_oks_sigmas``). When a ground truth has no labelled joint, COCO measures each
predicted joint's distance to the box grown to 3× its size (centred) and averages over
all joints; PoseViz does the same so every (gt, dt) pair agrees with pycocotools.
"""
from __future__ import annotations

import numpy as np

__all__ = ["oks_terms", "oks", "oks_matrix", "tolerance_radius"]

_EPS = np.spacing(1)


def _exponent(d2: np.ndarray, area: np.ndarray, sigmas: np.ndarray) -> np.ndarray:
    return d2 / (2.0 * sigmas**2 * 4.0) / (area + _EPS)


def oks_terms(gt: np.ndarray, dt: np.ndarray, area: float, sigmas: np.ndarray) -> np.ndarray:
    """Each joint's OKS term exp(−d²/2s²k²) [K]; NaN where the ground truth is unlabelled.

    gt [K, 3] (x, y, v), dt [K, ≥2] pixels, area = s² in pixels², sigmas [K].
    """
    gt = np.asarray(gt, dtype=np.float64)
    dt = np.asarray(dt, dtype=np.float64)
    d2 = ((dt[:, :2] - gt[:, :2]) ** 2).sum(-1)
    terms = np.exp(-_exponent(d2, np.float64(area), np.asarray(sigmas, dtype=np.float64)))
    return np.where(gt[:, 2] > 0, terms, np.nan)


def oks_matrix(
    dts: np.ndarray, gts: np.ndarray, areas: np.ndarray, boxes: np.ndarray | None, sigmas: np.ndarray
) -> np.ndarray:
    """OKS between every detection and ground truth → [D, G].

    dts [D, K, ≥2], gts [G, K, 3], areas [G] (pixels²), boxes [G, 4] (x, y, w, h; used
    only for ground truths without labelled joints), sigmas [K].
    """
    dts = np.asarray(dts, dtype=np.float64).reshape(len(dts), -1, np.shape(dts)[-1] if len(dts) else 3)
    gts = np.asarray(gts, dtype=np.float64)
    if len(dts) == 0 or len(gts) == 0:
        return np.zeros((len(dts), len(gts)))
    sig = np.asarray(sigmas, dtype=np.float64)
    areas = np.asarray(areas, dtype=np.float64)
    xd, yd = dts[:, None, :, 0], dts[:, None, :, 1]  # [D, 1, K]
    xg, yg, vg = gts[None, :, :, 0], gts[None, :, :, 1], gts[None, :, :, 2]
    labelled = vg > 0  # [1, G, K]
    n_lab = labelled.sum(-1)  # [1, G]
    dx, dy = xd - xg, yd - yg
    if boxes is not None and (n_lab == 0).any():
        b = np.asarray(boxes, dtype=np.float64)[None, :, :, None]  # [1, G, 4, 1]
        x0, x1 = b[:, :, 0] - b[:, :, 2], b[:, :, 0] + 2 * b[:, :, 2]
        y0, y1 = b[:, :, 1] - b[:, :, 3], b[:, :, 1] + 2 * b[:, :, 3]
        bdx = np.maximum(0, x0 - xd) + np.maximum(0, xd - x1)
        bdy = np.maximum(0, y0 - yd) + np.maximum(0, yd - y1)
        none = (n_lab == 0)[..., None]
        dx, dy = np.where(none, bdx, dx), np.where(none, bdy, dy)
    e = np.exp(-_exponent(dx**2 + dy**2, areas[None, :, None], sig))
    use = np.where((n_lab == 0)[..., None], True, labelled)
    return (e * use).sum(-1) / use.sum(-1)


def oks(gt: np.ndarray, dt: np.ndarray, area: float, sigmas: np.ndarray, box: np.ndarray | None = None) -> float:
    """OKS of one prediction dt [K, ≥2] against one ground truth gt [K, 3]."""
    boxes = None if box is None else np.asarray(box, dtype=np.float64)[None]
    return float(oks_matrix(np.asarray(dt)[None], np.asarray(gt)[None], np.array([area]), boxes, sigmas)[0, 0])


def tolerance_radius(area: float, sigma: float | np.ndarray, threshold: float | np.ndarray) -> np.ndarray:
    """Distance (pixels) at which a joint's OKS term equals ``threshold``: r = s·k·√(−2 ln t), k = 2σ."""
    t = np.asarray(threshold, dtype=np.float64)
    if np.any((t <= 0) | (t >= 1)):
        raise ValueError("OKS threshold must lie strictly between 0 and 1")
    return np.sqrt(area) * 2.0 * np.asarray(sigma) * np.sqrt(-2.0 * np.log(t))
