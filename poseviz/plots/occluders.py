"""The occluders of the Occlusion explorer outlined on the crop, so that one is drawn where the others are seen."""
from __future__ import annotations

import cv2
import numpy as np

from poseviz.explain.occlusion import Occluder

__all__ = ["outlined"]


def outlined(crop: np.ndarray, occluders: list[Occluder], color: tuple[int, int, int] = (0, 229, 255)) -> np.ndarray:
    """A copy of ``crop`` (RGB uint8) with each occluder's rectangle outlined, 1 px wide."""
    out = np.ascontiguousarray(crop.copy())
    for o in occluders:
        cv2.rectangle(out, (int(round(o.x)), int(round(o.y))), (int(round(o.x + o.w)) - 1, int(round(o.y + o.h)) - 1), color, 1)
    return out
