"""HRNet for pose (Sun, Xiao, Liu & Wang, CVPR 2019), https://arxiv.org/abs/1902.09212.

Module and parameter names follow the official repository
(leoxiaobin/deep-high-resolution-net.pytorch, ``lib/models/pose_hrnet.py``) so its
COCO checkpoints load unchanged: a stride-4 stem, ``layer1`` bottlenecks, transitions
that add one lower-resolution branch each, stages of basic-block branches with repeated
multi-resolution fusion (up: 1×1 conv + BN + nearest upsampling; down: strided 3×3
convs), and a 1×1 ``final_layer`` on the highest-resolution branch. Unlike the official
forward, every branch of every stage is returned as a named feature map.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from poseviz.models.nonlocal_block import NonLocalBlock
from poseviz.models.output import PoseOutput
from poseviz.models.registry import register_model

__all__ = ["HRNetConfig", "HRNet"]

BN_MOMENTUM = 0.1


@dataclass(frozen=True)
class HRNetConfig:
    """HRNet hyper-parameters. ``stages`` lists (num_modules, num_blocks) for stages 2-4.

    Defaults are the published W32 COCO 256×192 config. ``nonlocal_at`` = (stage,
    branch) inserts a non-local block on that branch's output of that stage (e.g. (4, 3)).
    """

    width: int = 32
    num_joints: int = 17
    stages: tuple[tuple[int, int], ...] = ((1, 4), (4, 4), (3, 4))
    layer1_blocks: int = 4
    input_size: tuple[int, int] = (192, 256)  # (W, H)
    schema: str = "coco17"
    nonlocal_at: tuple[int, int] | None = None


class BasicBlock(nn.Module):
    """Two 3×3 conv-BN layers with an identity shortcut (the blocks of HRNet's branches)."""

    expansion = 1
    conv_bn_pairs = (("conv1", "bn1"), ("conv2", "bn2"))

    def __init__(self, inplanes: int, planes: int):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes, momentum=BN_MOMENTUM)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes, momentum=BN_MOMENTUM)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + x)


class Bottleneck(nn.Module):
    """1×1 → 3×3 → 1×1 bottleneck with 4× expansion (HRNet's layer1)."""

    expansion = 4
    conv_bn_pairs = (("conv1", "bn1"), ("conv2", "bn2"), ("conv3", "bn3"))

    def __init__(self, inplanes: int, planes: int, downsample: nn.Module | None = None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes, momentum=BN_MOMENTUM)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes, momentum=BN_MOMENTUM)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4, momentum=BN_MOMENTUM)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        residual = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + residual)


def _conv_bn(cin: int, cout: int, k: int, stride: int, relu: bool) -> nn.Sequential:
    layers: list[nn.Module] = [
        nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2, bias=False),
        nn.BatchNorm2d(cout, momentum=BN_MOMENTUM),
    ]
    if relu:
        layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


class HighResolutionModule(nn.Module):
    """Parallel branches of basic blocks followed by all-to-all multi-resolution fusion."""

    def __init__(self, channels: list[int], num_blocks: int, multi_scale_output: bool = True):
        super().__init__()
        self.num_branches = len(channels)
        self.multi_scale_output = multi_scale_output
        self.branches = nn.ModuleList(
            [nn.Sequential(*[BasicBlock(c, c) for _ in range(num_blocks)]) for c in channels]
        )
        self.fuse_layers = self._make_fuse_layers(channels) if self.num_branches > 1 else None
        self.relu = nn.ReLU(inplace=True)

    def _make_fuse_layers(self, ch: list[int]) -> nn.ModuleList:
        n_out = self.num_branches if self.multi_scale_output else 1
        fuse = []
        for i in range(n_out):
            row: list[nn.Module | None] = []
            for j in range(self.num_branches):
                if j > i:
                    row.append(
                        nn.Sequential(
                            nn.Conv2d(ch[j], ch[i], 1, bias=False),
                            nn.BatchNorm2d(ch[i], momentum=BN_MOMENTUM),
                            nn.Upsample(scale_factor=2 ** (j - i), mode="nearest"),
                        )
                    )
                elif j == i:
                    row.append(None)
                else:
                    steps = [
                        _conv_bn(ch[j], ch[i] if k == i - j - 1 else ch[j], 3, 2, relu=k != i - j - 1)
                        for k in range(i - j)
                    ]
                    row.append(nn.Sequential(*steps))
            fuse.append(nn.ModuleList(row))
        return nn.ModuleList(fuse)

    def forward(self, xs: list[torch.Tensor]) -> list[torch.Tensor]:
        xs = [branch(x) for branch, x in zip(self.branches, xs)]
        if self.fuse_layers is None:
            return xs
        out = []
        for i, row in enumerate(self.fuse_layers):
            y = xs[i]
            for j, layer in enumerate(row):
                if j != i:
                    z = layer(xs[j])
                    if z.shape[-2:] != y.shape[-2:]:  # odd sizes: crop the upsampled map
                        z = z[..., : y.shape[-2], : y.shape[-1]]
                    y = y + z
            out.append(self.relu(y))
        return out


