"""Receptive fields against hand-derived values, and the ERF's support against the theory."""
import json
import subprocess
import sys

import numpy as np
import pytest
import torch
from torch import nn

from conftest import ROOT
from poseviz.explain.receptive_field import effective_receptive_field, mass_radius, receptive_fields, stage_receptive_fields
from poseviz.models import CPM, CPMConfig, PoseOutput


def _last(model):
    return receptive_fields(model)[-1].rf


def test_three_3x3_convs_see_7_pixels():
    rf = _last(nn.Sequential(*[nn.Conv2d(1, 1, 3, padding=1) for _ in range(3)]))
    assert (rf.size, rf.jump) == (7, 1)


def test_strided_conv_then_conv_sees_7_with_jump_2():
    # r: 1 → 3 (k3) → 3 + 2·2 = 7; jump 1 → 2
    rf = _last(nn.Sequential(nn.Conv2d(1, 1, 3, stride=2, padding=1), nn.Conv2d(1, 1, 3, padding=1)))
    assert (rf.size, rf.jump, rf.start) == (7, 2, 0)


def test_dilated_conv():
    # dilation 2 makes a 3×3 kernel span 5 pixels: 1 + 4 = 5, then a 3×3: 5 + 2 = 7
    rf = _last(nn.Sequential(nn.Conv2d(1, 1, 3, padding=2, dilation=2), nn.Conv2d(1, 1, 3, padding=1)))
    assert rf.size == 7


def test_max_pool():
    # conv3 (3), pool 2/2 (3 + 1 = 4, jump 2, start +0.5), conv3 (4 + 2·2 = 8)
    rf = _last(nn.Sequential(nn.Conv2d(1, 1, 3, padding=1), nn.MaxPool2d(2, 2), nn.Conv2d(1, 1, 3, padding=1)))
    assert (rf.size, rf.jump, rf.start) == (8, 2, 0.5)


def test_upsample():
    # conv3/2 (3, jump 2), ×2 nearest upsample: size unchanged, jump back to 1, start 0 − 0.5 = −0.5
    rf = _last(nn.Sequential(nn.Conv2d(1, 1, 3, stride=2, padding=1), nn.Upsample(scale_factor=2)))
    assert (rf.size, rf.jump, rf.start) == (3, 1, -0.5)


def test_cpm_paper_stage1_and_stage2_at_368():
    """Derivation from the paper's layer list (Wei et al. 2016, LSP model, 368×368 input).

    Stage 1 — r (jump):
      conv 9×9      r = 1 + 8·1 = 9        (j 1)
      pool 3×3/2    r = 9 + 2·1 = 11       (j 2)
      conv 9×9      r = 11 + 8·2 = 27      (j 2)
      pool 3×3/2    r = 27 + 2·2 = 31      (j 4)
      conv 9×9      r = 31 + 8·4 = 63      (j 4)
      pool 3×3/2    r = 63 + 2·4 = 71      (j 8)
      conv 5×5      r = 71 + 4·8 = 103     (j 8)   ← shared image features end here
      conv 9×9      r = 103 + 8·8 = 167    (j 8)
      conv 1×1 ×2   r = 167                        → stage 1 sees 167 px (the paper: ≈ 160)
    Stage 2: its input concatenates the features (103) and stage 1's beliefs (167): 167;
      three 11×11 convs add 3 · 10 · 8 = 240  → 407 px (the paper: ≈ 400 × 400), more than
      the whole 368 px input.
    """
    stages = stage_receptive_fields(CPM(CPMConfig()))
    assert [s.rf.size for s in stages[:2]] == [167, 407]
    assert all(s.rf.jump == 8 for s in stages)
    sizes = [s.rf.size for s in stages]
    assert sizes == sorted(sizes) and len(sizes) == 6
    # BatchNorm (the zoo's CPM option) is pointwise: it must not change any receptive field
    with_bn = stage_receptive_fields(CPM(CPMConfig(batch_norm=True)))
    assert [s.rf.size for s in with_bn] == sizes


class _OnesNet(nn.Module):
    """Three all-ones 3×3 convolutions; every conv's output is a 'stage'."""

    def __init__(self):
        super().__init__()
        self.convs = nn.ModuleList([nn.Conv2d(3 if i == 0 else 1, 1, 3, padding=1, bias=False) for i in range(3)])
        for c in self.convs:
            nn.init.ones_(c.weight)

    def forward(self, x):
        stages = []
        for c in self.convs:
            x = c(x)
            stages.append(x)
        return PoseOutput(stages=stages, stage_names=["1", "2", "3"])


@pytest.mark.parametrize("stage, size", [(0, 3), (1, 5), (2, 7)])
def test_erf_of_ones_net_is_centred_and_its_support_is_the_theoretical_rf(stage, size):
    net = _OnesNet()
    theory = _last(nn.Sequential(*net.convs[: stage + 1]))
    assert theory.size == size
    res = effective_receptive_field(net, torch.rand(1, 3, 21, 25) + 0.1, stage, 0, unit=(11, 9))
    ys, xs = np.nonzero(res.gradient)
    assert xs.max() - xs.min() + 1 == size and ys.max() - ys.min() + 1 == size
    assert ((xs.max() + xs.min()) / 2, (ys.max() + ys.min()) / 2) == (11, 9) == res.center
    assert 0 < res.r50 <= res.r90 <= (size - 1) / 2 * np.sqrt(2)


def test_erf_defaults_to_the_predicted_peak():
    net = _OnesNet()
    x = torch.zeros(1, 3, 15, 15)
    x[0, :, 4, 10] = 1.0
    res = effective_receptive_field(net, x, 2, 0)
    assert res.unit == (10, 4)


def test_mass_radius_of_a_ring():
    g = np.zeros((41, 41))
    g[20, 20] = 1
    g[20, 30] = 1  # half the mass at distance 10
    assert mass_radius(g, (20, 20), 0.5) == 0
    assert mass_radius(g, (20, 20), 0.9) == 10


def test_cli_prints_per_stage_table_as_json():
    out = subprocess.run([sys.executable, "-m", "poseviz", "receptive-field", "cpm-paper", "--json"],
                         capture_output=True, text=True, cwd=ROOT, check=True)
    data = json.loads(out.stdout)
    assert [r["rf_px"] for r in data["layers"]][:2] == [167, 407]
    assert data["layers"][0]["covers_input"] is False and data["layers"][1]["covers_input"] is True
