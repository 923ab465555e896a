"""The one result type every PoseViz model returns."""
from __future__ import annotations

from dataclasses import dataclass, field

import torch

__all__ = ["PoseOutput", "DenseOutput"]


@dataclass(frozen=True)
class DenseOutput:
    """A DensePose-style chart prediction (detectron2's layout, one U/V map per part).

    Attributes:
        part_logits: [B, P, H, W] scores of the part index I (channel 0 = background).
        u, v: [B, P - 1, H, W] chart coordinates in 0..1 for every body part; at a pixel
            the chart of its argmax part is the one that counts.
    """

    part_logits: torch.Tensor
    u: torch.Tensor
    v: torch.Tensor

    def uv_at(self, index: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """U and V [B, H, W] read from each pixel's chart of part ``index`` [B, H, W] (0 = background reads
        part 1's chart; callers mask it)."""
        sel = (index - 1).clamp(min=0)[:, None]
        return self.u.gather(1, sel)[:, 0], self.v.gather(1, sel)[:, 0]

    def charts(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(I [B, H, W] long, U [B, H, W], V [B, H, W]) with U = V = 0 on background."""
        index = self.part_logits.argmax(1)
        u, v = self.uv_at(index)
        return index, u * (index > 0), v * (index > 0)


@dataclass(frozen=True)
class PoseOutput:
    """What a pose network computed, stage by stage.

    Attributes:
        stages: belief maps of every stage, each [B, K, H, W]; the last is the prediction.
        stage_names: a label per stage ("stack 1", "stage 3", "output").
        features: named intermediate feature maps [B, C, h, w].
        attention: non-local attention [B, N, N] (rows = queries, each sums to 1), or None.
        attention_hw: (h, w) of the grid the attention's N positions lie on, or None.
        pafs: part affinity fields of every stage, each [B, 2L, H, W] (channels 2l, 2l+1 =
            x and y of limb l), for OpenPose-style models; else None.
        dense: the DensePose-style chart head's output, or None.
    """

    stages: list[torch.Tensor]
    stage_names: list[str]
    features: dict[str, torch.Tensor] = field(default_factory=dict)
    attention: torch.Tensor | None = None
    attention_hw: tuple[int, int] | None = None
    pafs: list[torch.Tensor] | None = None
    dense: DenseOutput | None = None

    def __post_init__(self) -> None:
        # A network run in channels-last memory (poseviz.models.fast_inference) returns NHWC-strided
        # tensors; decoders reshape with .view, so keep the standard layout (a no-op otherwise).
        object.__setattr__(self, "stages", [t.contiguous() for t in self.stages])
        object.__setattr__(self, "features", {k: t.contiguous() for k, t in self.features.items()})
        if self.pafs is not None:
            object.__setattr__(self, "pafs", [t.contiguous() for t in self.pafs])
        if self.dense is not None:
            d = self.dense
            object.__setattr__(self, "dense", DenseOutput(d.part_logits.contiguous(), d.u.contiguous(), d.v.contiguous()))

    @property
    def heatmaps(self) -> torch.Tensor:
        """The final belief maps [B, K, H, W]."""
        return self.stages[-1]

    @property
    def num_stages(self) -> int:
        return len(self.stages)
