"""A DensePose-style chart head on HRNet (after Güler, Neverova & Kokkinos, CVPR 2018).

The head reads HRNet's highest-resolution branch, upsamples it ×2 and predicts, per
pixel, the part index I (background + ``num_parts`` parts) and U, V chart coordinates for
every part, as DensePose-RCNN's head does. The keypoint head of HRNet stays, so the model
is also a top-down keypoint model. Trained on skeleton-derived charts (``poseviz.core.dense``),
not DensePose-COCO surfaces.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from poseviz.models.hrnet import HRNet, HRNetConfig
from poseviz.models.output import DenseOutput, PoseOutput
from poseviz.models.registry import register_model

__all__ = ["DenseHRNet"]


class DenseHRNet(HRNet):
    """HRNet + chart head; ``forward`` fills ``PoseOutput.dense`` (charts at stride 2)."""

    def __init__(self, config: HRNetConfig = HRNetConfig(), num_parts: int = 10, head_channels: int = 48):
        super().__init__(config)
        self.num_parts = num_parts
        c = config.width
        self.dense_head = nn.Sequential(
            nn.Conv2d(c, head_channels, 3, padding=1, bias=False), nn.BatchNorm2d(head_channels), nn.ReLU(inplace=True),
            nn.Conv2d(head_channels, head_channels, 3, padding=1, bias=False), nn.BatchNorm2d(head_channels), nn.ReLU(inplace=True),
        )
        self.part_logits = nn.Conv2d(head_channels, num_parts + 1, 1)
        self.u = nn.Conv2d(head_channels, num_parts, 1)
        self.v = nn.Conv2d(head_channels, num_parts, 1)

    @property
    def heads(self) -> frozenset[str]:
        return super().heads | {"charts"}

    @property
    def dense_stride(self) -> int:
        return 2

    def forward(self, x: torch.Tensor) -> PoseOutput:
        """x: [B, 3, H, W] → heatmaps at H/4 and charts (I logits, U, V) at H/2."""
        out = super().forward(x)
        top = out.features[f"stage{len(self.config.stages) + 1}_branch1"]
        h = self.dense_head(F.interpolate(top, scale_factor=2, mode="bilinear", align_corners=False))
        dense = DenseOutput(self.part_logits(h), torch.sigmoid(self.u(h)), torch.sigmoid(self.v(h)))
        return PoseOutput(stages=out.stages, stage_names=out.stage_names, features={**out.features, "dense_head": h},
                          attention=out.attention, attention_hw=out.attention_hw, dense=dense)


@register_model
def hrnet_dense(num_parts: int = 10, head_channels: int = 48, **kwargs) -> DenseHRNet:
    """HRNet with a DensePose-style chart head; other keyword arguments are ``HRNetConfig`` fields."""
    return DenseHRNet(HRNetConfig(**kwargs), num_parts=num_parts, head_channels=head_channels)
