"""CPM's argument for intermediate supervision, measured on one batch: with a loss on the last stage only, the
early stages receive far less gradient at initialisation; the last stage receives the same either way."""
from __future__ import annotations

import pytest

from poseviz.data.lsp import lsp_split
from poseviz.explain.gradients import LOSSES, stage_gradient_norms


def test_a_loss_at_every_stage_replenishes_the_early_stages_gradient(lsp):
    rows = stage_gradient_norms("cpm_lsp", lsp, lsp_split("train")[:4])
    g = {(r["loss"], r["parameters of"]): r["RMS gradient"] for r in rows}
    every, last = LOSSES
    assert g[(every, "stage 1")] > 3 * g[(last, "stage 1")]
    assert g[(every, "stage 3")] == pytest.approx(g[(last, "stage 3")], rel=1e-5)  # the last stage: the same loss term
    assert all(v > 0 for v in g.values())


def test_only_chains_of_stages_are_measured(lsp):
    with pytest.raises(ValueError, match="not a chain of CPM stages"):
        stage_gradient_norms("hrnet_lsp", lsp, lsp_split("train")[:2])
