"""Non-local block, embedded-Gaussian form (Wang et al., CVPR 2018), https://arxiv.org/abs/1711.07971.

z = x + W_z( softmax(θ(x)ᵀ φ(x)) · g(x) ), with θ, φ, g 1×1 convolutions to half the
channels and a BatchNorm after W_z whose weight and bias start at zero, so the block
begins as the identity and a pretrained network is undisturbed when it is inserted.
"""
from __future__ import annotations

import torch
from torch import nn

__all__ = ["NonLocalBlock"]


class NonLocalBlock(nn.Module):
    """Embedded-Gaussian non-local block that returns its attention matrix.

    Args:
        channels: C of the input [B, C, H, W].
        inter_channels: width of θ/φ/g (default C // 2, as in the paper).
        subsample: max-pool φ and g by 2 (the paper's cheaper variant); off by default
            so every query attends to every position of the same grid.
    """

    def __init__(self, channels: int, inter_channels: int | None = None, subsample: bool = False):
        super().__init__()
        self.inter_channels = inter_channels or max(channels // 2, 1)
        self.theta = nn.Conv2d(channels, self.inter_channels, 1)
        self.phi = nn.Conv2d(channels, self.inter_channels, 1)
        self.g = nn.Conv2d(channels, self.inter_channels, 1)
        self.W_z = nn.Sequential(nn.Conv2d(self.inter_channels, channels, 1), nn.BatchNorm2d(channels))
        nn.init.zeros_(self.W_z[1].weight)
        nn.init.zeros_(self.W_z[1].bias)
        self.pool = nn.MaxPool2d(2) if subsample else nn.Identity()

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x [B, C, H, W] → (z [B, C, H, W], attention [B, H·W, N]; rows sum to 1)."""
        b, _, h, w = x.shape
        theta = self.theta(x).flatten(2).transpose(1, 2)  # [B, HW, C']
        phi = self.pool(self.phi(x)).flatten(2)  # [B, C', N]
        g = self.pool(self.g(x)).flatten(2).transpose(1, 2)  # [B, N, C']
        attention = torch.softmax(theta @ phi, dim=-1)
        y = (attention @ g).transpose(1, 2).reshape(b, self.inter_channels, h, w)
        return x + self.W_z(y), attention
