"""How much several models disagree about each joint of one person."""
from __future__ import annotations

import itertools

import numpy as np

__all__ = ["max_pairwise_distance"]


def max_pairwise_distance(keypoints: np.ndarray) -> np.ndarray:
    """Largest distance between any two models' predictions of each joint.

    Args:
        keypoints: [M, K, ≥2] the M models' (x, y) per joint, in the same pixels (M ≥ 2).
    Returns:
        [K] distances in those pixels.
    """
    kp = np.asarray(keypoints, dtype=np.float64)[..., :2]
    if kp.shape[0] < 2:
        raise ValueError("disagreement needs at least two models")
    pairs = itertools.combinations(range(kp.shape[0]), 2)
    return np.max([np.linalg.norm(kp[a] - kp[b], axis=-1) for a, b in pairs], axis=0)
