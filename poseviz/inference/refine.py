"""The refinement pass: re-crop a person around the first pass's confident joints, as the training crops were cut.

A user's box or a detector's box is never framed like a training crop (the joints' box × 1.3): given MPII's own
person box, ``hrnet_lsp`` scored 47.5 % PCKh@0.5, and one re-crop around its predicted joints 61.0 % (issue 38).
Each pass crops the box of the joints whose peak belief reaches ``REFINE_MIN_BELIEF`` enlarged by
``DEFAULT_ENLARGE``; passes repeat while the crop still moves by more than ``REFINE_TOLERANCE`` of its size.
"""
from __future__ import annotations

import numpy as np
from torch import nn

from poseviz.core.geometry import DEFAULT_ENLARGE
from poseviz.inference.top_down import Prediction, model_crop, predict_person

__all__ = ["REFINE_MIN_BELIEF", "REFINE_MIN_JOINTS", "REFINE_TOLERANCE", "DEFAULT_REFINE_PASSES", "refine_box",
           "refined_prediction"]

REFINE_MIN_BELIEF = 0.2  # a joint this confident is taken as found (real people's joints mostly score 0.3–0.9)
REFINE_MIN_JOINTS = 4  # fewer confident joints than this do not outline a person: keep the crop as it is
REFINE_TOLERANCE = 0.05  # a re-crop whose centre and size move less than this share of the crop's side ends the passes
DEFAULT_REFINE_PASSES = 0  # off: on the validation people with detector boxes, 2 passes cost hrnet_lsp 2–3 points (benchmarks/box_robustness.py)


def refine_box(keypoints: np.ndarray, min_belief: float = REFINE_MIN_BELIEF,
               min_joints: int = REFINE_MIN_JOINTS) -> tuple[float, float, float, float] | None:
    """The tight box (x, y, w, h) of the confident joints of a prediction (keypoints [K, 3]), or None when fewer
    than ``min_joints`` are confident."""
    kp = np.asarray(keypoints, dtype=np.float64)
    ok = kp[:, 2] >= min_belief
    if ok.sum() < min_joints:
        return None
    (x0, y0), (x1, y1) = kp[ok, :2].min(0), kp[ok, :2].max(0)
    return float(x0), float(y0), float(max(x1 - x0, 1.0)), float(max(y1 - y0, 1.0))


def _moved(a: Prediction, center: np.ndarray, scale: np.ndarray) -> float:
    side = float(max(a.transform.scale))
    shift = float(np.max(np.abs(np.asarray(a.transform.center) - center))) / 200.0
    return max(shift, abs(float(max(scale)) - side)) / side


def refined_prediction(model: nn.Module, image: np.ndarray, first: Prediction, passes: int = DEFAULT_REFINE_PASSES,
                       flip: bool = False, method: str = "dark", tolerance: float = REFINE_TOLERANCE) -> Prediction:
    """Up to ``passes`` re-crops of ``first`` (a prediction on ``image``) around its confident joints; the last
    prediction made. ``passes = 0`` returns ``first``."""
    limit = np.array([image.shape[1] - 1, image.shape[0] - 1], dtype=np.float64)
    pred = first
    for _ in range(max(int(passes), 0)):
        kp = pred.keypoints.copy()
        kp[:, :2] = np.clip(kp[:, :2], 0, limit)  # a crop may reach past the photo's edge; the box must not
        box = refine_box(kp)
        if box is None:
            break
        center, scale = model_crop(model, box, DEFAULT_ENLARGE)
        if _moved(pred, center, scale) < tolerance:
            break
        pred = predict_person(model, image, box, flip=flip, method=method, enlarge=DEFAULT_ENLARGE)
    return pred
