"""Skeleton-derived DensePose-style charts: per-pixel part index I and chart coordinates U, V.

No DensePose-COCO data is available, so targets come from LSP skeletons — a
skeleton-derived chart, not DensePose-COCO's surface. Each limb part is a capsule around
its bone (radius ∝ torso size); U = position along the bone (0 at the proximal joint, 1
at the distal), V = signed distance across it mapped to 0..1 (0.5 on the bone). The torso
is the shoulder–hip quadrilateral (U from the shoulders' midpoint down to the hips', V
from the right side to the left); the head is a capsule from neck to head top.
Output follows detectron2's chart layout: I [H, W] (0 = background), U and V [H, W].
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from poseviz.core.schemas import LSP14

__all__ = ["part_stats", "PARTS", "DenseTargets", "limb_uv", "dense_targets"]

_J = LSP14.index
# (name, proximal joint, distal joint); order = part index − 1 after head and torso
_LIMBS = (
    ("right upper arm", "right_shoulder", "right_elbow"), ("right lower arm", "right_elbow", "right_wrist"),
    ("left upper arm", "left_shoulder", "left_elbow"), ("left lower arm", "left_elbow", "left_wrist"),
    ("right upper leg", "right_hip", "right_knee"), ("right lower leg", "right_knee", "right_ankle"),
    ("left upper leg", "left_hip", "left_knee"), ("left lower leg", "left_knee", "left_ankle"),
)
PARTS = ("background", "head", "torso") + tuple(n for n, _, _ in _LIMBS)


@dataclass(frozen=True)
class DenseTargets:
    """I [H, W] int part index (0 background), U and V [H, W] float in 0..1 (0 where background)."""

    I: np.ndarray  # noqa: E741 (DensePose's own name)
    U: np.ndarray
    V: np.ndarray


def limb_uv(shape: tuple[int, int], a: np.ndarray, b: np.ndarray, radius: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Capsule of ``radius`` px around segment a→b on an H×W grid → (mask, U, V).

    U = projection onto a→b normalised to 0..1 (clipped); V = 0.5 + signed perpendicular
    distance / (2·radius), so V spans 0..1 across the capsule.
    """
    h, w = shape
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    d = np.asarray(b, np.float64) - np.asarray(a, np.float64)
    length2 = max(float(d @ d), 1e-9)
    rel_x, rel_y = xs - a[0], ys - a[1]
    t = (rel_x * d[0] + rel_y * d[1]) / length2
    tc = np.clip(t, 0.0, 1.0)
    px, py = a[0] + tc * d[0] - xs, a[1] + tc * d[1] - ys
    dist = np.hypot(px, py)
    mask = dist <= radius
    normal = np.array([-d[1], d[0]]) / np.sqrt(length2)
    signed = rel_x * normal[0] + rel_y * normal[1]
    return mask, tc, np.clip(0.5 + signed / (2 * radius), 0.0, 1.0)


def dense_targets(joints: np.ndarray, shape: tuple[int, int], width: float = 0.12) -> DenseTargets:
    """Chart targets from LSP-14 joints [14, ≥2] (pixels) on an H×W grid; limb radius = width × torso size."""
    j = np.asarray(joints, dtype=np.float64)[:, :2]
    h, w = shape
    torso = np.linalg.norm(j[_J("right_shoulder")] - j[_J("left_hip")])
    radius = max(width * torso, 1.0)
    I = np.zeros((h, w), np.int64)  # noqa: E741
    U = np.zeros((h, w))
    V = np.zeros((h, w))
    # torso: inside the shoulder–hip quadrilateral
    quad = np.array([j[_J("right_shoulder")], j[_J("left_shoulder")], j[_J("left_hip")], j[_J("right_hip")]])
    import cv2

    tmask = np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(tmask, np.round(quad * 16).astype(np.int32), 1, cv2.LINE_8, 4)
    top, bottom = quad[:2].mean(0), quad[2:].mean(0)
    _, tu, _ = limb_uv(shape, top, bottom, 1e9)
    right, left = quad[[0, 3]].mean(0), quad[[1, 2]].mean(0)
    _, tv, _ = limb_uv(shape, right, left, 1e9)
    sel = tmask > 0
    I[sel], U[sel], V[sel] = 2, tu[sel], tv[sel]
    # head, then limbs; later parts draw over earlier ones where capsules overlap
    parts = [("head", "neck", "head_top")] + list(_LIMBS)
    for name, pa, pb in parts:
        mask, u, v = limb_uv(shape, j[_J(pa)], j[_J(pb)], radius * (1.3 if name == "head" else 1.0))
        idx = PARTS.index(name)
        I[mask], U[mask], V[mask] = idx, u[mask], v[mask]
    return DenseTargets(I, U, V)


def part_stats(index: np.ndarray, u: np.ndarray, v: np.ndarray, cell_area: float) -> list[dict]:
    """Per body part: its area (``cell_area`` per chart cell, e.g. crop px²) and mean U and V
    (NaN for a part not found). index, u, v: [h, w] charts (I = 0 background)."""
    rows = []
    for p, part in enumerate(PARTS[1:], start=1):
        m = index == p
        rows.append({"part": part, "area (crop px²)": float(m.sum() * cell_area),
                     "mean U": float(u[m].mean()) if m.any() else float("nan"),
                     "mean V": float(v[m].mean()) if m.any() else float("nan")})
    return rows
