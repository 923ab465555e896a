"""Inference-time speed-ups that leave a model's outputs unchanged (to float rounding).

* **BatchNorm folding.** In eval mode a BatchNorm after a convolution is an affine map per
  channel, so it can be folded into that convolution's weights and bias
  (``torch.nn.utils.fusion.fuse_conv_bn_eval``) and replaced by an identity. Pairs inside an
  ``nn.Sequential`` (conv directly followed by its BN) are found by position; pairs used in a
  block's ``forward`` (``self.bn1(self.conv1(x))``) are declared by the block's class in a
  ``conv_bn_pairs`` attribute, because only the block knows which BN reads which conv; a module that
  runs a graph of its own (``KerasGraph``) folds its pairs in its ``fold_batchnorm`` method.
  A pre-activation BN (BN → ReLU → conv, as in the hourglass's first BN of each block) reads
  the block input, not a convolution, and is left in place.
* **Channels-last memory.** oneDNN's convolutions are faster on NHWC tensors; converting the
  weights makes every activation NHWC from the first convolution on.

The result is a copy: the model passed in (with its BatchNorms, which pages such as the
non-local view inspect) is not touched.
"""
from __future__ import annotations

import copy

import torch
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

__all__ = ["fold_batchnorm", "for_inference", "count_batchnorms"]


def _fold_sequential(seq: nn.Sequential) -> int:
    names = list(seq._modules)
    folded = 0
    for a, b in zip(names, names[1:]):
        conv, bn = seq._modules[a], seq._modules[b]
        if isinstance(conv, nn.Conv2d) and isinstance(bn, nn.BatchNorm2d):
            seq._modules[a] = fuse_conv_bn_eval(conv, bn)
            seq._modules[b] = nn.Identity()
            folded += 1
    return folded


def _fold_declared(module: nn.Module) -> int:
    folded = 0
    for conv_name, bn_name in getattr(type(module), "conv_bn_pairs", ()):
        conv, bn = getattr(module, conv_name), getattr(module, bn_name)
        if not (isinstance(conv, nn.Conv2d) and isinstance(bn, nn.BatchNorm2d)):
            continue  # already folded (the BN is an Identity now)
        setattr(module, conv_name, fuse_conv_bn_eval(conv, bn))
        setattr(module, bn_name, nn.Identity())
        folded += 1
    return folded


def fold_batchnorm(model: nn.Module) -> tuple[nn.Module, int]:
    """Copy of ``model`` in eval mode with every conv → BN pair folded; returns (copy, pairs folded)."""
    model = copy.deepcopy(model).eval()
    folded = 0
    for module in list(model.modules()):
        if isinstance(module, nn.Sequential):
            folded += _fold_sequential(module)
        folded += _fold_declared(module)
        if callable(getattr(module, "fold_batchnorm", None)):  # a module that knows its own graph (KerasGraph)
            folded += module.fold_batchnorm()
    return model, folded


def count_batchnorms(model: nn.Module) -> int:
    """Number of BatchNorm2d layers still in ``model``."""
    return sum(isinstance(m, nn.BatchNorm2d) for m in model.modules())


def for_inference(model: nn.Module) -> nn.Module:
    """A frozen, eval-mode copy with BatchNorm folded and channels-last weights, for fast prediction.

    Outputs match ``model``'s to float rounding (a test checks 1e-4 on trained weights).
    Use the original model for training, for gradients through parameters, or to read
    BatchNorm parameters.
    """
    fast, _ = fold_batchnorm(model)
    fast = fast.to(memory_format=torch.channels_last)
    for p in fast.parameters():
        p.requires_grad_(False)
    return fast
