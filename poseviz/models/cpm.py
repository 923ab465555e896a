"""Convolutional Pose Machines (Wei, Ramakrishna, Kanade & Sheikh, CVPR 2016), https://arxiv.org/abs/1602.00134.

Stage 1 maps the image to belief maps through a deep stack of large-kernel convolutions
and pooling. Every later stage t ≥ 2 sees the shared image features (one trunk, computed
once) concatenated with stage t-1's belief maps (and, optionally, a Gaussian centre map),
and refines them with large-kernel convolutions, so its receptive field grows stage by
stage. The paper's LSP model: 6 stages at 368×368, three 3×3/2 max-pools (stride 8),
9×9 convolutions in the image trunks and 11×11 in the stages.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from poseviz.models.output import PoseOutput
from poseviz.models.registry import register_model

__all__ = ["CPMConfig", "CPM"]


@dataclass(frozen=True)
class CPMConfig:
    """CPM hyper-parameters; defaults are the paper's 6-stage 368×368 model."""

    num_stages: int = 6
    num_joints: int = 14
    trunk_channels: int = 128
    feature_channels: int = 32  # conv4's width: the shared image features
    head_channels: int = 512  # stage 1's 1×1 layers
    stage_channels: int = 128
    trunk_kernel: int = 9
    stage_kernel: int = 11
    num_pools: int = 3
    center_map: bool = True
    # Not in the paper (it has no normalisation): conv-BN-ReLU lets a compact
    # CPM train from scratch on 1000 images; without it ours stalled at 37 % PCK.
    batch_norm: bool = False
    center_sigma: float = 21.0  # input pixels, as in the paper's code
    input_size: tuple[int, int] = (368, 368)  # (W, H)
    schema: str = "lsp14"


def _conv(cin: int, cout: int, k: int, relu: bool = True, bn: bool = False) -> nn.Sequential:
    layers: list[nn.Module] = [nn.Conv2d(cin, cout, k, padding=k // 2, bias=not (relu and bn))]
    if relu:
        if bn:
            layers.append(nn.BatchNorm2d(cout))
        layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


def _trunk(c: CPMConfig) -> nn.Sequential:
    """Image → features: (conv k×k, max-pool 3×3/2) × num_pools, then a 5×5 conv."""
    layers: list[nn.Module] = []
    cin = 3
    for _ in range(c.num_pools):
        layers += [_conv(cin, c.trunk_channels, c.trunk_kernel, bn=c.batch_norm), nn.MaxPool2d(3, stride=2, padding=1)]
        cin = c.trunk_channels
    layers.append(_conv(cin, c.feature_channels, 5, bn=c.batch_norm))
    return nn.Sequential(*layers)


class CPM(nn.Module):
    """Convolutional Pose Machine; returns the belief maps of every stage."""

    heads: frozenset[str] = frozenset()  # belief maps only (poseviz.models.protocol)

    def __init__(self, config: CPMConfig = CPMConfig()):
        super().__init__()
        self.config = config
        c = config
        k, bn = c.num_joints, c.batch_norm
        self.stage1 = nn.Sequential(
            _trunk(c),
            _conv(c.feature_channels, c.head_channels, c.trunk_kernel, bn=bn),
            _conv(c.head_channels, c.head_channels, 1, bn=bn),
            _conv(c.head_channels, k, 1, relu=False),
        )
        self.features = _trunk(c)
        cin = c.feature_channels + k + (1 if c.center_map else 0)
        self.stages = nn.ModuleList()
        for _ in range(c.num_stages - 1):
            self.stages.append(
                nn.Sequential(
                    _conv(cin, c.stage_channels, c.stage_kernel, bn=bn),
                    _conv(c.stage_channels, c.stage_channels, c.stage_kernel, bn=bn),
                    _conv(c.stage_channels, c.stage_channels, c.stage_kernel, bn=bn),
                    _conv(c.stage_channels, c.stage_channels, 1, bn=bn),
                    _conv(c.stage_channels, k, 1, relu=False),
                )
            )

    @property
    def stride(self) -> int:
        return 2**self.config.num_pools

    def center_map(self, x: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
        """Gaussian at the crop centre (the person is centred by the top-down crop), at heatmap size."""
        h, w = x.shape[-2:]
        ys = torch.arange(h, dtype=x.dtype, device=x.device) - (h - 1) / 2
        xs = torch.arange(w, dtype=x.dtype, device=x.device) - (w - 1) / 2
        g = torch.exp(-(ys[:, None] ** 2 + xs[None, :] ** 2) / (2 * self.config.center_sigma**2))
        g = F.adaptive_avg_pool2d(g[None, None], size)
        return g.expand(x.shape[0], 1, *size)

    def forward(self, x: torch.Tensor) -> PoseOutput:
        """x: [B, 3, H, W] → belief maps of every stage [B, K, H/stride, W/stride]."""
        belief = self.stage1(x)
        stages = [belief]
        feats = self.features(x)
        extra = [self.center_map(x, tuple(feats.shape[-2:]))] if self.config.center_map else []
        for stage in self.stages:
            belief = stage(torch.cat([feats, belief, *extra], dim=1))
            stages.append(belief)
        return PoseOutput(
            stages=stages,
            stage_names=[f"stage {i + 1}" for i in range(len(stages))],
            features={"image_features": feats},
        )


@register_model
def cpm(**kwargs) -> CPM:
    """Convolutional Pose Machine; keyword arguments override ``CPMConfig`` fields."""
    return CPM(CPMConfig(**kwargs))
