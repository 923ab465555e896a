"""The one result type every PoseViz model returns."""
from __future__ import annotations

from dataclasses import dataclass, field

import torch

__all__ = ["PoseOutput"]


@dataclass(frozen=True)
class PoseOutput:
    """What a pose network computed, stage by stage.

    Attributes:
        stages: belief maps of every stage, each [B, K, H, W]; the last is the prediction.
        stage_names: a label per stage ("stack 1", "stage 3", "output").
        features: named intermediate feature maps [B, C, h, w].
        attention: non-local attention [B, N, N] (rows = queries, each sums to 1), or None.
        attention_hw: (h, w) of the grid the attention's N positions lie on, or None.
    """

    stages: list[torch.Tensor]
    stage_names: list[str]
    features: dict[str, torch.Tensor] = field(default_factory=dict)
    attention: torch.Tensor | None = None
    attention_hw: tuple[int, int] | None = None

    @property
    def heatmaps(self) -> torch.Tensor:
        """The final belief maps [B, K, H, W]."""
        return self.stages[-1]

    @property
    def num_stages(self) -> int:
        return len(self.stages)