class HRNet(nn.Module):
    """Pose HRNet; returns the heatmap plus every stage's branches (and attention if any)."""

    conv_bn_pairs = (("conv1", "bn1"), ("conv2", "bn2"))

    @property
    def heads(self) -> frozenset[str]:
        """Extra outputs (poseviz.models.protocol): the non-local block's attention, when there is one."""
        return frozenset({"attention"}) if self.nonlocal_block is not None else frozenset()

    def __init__(self, config: HRNetConfig = HRNetConfig()):
        super().__init__()
        self.config = config
        c = config
        self.conv1 = nn.Conv2d(3, 64, 3, stride=2, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(64, momentum=BN_MOMENTUM)
        self.conv2 = nn.Conv2d(64, 64, 3, stride=2, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(64, momentum=BN_MOMENTUM)
        self.relu = nn.ReLU(inplace=True)
        down = nn.Sequential(nn.Conv2d(64, 256, 1, bias=False), nn.BatchNorm2d(256, momentum=BN_MOMENTUM))
        self.layer1 = nn.Sequential(Bottleneck(64, 64, down), *[Bottleneck(256, 64) for _ in range(c.layer1_blocks - 1)])
        pre = [256]
        for s, (num_modules, num_blocks) in enumerate(c.stages, start=2):
            channels = [c.width * 2**b for b in range(s)]
            setattr(self, f"transition{s - 1}", self._make_transition(pre, channels))
            modules = [
                HighResolutionModule(channels, num_blocks, multi_scale_output=not (s == len(c.stages) + 1 and m == num_modules - 1))
                for m in range(num_modules)
            ]
            setattr(self, f"stage{s}", nn.Sequential(*modules))
            pre = channels
        self.final_layer = nn.Conv2d(c.width, c.num_joints, 1)
        self.nonlocal_block = None
        if c.nonlocal_at is not None:
            stage, branch = c.nonlocal_at
            last = len(c.stages) + 1
            if not (2 <= stage <= last and 0 <= branch < stage) or (stage == last and branch != 0):
                raise ValueError(f"nonlocal_at={c.nonlocal_at}: stage must be 2..{last} with branch < stage (branch 0 only in the last stage)")
            self.nonlocal_block = NonLocalBlock(c.width * 2**branch)

    @staticmethod
    def _make_transition(pre: list[int], cur: list[int]) -> nn.ModuleList:
        layers: list[nn.Module | None] = []
        for i, ch in enumerate(cur):
            if i < len(pre):
                layers.append(_conv_bn(pre[i], ch, 3, 1, relu=True) if pre[i] != ch else None)
            else:
                steps = [
                    _conv_bn(pre[-1], ch if j == i - len(pre) else pre[-1], 3, 2, relu=True)
                    for j in range(i + 1 - len(pre))
                ]
                layers.append(nn.Sequential(*steps))
        return nn.ModuleList(layers)

    @property
    def stride(self) -> int:
        return 4

    def forward(self, x: torch.Tensor) -> PoseOutput:
        """x: [B, 3, H, W] → heatmaps [B, K, H/4, W/4]; features "stageS_branchB" for every branch."""
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.relu(self.bn2(self.conv2(x)))
        x = self.layer1(x)
        features = {"layer1": x}
        xs = [x]
        attention, attention_hw = None, None
        for s in range(2, len(self.config.stages) + 2):
            transition = getattr(self, f"transition{s - 1}")
            n_pre = len(xs)
            inputs = []
            for i, t in enumerate(transition):
                src = xs[i] if i < n_pre else xs[-1]
                inputs.append(src if t is None else t(src))
            xs = getattr(self, f"stage{s}")(inputs)
            if self.nonlocal_block is not None and self.config.nonlocal_at[0] == s:
                b = self.config.nonlocal_at[1]
                xs[b], attention = self.nonlocal_block(xs[b])
                attention_hw = tuple(xs[b].shape[-2:])
            for b, feat in enumerate(xs):
                features[f"stage{s}_branch{b + 1}"] = feat
        heatmaps = self.final_layer(xs[0])
        return PoseOutput(stages=[heatmaps], stage_names=["output"], features=features, attention=attention, attention_hw=attention_hw)




@register_model
def hrnet(**kwargs) -> HRNet:
    """HRNet; keyword arguments override ``HRNetConfig`` fields (default W32)."""
    return HRNet(HRNetConfig(**kwargs))
