"""Validation during training: scores on the people carved from the training sources.

LSP Extended people are scored with PCK@0.2 (torso), MPII people with PCKh@0.5 (head size,
see ``poseviz.metrics.pck.lsp_head_size``); the selection score is their mean. The LSP test
split is never used here.
"""
from __future__ import annotations

import numpy as np
from torch import nn

from poseviz.data.poseset import PoseSet
from poseviz.metrics.evaluation import evaluate_lsp

__all__ = ["VALIDATION_METRICS", "VALIDATION_COLUMNS", "validate"]

# source → (log column, reference length, α)
VALIDATION_METRICS = {"lspet": ("val_lspet_pck", "torso", 0.2), "mpii": ("val_mpii_pckh", "head", 0.5)}
VALIDATION_COLUMNS = tuple(c for c, _, _ in VALIDATION_METRICS.values())


def validate(model: nn.Module, people: dict[str, PoseSet], images: dict[str, list[np.ndarray]],
             boxes: dict[str, np.ndarray] | None = None, refine: int = 0) -> dict[str, float]:
    """{column: %} for each validation source present, and "score" = their mean (no flip test).

    ``boxes``: per source, the detector's box of each person ([N, 4], NaN: not found, the whole image is cropped),
    cropped as the app crops a detection, with ``refine`` passes; None: the joints' box, as in training."""
    from poseviz.inference.yolox import BOX_ENLARGE

    scores = {}
    for name, subset in people.items():
        column, reference, alpha = VALIDATION_METRICS[name]
        ev = evaluate_lsp(model, subset, np.arange(len(subset)), alpha=alpha, images=images[name],
                          progress=False, reference=reference, boxes=None if boxes is None else boxes[name],
                          box_enlarge=BOX_ENLARGE, refine=refine)
        scores[column] = ev.pck.mean
    scores["score"] = float(np.mean(list(scores.values()))) if scores else float("nan")
    return scores
