"""The non-local block's effect on a model card: the gate, query dependence, and PCK with the block silenced."""
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from poseviz.data.lsp import LSPData
from poseviz.explain.nonlocal_effect import nonlocal_effect, silenced
from poseviz.models import create_model

TINY = dict(width=8, stages=((1, 1), (1, 1), (1, 1)), layer1_blocks=1, num_joints=14, input_size=(64, 64), schema="lsp14", nonlocal_at=(3, 1))


def _model() -> nn.Module:
    torch.manual_seed(0)
    model = create_model("hrnet", **TINY)
    with torch.no_grad():  # an open gate, as training leaves it (a fresh block starts at 0)
        model.nonlocal_block.W_z[1].weight.copy_(torch.linspace(-0.5, 0.25, model.nonlocal_block.W_z[1].num_features))
        model.nonlocal_block.W_z[1].bias.fill_(0.1)
    return model.eval()


def _people(n: int = 3) -> tuple[LSPData, list[np.ndarray]]:
    rng = np.random.default_rng(0)
    base = np.array([[30, 90], [32, 70], [34, 50], [46, 50], [48, 70], [50, 90], [25, 45], [28, 35], [32, 22],
                     [48, 22], [52, 35], [55, 45], [40, 18], [40, 8]], float)
    joints = np.stack([np.c_[base + rng.uniform(-3, 3, base.shape), np.full(14, 2.0)] for _ in range(n)])
    images = [rng.integers(0, 256, (110, 80, 3), dtype=np.uint8) for _ in range(n)]
    return LSPData(Path("/nonexistent"), joints), images


def test_gate_and_counts_are_the_models():
    data, images = _people()
    eff = nonlocal_effect(_model(), data, np.arange(3), images, attention_people=2)
    assert eff.output_gate == pytest.approx(0.5) and eff.query_dependence_people == 2
    assert 0 < eff.query_dependence <= np.log(2) and 0 < eff.entropy_share <= 1


def test_uniform_attention_has_no_query_dependence_and_full_entropy():
    model = _model()
    with torch.no_grad():  # θ = 0: every query's logits are equal, so softmax is uniform
        model.nonlocal_block.theta.weight.zero_()
        model.nonlocal_block.theta.bias.zero_()
    data, images = _people()
    eff = nonlocal_effect(model, data, np.arange(3), images)
    assert eff.query_dependence == pytest.approx(0, abs=1e-9) and eff.entropy_share == pytest.approx(1, abs=1e-6)


def test_silenced_block_is_the_identity_and_scores_as_such():
    model = _model()
    quiet = silenced(model)
    bypass = silenced(model)
    bypass.nonlocal_block.forward = lambda x: (x, None)  # the block removed outright
    x = torch.randn(2, 3, 64, 64, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        torch.testing.assert_close(quiet(x).heatmaps, bypass(x).heatmaps, rtol=0, atol=0)
        assert (model(x).heatmaps - quiet(x).heatmaps).abs().max() > 1e-4  # the open block changed the output
    assert model.nonlocal_block.W_z[1].weight.abs().max() > 0  # the original is left as it was
    data, images = _people()
    eff, again = nonlocal_effect(model, data, np.arange(3), images), nonlocal_effect(quiet, data, np.arange(3), images)
    assert again.output_gate == 0 and again.pck_flip == again.pck_flip_silenced == eff.pck_flip_silenced
    with pytest.raises(ValueError, match="no non-local block"):
        silenced(create_model("hrnet", **{**TINY, "nonlocal_at": None}))
