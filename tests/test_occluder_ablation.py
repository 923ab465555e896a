"""Lesson 6's controlled pair: two hourglasses alike but for occluder augmentation, measured and carded."""
import json
import re

import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from conftest import LSP_ROOT
from poseviz.cards.occluder_ablation import (PAIR, load_occluder_ablation, measure_occluder_ablation, occluder_finding,
                                             write_occluder_ablation)
from poseviz.models import zoo
from poseviz.models.pretrained import load_pretrained


def test_the_pair_is_one_architecture_and_the_runs_differ_only_in_occluders():
    a, b = (zoo.entry(n) for n in PAIR)
    assert (a.arch, a.kwargs) == (b.arch, b.kwargs) and not set(PAIR) & set(zoo.ZOO)  # ablations, off the pages
    card = load_occluder_ablation()
    if zoo.is_shipped(PAIR[0]):  # shipped: the card records the two runs, identical but for the share of occluders
        runs = card["runs"]
        assert (runs[PAIR[0]]["occluder_prob"], runs[PAIR[1]]["occluder_prob"]) == (0.5, 0.0)
        same = {k: v for k, v in runs[PAIR[0]].items() if k not in ("occluder_prob", "wall_minutes", "validation_curve")}
        assert same == {k: runs[PAIR[1]][k] for k in same}
        for n in PAIR:
            load_pretrained(n)  # strict: every key of the architecture, no other


def _fake_run(run_dir, name, seed, occluders):
    torch.manual_seed(seed)
    (run_dir / name).mkdir(parents=True)
    save_file(zoo.build(name).state_dict(), str(run_dir / name / "last.safetensors"))
    (run_dir / name / "log.csv").write_text("epoch,loss,stage_losses,lr,pck,wall_s,val_lspet_pck,val_mpii_pckh\n"
                                            "1,0.04,,0.002,5.0,60.0,3.0,7.0\n")
    (run_dir / name / "config.json").write_text(json.dumps({
        "epoch_size": 16, "lr": 0.002, "batch_size": 8, "seed": 0, "threads": 1, "select": "last",
        "augment": {"occluder_prob": occluders}}))


def test_measured_pair_is_written_with_its_weights_and_a_finding_read_from_it(lsp, tmp_path):
    _fake_run(tmp_path / "runs", PAIR[0], 1, 0.5)
    _fake_run(tmp_path / "runs", PAIR[1], 2, 0.0)
    a = measure_occluder_ablation(tmp_path / "runs", LSP_ROOT.parent, sweep_people=3, people=6, progress=False)
    rows = a["visibility"]["rows"]
    assert [r["model"] for r in rows] == list(PAIR)
    assert all(r["visible joints"] + r["occluded joints"] == 6 * 14 for r in rows)
    unoccluded = a["sweep"]["compare"][0]
    assert unoccluded[f"{PAIR[1]} drops more by (points)"] == 0 and unoccluded["95 % CI (paired)"] == "0.0 – 0.0"
    out = tmp_path / "assets"
    out.mkdir()
    md = write_occluder_ablation(a, tmp_path / "runs", out).read_text()
    assert occluder_finding(a) in md and f"| {PAIR[1]} | 0.0 | 1 × 16 |" in md
    for n in PAIR:
        assert (out / f"{n}.safetensors").read_bytes() == (tmp_path / "runs" / n / "last.safetensors").read_bytes()
    assert json.loads((out / "occluder_ablation.json").read_text())["pair"] == list(PAIR)


@pytest.mark.parametrize("more,ci,says", [
    (5.0, "2.0 – 9.0", "hourglass_noocc_ablation drops 5.0 points more than hourglass_occ_ablation (paired 95 % interval 2.0 – 9.0)"),
    (1.0, "-1.0 – 3.0", "the two models lose alike: hourglass_noocc_ablation drops +1.0 points more (paired 95 % "
                        "interval -1.0 – 3.0, which holds 0)"),
    (-5.0, "-9.0 – -2.0", "hourglass_noocc_ablation drops 5.0 points less than hourglass_occ_ablation"),
])
def test_the_finding_follows_the_intervals_not_the_point_estimates(more, ci, says):
    a = {"sweep": {"compare": [{"occluder side (% of crop)": 45, f"{PAIR[1]} drops more by (points)": more,
                                "95 % CI (paired)": ci}]},
         "visibility": {"occluded_gain": 2.5, "occluded_gain_ci": [-0.5, 5.0], "visible_gain": 2.0, "visible_gain_ci": [1.0, 3.0]}}
    text = occluder_finding(a)
    assert says in text, text
    assert "+2.5 points (paired 95 % interval -0.5 – 5.0, which holds 0)" in text and "+2.0 points (1.0 – 3.0)." in text


@pytest.mark.parametrize("name", PAIR)
def test_each_of_the_pair_has_a_card_that_says_how_it_was_augmented(name, tmp_path):
    from poseviz import cards

    if not zoo.is_shipped(name):
        pytest.skip(f"{name} is not shipped in this checkout")
    m = json.loads(zoo.card_metrics_path(name).read_text())
    rendered = cards.write_card(m, tmp_path).read_text()
    assert rendered == zoo.card_path(name).read_text()  # the card is its JSON through the template
    said = re.search(r"colour jitter, ((no )?synthetic occluders)", rendered).group(1)
    assert said == ("synthetic occluders" if name == PAIR[0] else "no synthetic occluders")
    assert (zoo.ASSETS / f"{name}_curves.png").is_file()
