"""Stacked Hourglass Networks (Newell, Yang & Deng, ECCV 2016), https://arxiv.org/abs/1603.06937.

Parameter names follow bearpaw/pytorch-pose (``pose/models/hourglass.py``) so its
public MPII checkpoints load unchanged: pre-activation bottlenecks with expansion 2,
recursive 4-level hourglasses (``hg[n-1]`` is level n, the innermost level carries an
extra residual), per-stack heads (``fc`` = conv-BN-ReLU, ``score``) and the remap of
predictions back into the feature stream (``fc_``, ``score_``).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from poseviz.models.output import PoseOutput
from poseviz.models.registry import register_model

__all__ = ["HourglassConfig", "StackedHourglass", "Bottleneck"]


@dataclass(frozen=True)
class HourglassConfig:
    """Stacked hourglass hyper-parameters (paper: 8 stacks, 256 features, 256×256 input)."""

    num_stacks: int = 8
    num_blocks: int = 1
    num_joints: int = 16
    num_feats: int = 128  # bottleneck width; stream width is 2 × num_feats
    stem_planes: int = 64
    depth: int = 4
    input_size: tuple[int, int] = (256, 256)  # (W, H)
    schema: str = "mpii16"


class Bottleneck(nn.Module):
    """Pre-activation residual bottleneck (BN-ReLU-conv ×3), expansion 2."""

    expansion = 2
    # bn1 is pre-activation (it reads the block input), so only bn2, bn3 can fold.
    conv_bn_pairs = (("conv1", "bn2"), ("conv2", "bn3"))

    def __init__(self, inplanes: int, planes: int, stride: int = 1, downsample: nn.Module | None = None):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(inplanes)
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=True)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=stride, padding=1, bias=True)
        self.bn3 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 2, 1, bias=True)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        residual = x if self.downsample is None else self.downsample(x)
        out = self.conv1(self.relu(self.bn1(x)))
        out = self.conv2(self.relu(self.bn2(out)))
        out = self.conv3(self.relu(self.bn3(out)))
        return out + residual


def _make_residual(inplanes: int, planes: int, blocks: int, stride: int = 1) -> nn.Sequential:
    downsample = None
    if stride != 1 or inplanes != planes * Bottleneck.expansion:
        downsample = nn.Sequential(nn.Conv2d(inplanes, planes * Bottleneck.expansion, 1, stride=stride, bias=True))
    layers = [Bottleneck(inplanes, planes, stride, downsample)]
    layers += [Bottleneck(planes * Bottleneck.expansion, planes) for _ in range(1, blocks)]
    return nn.Sequential(*layers)


class Hourglass(nn.Module):
    """One hourglass: recursive max-pool → residuals → nearest upsample, with skip branches."""

    def __init__(self, num_blocks: int, planes: int, depth: int):
        super().__init__()
        self.depth = depth
        ch = planes * Bottleneck.expansion
        levels = []
        for i in range(depth):
            n_res = 4 if i == 0 else 3
            levels.append(nn.ModuleList([_make_residual(ch, planes, num_blocks) for _ in range(n_res)]))
        self.hg = nn.ModuleList(levels)

    def _forward(self, n: int, x: torch.Tensor) -> torch.Tensor:
        level = self.hg[n - 1]
        up1 = level[0](x)
        low1 = level[1](F.max_pool2d(x, 2, stride=2))
        low2 = self._forward(n - 1, low1) if n > 1 else level[3](low1)
        low3 = level[2](low2)
        return up1 + F.interpolate(low3, size=up1.shape[-2:], mode="nearest")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._forward(self.depth, x)


class StackedHourglass(nn.Module):
    """Stacked hourglass with intermediate supervision; every stack's belief maps are returned."""

    conv_bn_pairs = (("conv1", "bn1"),)

    heads: frozenset[str] = frozenset()  # belief maps only (poseviz.models.protocol)

    def __init__(self, config: HourglassConfig = HourglassConfig()):
        super().__init__()
        self.config = config
        c = config
        self.num_stacks = c.num_stacks
        ch = c.num_feats * Bottleneck.expansion
        self.conv1 = nn.Conv2d(3, c.stem_planes, 7, stride=2, padding=3, bias=True)
        self.bn1 = nn.BatchNorm2d(c.stem_planes)
        self.relu = nn.ReLU(inplace=True)
        self.layer1 = _make_residual(c.stem_planes, c.stem_planes, 1)
        self.layer2 = _make_residual(c.stem_planes * 2, c.num_feats, 1)
        self.layer3 = _make_residual(ch, c.num_feats, 1)
        self.maxpool = nn.MaxPool2d(2, stride=2)
        self.hg = nn.ModuleList([Hourglass(c.num_blocks, c.num_feats, c.depth) for _ in range(c.num_stacks)])
        self.res = nn.ModuleList([_make_residual(ch, c.num_feats, c.num_blocks) for _ in range(c.num_stacks)])
        # conv-BN-ReLU before each head keeps the stacked sums normalised.
        self.fc = nn.ModuleList(
            [nn.Sequential(nn.Conv2d(ch, ch, 1, bias=True), nn.BatchNorm2d(ch), nn.ReLU(inplace=True)) for _ in range(c.num_stacks)]
        )
        self.score = nn.ModuleList([nn.Conv2d(ch, c.num_joints, 1, bias=True) for _ in range(c.num_stacks)])
        self.fc_ = nn.ModuleList([nn.Conv2d(ch, ch, 1, bias=True) for _ in range(c.num_stacks - 1)])
        self.score_ = nn.ModuleList([nn.Conv2d(c.num_joints, ch, 1, bias=True) for _ in range(c.num_stacks - 1)])

    @property
    def stride(self) -> int:
        return 4

    def forward(self, x: torch.Tensor) -> PoseOutput:
        """x: [B, 3, H, W] normalised RGB → belief maps of every stack at H/4 × W/4."""
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer1(x)
        x = self.maxpool(x)
        x = self.layer2(x)
        x = self.layer3(x)
        features = {"stem": x}
        stages = []
        for i in range(self.num_stacks):
            y = self.hg[i](x)
            y = self.res[i](y)
            y = self.fc[i](y)
            features[f"stack{i + 1}"] = y
            score = self.score[i](y)
            stages.append(score)
            if i < self.num_stacks - 1:
                x = x + self.fc_[i](y) + self.score_[i](score)
        return PoseOutput(stages=stages, stage_names=[f"stack {i + 1}" for i in range(self.num_stacks)], features=features)


@register_model
def hourglass(**kwargs) -> StackedHourglass:
    """Stacked Hourglass; keyword arguments override ``HourglassConfig`` fields."""
    return StackedHourglass(HourglassConfig(**kwargs))
