"""Every person of a photo, top-down: the detector's people, each cropped as the models were trained and predicted.

The default person (the detector's most prominent, ``person_boxes.default_person``) comes first.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from torch import nn

from poseviz.inference.person_boxes import PersonCandidate, default_person, person_candidates
from poseviz.inference.refine import DEFAULT_REFINE_PASSES, refined_prediction
from poseviz.inference.top_down import Prediction, predict_person

__all__ = ["PersonResult", "predict_everyone"]


@dataclass(frozen=True)
class PersonResult:
    """One detected person: its candidate (box, detector score), the prediction, and whether it is the default."""

    candidate: PersonCandidate
    prediction: Prediction
    default: bool


def predict_everyone(model: nn.Module, rgb: np.ndarray, flip: bool = False, refine: int = DEFAULT_REFINE_PASSES,
                     candidates: list[PersonCandidate] | None = None) -> list[PersonResult]:
    """Top-down keypoints of every person found in ``rgb`` (RGB uint8), the default first; [] when nobody is found.
    ``refine``: re-crops around each person's confident joints (``poseviz.inference.refine``)."""
    cands = person_candidates(rgb) if candidates is None else candidates
    chosen = default_person(cands)
    order = ([chosen] if chosen is not None else []) + [i for i in range(len(cands)) if i != chosen]
    out = []
    for i in order:
        pred = predict_person(model, rgb, cands[i].crop_box, flip=flip)
        if refine:
            pred = refined_prediction(model, rgb, pred, refine, flip)
        out.append(PersonResult(cands[i], pred, i == chosen))
    return out
