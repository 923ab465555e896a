"""OpenPose-style multi-stage network (Cao, Simon, Wei & Sheikh, CVPR 2017), https://arxiv.org/abs/1611.08050.

A shared image trunk F feeds stage 1, whose two branches predict belief maps S¹ and part
affinity fields L¹ (one 2-channel unit-vector field per limb). Every later stage sees
[F, Sᵗ⁻¹, Lᵗ⁻¹] and refines both with larger kernels, as in CPM; every stage is
supervised. Bottom-up grouping of the maps into people lives in ``poseviz.core.paf``.

Compact by design: the paper's VGG-19 trunk and 7×7 stages are replaced by a small
BN-ReLU trunk and 5×5 stages so the model runs live on a laptop CPU; BatchNorm (absent in
the paper) lets it train from scratch on 1000 LSP images.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from poseviz.core.schemas import get_schema
from poseviz.models.output import PoseOutput
from poseviz.models.registry import register_model

__all__ = ["OpenPoseConfig", "OpenPose"]


@dataclass(frozen=True)
class OpenPoseConfig:
    """Hyper-parameters; limbs default to the schema's skeleton."""

    num_stages: int = 3
    num_joints: int = 14
    limbs: tuple[tuple[int, int], ...] | None = None
    trunk_channels: int = 64
    stage_channels: int = 32
    stage_kernel: int = 5
    input_size: tuple[int, int] = (128, 128)  # (W, H) of the training crops
    schema: str = "lsp14"


def _cbr(cin: int, cout: int, k: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, k // 2, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


def _branch(cin: int, mid: int, cout: int, k: int) -> nn.Sequential:
    return nn.Sequential(_cbr(cin, mid, k), _cbr(mid, mid, k), _cbr(mid, mid, k), _cbr(mid, 2 * mid, 1), nn.Conv2d(2 * mid, cout, 1))


class OpenPose(nn.Module):
    """Returns belief maps and PAFs of every stage (``PoseOutput.stages`` / ``.pafs``)."""

    heads: frozenset[str] = frozenset({"pafs"})  # poseviz.models.protocol

    def __init__(self, config: OpenPoseConfig = OpenPoseConfig()):
        super().__init__()
        self.config = config
        c = config
        self.limbs = tuple(c.limbs) if c.limbs is not None else tuple(get_schema(c.schema).skeleton)
        k, npaf = c.num_joints, 2 * len(self.limbs)
        t = c.trunk_channels
        self.trunk = nn.Sequential(
            _cbr(3, t // 2, 3, 2), _cbr(t // 2, t // 2, 3), nn.MaxPool2d(2), _cbr(t // 2, t, 3), _cbr(t, t, 3)
        )
        self.stage1_belief = _branch(t, c.stage_channels, k, 3)
        self.stage1_paf = _branch(t, c.stage_channels, npaf, 3)
        cin = t + k + npaf
        self.belief_stages = nn.ModuleList(_branch(cin, c.stage_channels, k, c.stage_kernel) for _ in range(c.num_stages - 1))
        self.paf_stages = nn.ModuleList(_branch(cin, c.stage_channels, npaf, c.stage_kernel) for _ in range(c.num_stages - 1))

    @property
    def stride(self) -> int:
        return 4

    def forward(self, x: torch.Tensor) -> PoseOutput:
        """x: [B, 3, H, W] (H, W multiples of 4) → beliefs [B, K, H/4, W/4] and PAFs [B, 2L, H/4, W/4] per stage."""
        f = self.trunk(x)
        s, paf = self.stage1_belief(f), self.stage1_paf(f)
        beliefs, pafs = [s], [paf]
        for bs, ps in zip(self.belief_stages, self.paf_stages):
            inp = torch.cat([f, s, paf], 1)
            s, paf = bs(inp), ps(inp)
            beliefs.append(s)
            pafs.append(paf)
        return PoseOutput(stages=beliefs, stage_names=[f"stage {i + 1}" for i in range(len(beliefs))],
                          features={"image_features": f}, pafs=pafs)


@register_model
def openpose(**kwargs) -> OpenPose:
    """OpenPose-style network; keyword arguments override ``OpenPoseConfig`` fields."""
    return OpenPose(OpenPoseConfig(**kwargs))
