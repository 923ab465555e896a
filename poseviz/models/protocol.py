"""What every PoseViz network offers, so callers ask a model what it predicts instead of probing attributes.

A ``PoseModel`` is an ``nn.Module`` with a ``config`` (``schema``, ``input_size``) whose forward pass returns
a ``PoseOutput`` with every stage's belief maps, and a ``heads`` set naming what else it predicts:
``"pafs"`` (OpenPose-style part affinity fields, with ``limbs``), ``"charts"`` (DensePose-style I/U/V) and
``"attention"`` (a non-local block's attention) and ``"skeleton_pafs"`` (part affinity fields of one person's
skeleton that later passes read, EfficientPose's pass 1: returned in ``PoseOutput.pafs`` and shown, never grouped).
"""
from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import torch

from poseviz.models.output import PoseOutput

__all__ = ["PoseModel", "HEADS", "heads", "predicts_pafs", "predicts_charts", "predicts_attention"]

HEADS = ("pafs", "charts", "attention", "skeleton_pafs")


@runtime_checkable
class PoseModel(Protocol):
    config: Any
    heads: frozenset[str]

    def __call__(self, x: torch.Tensor) -> PoseOutput: ...


def heads(model: Any) -> frozenset[str]:
    """The extra outputs ``model`` predicts besides belief maps (empty for a plain top-down network)."""
    return frozenset(getattr(model, "heads", frozenset()))


def predicts_pafs(model: Any) -> bool:
    """Whether ``model`` predicts part affinity fields (and can group people bottom-up)."""
    return "pafs" in heads(model)


def predicts_charts(model: Any) -> bool:
    """Whether ``model`` predicts DensePose-style charts."""
    return "charts" in heads(model)


def predicts_attention(model: Any) -> bool:
    """Whether ``model`` has a non-local block whose attention it returns."""
    return "attention" in heads(model)
