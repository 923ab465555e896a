"""The training optimizer must not erase a gated block that starts closed (the non-local block)."""
import pytest
import torch

from poseviz.models import NonLocalBlock
from poseviz.training.loop import make_optimizer


def _train_with_gate_closed(kind: str, steps: int = 1000) -> tuple[torch.Tensor, torch.Tensor]:
    torch.manual_seed(0)
    block = NonLocalBlock(8)
    block.W_z[1].weight.requires_grad_(False)  # the gate stays at zero: θ, φ, g get no loss gradient
    before = block.theta.weight.detach().clone()
    opt = make_optimizer(block, kind, lr=1e-3, weight_decay=1e-4)
    x, target = torch.randn(2, 8, 4, 4), torch.randn(2, 8, 4, 4)
    for _ in range(steps):
        loss = (block(x)[0] - target).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        assert block.theta.weight.grad.abs().max() == 0
        opt.step()
    return before, block.theta.weight.detach()


def test_default_optimizer_keeps_the_weights_behind_a_closed_gate():
    before, after = _train_with_gate_closed("adamw")
    # decoupled decay: a factor (1 − lr·wd) per step, 1e-4 over the 1000 steps (float32 rounding aside)
    torch.testing.assert_close(after, before, rtol=2e-4, atol=0)


def test_adam_with_l2_decay_erases_them():
    """The failure AdamW avoids: the L2 term alone, RMS-normalised, walks every weight to zero."""
    before, after = _train_with_gate_closed("adam")
    assert before.abs().max() < 0.36  # torch initialises a 1×1 conv over 8 channels with |w| ≤ 1/√8
    assert after.abs().max() < 0.02 * before.abs().max()


def test_unknown_optimizer_is_refused():
    with pytest.raises(ValueError, match="unknown optimizer 'sgd'"):
        make_optimizer(NonLocalBlock(4), "sgd", 1e-3, 0.0)
