"""Image normalisation shared by training and inference."""
from __future__ import annotations

import numpy as np
import torch

__all__ = ["MEAN", "STD", "to_tensor"]

MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def to_tensor(crops: np.ndarray) -> torch.Tensor:
    """RGB uint8 crops [H, W, 3] or [B, H, W, 3] → normalised float tensor [B, 3, H, W]."""
    arr = np.asarray(crops)
    if arr.ndim == 3:
        arr = arr[None]
    x = (arr.astype(np.float32) / 255.0 - MEAN) / STD
    return torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
