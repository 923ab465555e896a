"""An ensemble of trained pose networks, each seeing the crop at several scales: the accuracy-first model.

Test-time averaging of belief maps over models and input scales is the oldest trick of the pose
benchmarks (Newell et al. 2016 and Sun et al. 2019 report multi-scale and flip testing; ensembles
lead most leaderboards). It buys accuracy with time, which is why it is a separate, clearly labelled
model rather than a default.

Each member sees every *view* of the crop: scale 1 is the crop as given, 0.85 its central 85 %
enlarged to the input size, 1.2 the crop shrunk inside a black margin (what a crop 1.2× larger
around the same centre would show, without the real image content around it). Each view's final
belief maps are mapped back onto the crop's grid and averaged. The stages of the output are each
member's averaged maps, then their mean (the prediction), so the explorer shows where the members
disagree.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from poseviz.core.preprocess import MEAN, STD
from poseviz.models.output import PoseOutput

__all__ = ["EnsembleConfig", "Ensemble", "MEAN_STAGE"]

MEAN_STAGE = "ensemble mean"


@dataclass(frozen=True)
class EnsembleConfig:
    """What the ensemble averages (``members`` by name, ``scales``) and what it shares with them."""

    members: tuple[str, ...]
    scales: tuple[float, ...]
    schema: str
    input_size: tuple[int, int]
    num_joints: int


def _zoom(x: torch.Tensor, factor: float, size: tuple[int, int], padding: str = "zeros") -> torch.Tensor:
    """Resample ``x`` [B, C, H, W] onto a ``size`` (h, w) grid covering ``factor`` × its extent around
    its centre (``padding``: "zeros" or "border" values outside). Pixel centres follow ``align_corners=False``,
    the convention of ``poseviz.core.heatmaps.heatmap_to_input``, so a point keeps its place under any factor."""
    if factor == 1.0 and tuple(x.shape[-2:]) == tuple(size):
        return x
    b, c = x.shape[:2]
    theta = torch.tensor([[factor, 0.0, 0.0], [0.0, factor, 0.0]], dtype=x.dtype, device=x.device).expand(b, 2, 3)
    grid = F.affine_grid(theta, [b, c, *size], align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode=padding, align_corners=False)


class Ensemble(nn.Module):
    """Belief maps averaged over ``members`` (trained networks of one schema and input size) and over
    views of the crop at ``scales`` (see the module docstring). Returns a ``PoseOutput`` whose stages
    are each member's averaged final maps and then their mean, all on a grid of a quarter of the input
    size (the members' usual stride)."""

    heads: frozenset[str] = frozenset()
    stride = 4  # input pixels per belief-map cell

    def __init__(self, members: Mapping[str, nn.Module], scales: Sequence[float] = (1.0,)):
        super().__init__()
        if not members:
            raise ValueError("an ensemble needs at least one member")
        scales = tuple(float(s) for s in scales)
        if not scales or not all(math.isfinite(s) and s > 0 for s in scales):
            raise ValueError(f"ensemble scales must be positive numbers, got {scales}")
        configs = {name: (m.config.schema, tuple(m.config.input_size), m.config.num_joints) for name, m in members.items()}
        first = next(iter(configs.values()))
        odd = [n for n, c in configs.items() if c != first]
        if odd:
            raise ValueError(f"ensemble members must share schema, input size and joints; {odd[0]} has {configs[odd[0]]}, "
                             f"{next(iter(configs))} has {first}")
        self.names = tuple(members)
        self.members = nn.ModuleList(members.values())
        self.config = EnsembleConfig(self.names, scales, *first)
        black = torch.from_numpy(((0.0 - MEAN) / STD).astype(np.float32)).view(1, 3, 1, 1)
        self.register_buffer("black", black, persistent=False)  # a black pixel after normalisation

    def forward(self, x: torch.Tensor) -> PoseOutput:
        b, _, h, w = x.shape
        size = (h // self.stride, w // self.stride)
        scales = self.config.scales
        # Every view in one batch: one call per member.
        views = torch.cat([_zoom(x - self.black, s, (h, w)) + self.black for s in scales])
        stages = []
        for member in self.members:
            maps = member(views).stages[-1]
            # Beyond a zoomed-in view's edge its maps continue as at the edge (as a resize would).
            back = [_zoom(maps[i * b:(i + 1) * b], 1.0 / s, size, "border") for i, s in enumerate(scales)]
            stages.append(torch.stack(back).mean(0))
        stages.append(torch.stack(stages).mean(0))
        return PoseOutput(stages=stages, stage_names=[*self.names, MEAN_STAGE])
