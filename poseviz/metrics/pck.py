"""PCK@α (percentage of correct keypoints) and PCKh.

A joint is correct when its error is at most α × a per-person reference length.
PCK on LSP uses the torso size; PoseViz takes the distance from the right shoulder to
the left hip (one torso diagonal), the convention BlazePose's LSP figure uses, so
results compare directly. PCKh uses the head segment length (MPII's head box size).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from poseviz.core.schemas import LSP14

__all__ = ["PCKResult", "pck", "lsp_torso_size", "lsp_head_size", "HEAD_BOX_FACTOR"]


@dataclass(frozen=True)
class PCKResult:
    """per_joint [K] in %, mean in % (over labelled joints), counts [K] of labelled joints."""

    per_joint: np.ndarray
    mean: float
    counts: np.ndarray
    correct: np.ndarray  # [N, K] bool; False where unlabelled
    labelled: np.ndarray  # [N, K] bool: the joints counted (v > 0 and a reference length)


def _segment(gt: np.ndarray, a: str, b: str) -> np.ndarray:
    gt = np.asarray(gt, dtype=np.float64)
    ia, ib = LSP14.index(a), LSP14.index(b)
    length = np.linalg.norm(gt[:, ia, :2] - gt[:, ib, :2], axis=-1)
    if gt.shape[-1] < 3:
        return length
    # A length between unannotated joints (v = 0) is meaningless: 0 makes PCK skip the person.
    return np.where((gt[:, ia, 2] > 0) & (gt[:, ib, 2] > 0), length, 0.0)


def lsp_torso_size(gt: np.ndarray) -> np.ndarray:
    """Torso diagonal, right shoulder → left hip, of LSP-14 joints [N, 14, ≥2] in pixels
    (0 where either joint has v = 0)."""
    return _segment(gt, "right_shoulder", "left_hip")


# MPII's head size is 0.6 × the diagonal of an annotated head box. LSP-14 people carry no head
# box, so the box is taken as the square whose side is the neck → head-top segment:
# 0.6 × √2 × segment. It approximates MPII's figure; it is not MPII's exact head size.
HEAD_BOX_FACTOR = 0.6 * float(np.sqrt(2.0))


def lsp_head_size(gt: np.ndarray) -> np.ndarray:
    """PCKh reference of LSP-14 joints [N, 14, ≥2]: 0.6 × √2 × |neck − head top| in pixels
    (0 where either joint has v = 0)."""
    return HEAD_BOX_FACTOR * _segment(gt, "neck", "head_top")


def pck(pred: np.ndarray, gt: np.ndarray, norm: np.ndarray, alpha: float = 0.2) -> PCKResult:
    """PCK@α.

    Args:
        pred: [N, K, ≥2] predicted (x, y) pixels.
        gt: [N, K, 3] ground truth (x, y, v); joints with v = 0 are not counted.
        norm: [N] reference length per person (pixels), e.g. ``lsp_torso_size(gt)``.
        alpha: threshold as a fraction of ``norm``.
    """
    pred = np.asarray(pred, dtype=np.float64)[..., :2]
    gt = np.asarray(gt, dtype=np.float64)
    norm = np.asarray(norm, dtype=np.float64)
    if pred.shape[:2] != gt.shape[:2]:
        raise ValueError(f"pred {pred.shape} and gt {gt.shape} disagree")
    labelled = (gt[..., 2] > 0) & (norm[:, None] > 0)
    dist = np.linalg.norm(pred - gt[..., :2], axis=-1)
    correct = labelled & (dist <= alpha * norm[:, None])
    counts = labelled.sum(0)
    per_joint = 100.0 * correct.sum(0) / np.maximum(counts, 1)
    mean = 100.0 * correct.sum() / max(labelled.sum(), 1)
    return PCKResult(per_joint=per_joint, mean=float(mean), counts=counts, correct=correct, labelled=labelled)
