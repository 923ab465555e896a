"""Function-preserving growth of trained networks (the "Net2DeeperNet" idea of Chen,
Goodfellow & Shlens, ICLR 2016, https://arxiv.org/abs/1511.05641).

A grown network computes exactly what the trained one did, so fine-tuning starts from
its accuracy rather than from scratch, which makes adding capacity to a zoo model
affordable on a CPU budget. Two growths, one warm start and one repair are provided:

- a Stacked Hourglass gains one stack: the new last stack is a copy of the old last
  one, and the remap convolutions that feed it (``fc_``, ``score_``) start at zero, so
  its input, and hence its belief maps, equal the old last stack's;
- an HRNet stage gains one module at its front whose residual blocks and fusion paths
  end in a zero-scaled BatchNorm: every block returns ReLU(x) = x (its inputs are
  post-ReLU) and every fusion adds zero, so the module is the identity;
- a CPM gains stages that are copies of its last one: not function-preserving (a copy
  refines beliefs that were already refined once), but every existing stage keeps its
  output, so the deeper model starts where the shallow one ended (the CPM ablation of
  accuracy vs receptive field trains 6 stages this way);
- a residual block of an HRNet or a Stacked Hourglass that training left dead (every
  convolution weight ≈ 0, so it adds a constant and no useful gradient reaches it again)
  is re-initialised with its last scaling layer at 0 (the HRNet block's last BatchNorm,
  the pre-activation hourglass block's last convolution) and the constant kept, so it
  still computes what it did but can learn once more.
"""
from __future__ import annotations

import copy
import dataclasses

import torch
from torch import nn

from poseviz.models.cpm import CPM
from poseviz.models.hourglass import Bottleneck as HourglassBottleneck
from poseviz.models.hourglass import HourglassConfig, StackedHourglass
from poseviz.models.hrnet import BasicBlock, Bottleneck, HighResolutionModule, HRNet

__all__ = ["add_cpm_stages", "add_hourglass_stack", "add_hrnet_module", "revive_dead_blocks", "REVIVABLE"]

# The networks whose residual blocks revive_dead_blocks knows how to re-initialise.
REVIVABLE = (HRNet, StackedHourglass)


def add_hourglass_stack(model: StackedHourglass) -> StackedHourglass:
    """A copy of ``model`` with one more stack whose output equals the old last stack's."""
    c: HourglassConfig = model.config
    grown = StackedHourglass(dataclasses.replace(c, num_stacks=c.num_stacks + 1))
    grown.load_state_dict(model.state_dict(), strict=False)
    last = c.num_stacks - 1
    for name in ("hg", "res", "fc", "score"):
        getattr(grown, name)[last + 1].load_state_dict(getattr(model, name)[last].state_dict())
    with torch.no_grad():
        for conv in (grown.fc_[last], grown.score_[last]):
            conv.weight.zero_()
            conv.bias.zero_()
    return grown


def add_cpm_stages(model: CPM, n: int) -> CPM:
    """A copy of ``model`` with ``n`` more stages, each a copy of its last refinement stage; stages 1..T keep
    their outputs. A 1-stage CPM cannot grow: stage 1 reads the image, not features and beliefs."""
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if not model.stages:
        raise ValueError("a 1-stage CPM has no refinement stage to copy")
    grown = CPM(dataclasses.replace(model.config, num_stages=model.config.num_stages + n))
    grown.load_state_dict(model.state_dict(), strict=False)
    last = model.stages[-1].state_dict()
    for stage in list(grown.stages)[len(model.stages):]:
        stage.load_state_dict(last)
    return grown


def _zero_bn(bn: nn.BatchNorm2d) -> None:
    with torch.no_grad():
        bn.weight.zero_()
        bn.bias.zero_()


