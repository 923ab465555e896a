"""Effective receptive fields of every stage, for trained and for freshly initialised weights."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from poseviz.core.preprocess import to_tensor
from poseviz.explain.receptive_field import ERFResult, effective_receptive_field, stage_receptive_fields
from poseviz.models import zoo

__all__ = ["StageERFs", "stage_erfs"]


@dataclass(frozen=True)
class StageERFs:
    """ERF of every stage for one joint, the theoretical RF sizes, and a comparison table."""

    trained: list[ERFResult]
    random: list[ERFResult]
    rf_sizes: list[float]
    stage_names: list[str]

    def table(self) -> list[dict]:
        """One row per stage: theoretical RF and the trained / random-init ERF radii, in input pixels."""
        return [
            {"stage": n, "theoretical RF (px)": s, "trained r50 (px)": round(t.r50, 1), "trained r90 (px)": round(t.r90, 1),
             "random-init r50 (px)": round(r.r50, 1), "random-init r90 (px)": round(r.r90, 1)}
            for n, s, t, r in zip(self.stage_names, self.rf_sizes, self.trained, self.random)
        ]


def stage_erfs(model: nn.Module, zoo_name: str, crop: np.ndarray, joint: int, seed: int = 0) -> StageERFs:
    """ERFs of every stage for ``joint`` on an RGB crop; each stage's unit is the trained model's stage peak.

    The random-initialisation twin is built with the same architecture and ``seed`` and
    probed at the same units, so the two differ only in what training did.
    """
    x = to_tensor(crop)
    with torch.no_grad():
        n_stages = model(x).num_stages
    trained = [effective_receptive_field(model, x, s, joint) for s in range(n_stages)]
    torch.manual_seed(seed)
    fresh = zoo.build(zoo_name).eval()
    random = [effective_receptive_field(fresh, x, s, joint, unit=t.unit) for s, t in enumerate(trained)]
    rfs = stage_receptive_fields(model)
    return StageERFs(trained, random, [r.rf.size for r in rfs], [r.name for r in rfs])
