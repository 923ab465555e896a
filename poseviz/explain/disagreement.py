"""How much several models disagree about each joint of one person."""
from __future__ import annotations

import itertools

import numpy as np

from poseviz.core.schemas import KeypointSchema

__all__ = ["max_pairwise_distance", "shared_joints"]


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


def shared_joints(schemas: list[KeypointSchema]) -> tuple[list[str], list[list[int]]]:
    """The joints every schema names alike, in the first schema's order, and each schema's index of them.

    Models of different schemas (LSP-14 and MPII-16) are compared on these only: joints named differently
    (LSP's neck, MPII's upper neck) sit at slightly different places, so they are not paired.
    """
    names = [j for j in schemas[0].joints if all(j in s.joints for s in schemas[1:])]
    return names, [[s.joints.index(j) for j in names] for s in schemas]