def _identity_init(module: HighResolutionModule) -> None:
    for branch in module.branches:
        for block in branch:
            _zero_bn(block.bn2)
    for row in module.fuse_layers or []:
        for path in row:
            if path is None:
                continue
            # Up paths are conv-BN-upsample; down paths end in a conv-BN step.
            last_bn = [m for m in path.modules() if isinstance(m, nn.BatchNorm2d)][-1]
            _zero_bn(last_bn)


def add_hrnet_module(model: HRNet, stage: int) -> HRNet:
    """A copy of ``model`` (an HRNet or subclass) with an identity module first in ``stage`` (2-4).

    The added module is multi-scale, so the stage's last module (single-scale in the
    final stage) keeps its role.
    """
    c = model.config
    n_stages = len(c.stages)
    if not 2 <= stage <= n_stages + 1:
        raise ValueError(f"stage must be 2..{n_stages + 1}, got {stage}")
    if c.nonlocal_at is not None and c.nonlocal_at[0] == stage - 1:
        # The non-local block's output (x + W_z y) can be negative, so ReLU(x) = x fails.
        raise ValueError(f"cannot grow stage {stage}: it is fed by the non-local block at {c.nonlocal_at}, "
                         "whose output is not post-ReLU, so an added module would not start as the identity")
    stages = list(c.stages)
    num_modules, num_blocks = stages[stage - 2]
    stages[stage - 2] = (num_modules + 1, num_blocks)
    grown = copy.deepcopy(model)
    old = getattr(model, f"stage{stage}")
    channels = [c.width * 2**b for b in range(stage)]
    new = HighResolutionModule(channels, num_blocks, multi_scale_output=True)
    _identity_init(new)
    setattr(grown, f"stage{stage}", nn.Sequential(new, *copy.deepcopy(list(old))))
    grown.config = dataclasses.replace(c, stages=tuple(stages))
    return grown


def revive_dead_blocks(model: nn.Module, seed: int = 0, tol: float = 1e-6) -> list[str]:
    """Re-initialise, in place, the dead residual blocks of ``model``; returns their names.

    Dead: every convolution weight is below ``tol`` (Adam's L2 decay left such blocks
    behind), so the block adds only a constant and no useful gradient reaches it. The rest
    of the block is re-initialised and its last scaling layer set to 0 with that constant
    kept, so the model's eval output does not change but the block can learn again:

    - HRNet blocks end in BatchNorm: its scale goes to 0 and the eval-mode constant
      (shift − scale × running mean / running std) is folded into its shift;
    - hourglass blocks are pre-activation and end in a biased convolution: its weight stays
      0 and its bias (the constant) is kept. Its input is non-zero again, so it gets a gradient.

    Raises ``TypeError`` for a network with no blocks of these kinds (CPM, OpenPose).
    """
    if not isinstance(model, REVIVABLE):
        raise TypeError(f"only HRNet and Stacked Hourglass blocks can be revived, not {type(model).__name__}'s")
    # A private RNG stream: reproducible weights without reseeding the caller's generator.
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        revived = []
        for name, block in model.named_modules():
            if not isinstance(block, (BasicBlock, Bottleneck, HourglassBottleneck)):
                continue
            # The shortcut's projection is not part of the residual branch: left as it is.
            projection = getattr(block, "downsample", None)
            shortcut = set(projection.modules()) if projection is not None else set()
            branch = [m for m in block.modules() if m not in shortcut]
            convs = [m for m in branch if isinstance(m, nn.Conv2d)]
            if any(c.weight.detach().abs().max() >= tol for c in convs):
                continue
            if isinstance(block, HourglassBottleneck):
                keep = block.conv3
                with torch.no_grad():
                    keep.weight.zero_()
            else:
                keep = block.bn3 if isinstance(block, Bottleneck) else block.bn2
                with torch.no_grad():
                    std = (keep.running_var + keep.eps).sqrt()
                    keep.bias -= keep.weight * keep.running_mean / std
                    keep.weight.zero_()
            for m in branch:
                if m is not keep and isinstance(m, (nn.Conv2d, nn.BatchNorm2d)):
                    m.reset_parameters()
            revived.append(name)
    return revived
