"""Drawing keypoints and limbs onto images."""
from __future__ import annotations

import cv2
import numpy as np

from poseviz.core.schemas import KeypointSchema

__all__ = ["PROJECTOR_LINES", "draw_crop_box", "draw_skeleton", "line_thickness"]


PROJECTOR_LINES = 2.5  # skeleton lines this many times thicker on a projector (Live's thick lines read well)


def line_thickness(image: np.ndarray, projector: bool = False) -> int:
    """Skeleton line width (px) for ``image``: about 1/250 of its longer side, ``PROJECTOR_LINES`` × on a projector."""
    t = max(2, round(max(image.shape[:2]) / 250))
    return round(t * PROJECTOR_LINES) if projector else t


def draw_skeleton(
    image: np.ndarray,
    keypoints: np.ndarray,
    schema: KeypointSchema,
    min_score: float = 0.0,
    color: tuple[int, int, int] | None = None,
    thickness: int | None = None,
) -> np.ndarray:
    """A copy of ``image`` (RGB uint8) with the skeleton drawn.

    keypoints [K, 3]: (x, y, score or visibility) in image pixels; joints whose third
    value is ≤ ``min_score`` are skipped. ``color`` draws every limb in one colour (one
    colour per person); otherwise left limbs are orange and right limbs blue.
    """
    out = np.ascontiguousarray(image.copy())
    kp = np.asarray(keypoints, dtype=np.float64)
    t = thickness or line_thickness(image)
    shift = 4  # sub-pixel drawing: coordinates ×16

    def pt(i: int) -> tuple[int, int]:
        return int(round(kp[i, 0] * 16)), int(round(kp[i, 1] * 16))

    ok = np.isfinite(kp[:, :2]).all(-1) & (kp[:, 2] > min_score)
    for a, b in schema.skeleton:
        if ok[a] and ok[b]:
            c = color or (schema.colors[a] if schema.joints[a].startswith(("left", "right")) else schema.colors[b])
            cv2.line(out, pt(a), pt(b), c, t, cv2.LINE_AA, shift)
    for i in np.flatnonzero(ok):
        cv2.circle(out, pt(i), 16 * (t + 1), color or schema.colors[i], -1, cv2.LINE_AA, shift)
        cv2.circle(out, pt(i), 16 * (t + 1), (255, 255, 255), 1, cv2.LINE_AA, shift)
    return out


def draw_crop_box(image: np.ndarray, crop_to_image: np.ndarray, crop_size: tuple[int, int],
                  color: tuple[int, int, int] = (0, 229, 255)) -> np.ndarray:
    """``image`` with the outline of what the network saw: the crop's border (``crop_size`` = (W, H))
    mapped through the 2×3 crop → image matrix (a rotated crop draws as a rotated box)."""
    from poseviz.core.geometry import apply_affine

    w, h = crop_size
    corners = apply_affine(np.array([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]]), crop_to_image)
    out = np.ascontiguousarray(image.copy())
    cv2.polylines(out, [np.round(corners).astype(np.int32)], True, color, max(2, round(max(image.shape[:2]) / 400)), cv2.LINE_AA)
    return out
