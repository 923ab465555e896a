"""Person detection with OpenCV's built-in HOG people detector (no download needed)."""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

__all__ = ["Detection", "detect_people"]


@dataclass(frozen=True)
class Detection:
    """A person box (x, y, w, h) in image pixels and the detector's confidence."""

    box: tuple[float, float, float, float]
    score: float


_HOG: cv2.HOGDescriptor | None = None


def _hog() -> cv2.HOGDescriptor:
    global _HOG
    if _HOG is None:
        _HOG = cv2.HOGDescriptor()
        _HOG.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())
    return _HOG


def detect_people(image: np.ndarray, min_score: float = 0.3, max_side: int = 640, nms_iou: float = 0.4) -> list[Detection]:
    """Detect upright people in an RGB uint8 image; boxes sorted by score, highest first.

    The image is shrunk to ``max_side`` for speed (HOG is slow on large images) and, if
    small, enlarged so a person can fill the detector's 64×128 window.
    """
    h, w = image.shape[:2]
    scale = min(1.0, max_side / max(h, w))
    if max(h, w) * scale < 256:
        scale = 256 / max(h, w)
    small = cv2.resize(image, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    if min(gray.shape) < 128:
        gray = cv2.copyMakeBorder(gray, 0, max(0, 128 - gray.shape[0]), 0, max(0, 64 - gray.shape[1]), cv2.BORDER_REPLICATE)
    rects, weights = _hog().detectMultiScale(gray, winStride=(8, 8), padding=(16, 16), scale=1.05)
    if len(rects) == 0:
        return []
    boxes = [list(map(float, r)) for r in rects]
    scores = [float(s) for s in np.ravel(weights)]
    keep = cv2.dnn.NMSBoxes(boxes, scores, min_score, nms_iou)
    out = [Detection(tuple(v / scale for v in boxes[i]), scores[i]) for i in np.ravel(keep)] if len(keep) else []
    return sorted(out, key=lambda d: -d.score)
