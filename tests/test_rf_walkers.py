"""Receptive-field walkers of the OpenPose-style and DensePose-style networks, against hand derivations."""
from __future__ import annotations

from poseviz.cli import main
from poseviz.explain.receptive_field import receptive_fields, stage_receptive_fields
from poseviz.models import zoo


def test_openpose_stages_by_hand():
    # trunk: 3×3/2 → 3 px (jump 2); 3×3 → 7; max-pool 2/2 → 9 (jump 4); two 3×3 → 17, 25.
    # stage 1: three 3×3 at jump 4 → 25 + 3·2·4 = 49 (the 1×1s add nothing).
    # stage t ≥ 2 reads trunk ∪ previous outputs (49 px) and adds three k×k: + 3·(k−1)·4.
    model = zoo.build("openpose_lsp")
    k = model.config.stage_kernel
    sizes = [r.rf.size for r in stage_receptive_fields(model)]
    assert sizes == [49 + t * 3 * (k - 1) * 4 for t in range(model.config.num_stages)]
    rows = {r.name: r.rf for r in receptive_fields(model)}
    assert rows["trunk (image features)"].size == 25 and rows["trunk (image features)"].jump == 4
    assert rows["stage 1 part affinity fields"].size == 49


def test_chart_head_adds_upsampling_and_two_convolutions():
    rows = receptive_fields(zoo.build("hrnet_dense_lsp"))
    head = rows[-1]
    top = [r for r in rows if r.name.endswith("(1/4)")][-1]
    # bilinear ×2: + one 4-px cell, jump 2; then two 3×3 at jump 2: + 2·2·2
    assert head.name.startswith("chart head") and head.rf.jump == 2
    assert head.rf.size == top.rf.size + 4 + 8


def test_cli_prints_openpose_fields(capsys):
    assert main(["receptive-field", "openpose_lsp"]) == 0
    assert "stage 1 belief maps" in capsys.readouterr().out


def test_growth_figure_axis_spans_the_fields_not_ten_to_the_128():
    from poseviz.plots.receptive import rf_growth_figure

    tables = {n: receptive_fields(zoo.build(n)) for n in zoo.list_networks(task=None)}
    fig = rf_growth_figure(tables, input_size=128)
    lo, hi = fig.layout.yaxis.range
    sizes = [r.rf.size for rows in tables.values() for r in rows]
    assert 10 ** lo <= min(sizes) and 10 ** hi >= max(sizes) and hi < 4.5  # fields are < 10⁴ px
    line = next(t for t in fig.data if t.name == "input 128 px")
    assert list(line.y) == [128, 128]
