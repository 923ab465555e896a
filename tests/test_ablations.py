"""The seed ablations: the receptive fields they plot (hand-derived), matched parameter counts, stage-wise
scoring, the card, the figure and the Receptive-field page."""
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from poseviz.cards.ablations import MATCHED_MODELS, STAGE_MODEL, load_ablations, write_ablations
from poseviz.data.lsp import LSPData
from poseviz.explain.receptive_field import stage_receptive_fields
from poseviz.metrics.evaluation import evaluate_lsp, stage_pck
from poseviz.models import create_model, zoo
from poseviz.plots.receptive import rf_accuracy_figure


def test_cpm6_receptive_fields_by_hand():
    # 7×7 conv (7), 3×3/2 pool (9, jump 2), 7×7 conv (21), 3×3/2 pool (25, jump 4), 5×5 conv (41): the features;
    # stage 1 adds a 7×7 conv (41 + 6·4 = 65); each later stage three 7×7 convs (+ 3·6·4 = 72).
    rfs = [r.rf.size for r in stage_receptive_fields(zoo.build(STAGE_MODEL))]
    assert rfs == [65 + 72 * t for t in range(6)]
    assert zoo.build(STAGE_MODEL).config.num_stages == 6 and STAGE_MODEL not in zoo.shipped_models(None)


def test_matched_models_have_parameter_counts_within_two_percent():
    counts = [sum(p.numel() for p in zoo.build(n).parameters()) for n in MATCHED_MODELS]
    assert abs(counts[0] - counts[1]) / max(counts) < 0.02
    assert {zoo.entry(n).arch for n in MATCHED_MODELS} == {"hourglass", "hrnet"}


def _people(n: int = 4) -> tuple[LSPData, list[np.ndarray]]:
    rng = np.random.default_rng(1)
    base = np.array([[30, 90], [32, 70], [34, 50], [46, 50], [48, 70], [50, 90], [25, 45], [28, 35], [32, 22],
                     [48, 22], [52, 35], [55, 45], [40, 18], [40, 8]], float)
    joints = np.stack([np.c_[base + rng.uniform(-3, 3, base.shape), np.full(14, 2.0)] for _ in range(n)])
    return LSPData(Path("/nonexistent"), joints), [rng.integers(0, 256, (110, 80, 3), dtype=np.uint8) for _ in range(n)]


@pytest.mark.parametrize("reference,alpha", [("torso", 0.2), ("head", 0.5)])
def test_stage_pck_last_stage_is_evaluate_lsps(reference, alpha):
    torch.manual_seed(0)
    model = create_model("cpm", num_stages=3, num_joints=14, trunk_channels=8, feature_channels=8, head_channels=8,
                         stage_channels=8, num_pools=2, input_size=(64, 64), batch_norm=True).eval()
    data, images = _people()
    per_stage = stage_pck(model, data, np.arange(4), alpha=alpha, images=images, progress=False, reference=reference)
    assert list(per_stage) == ["stage 1", "stage 2", "stage 3"]
    last = evaluate_lsp(model, data, np.arange(4), alpha=alpha, images=images, progress=False, reference=reference)
    assert per_stage["stage 3"] == pytest.approx(last.pck.mean)


SAMPLE = {
    "receptive_field": {"model": STAGE_MODEL, "description": "6-stage CPM", "epochs": 2, "epoch_size": 30, "wall_minutes": 1.0,
                        "lr": 5e-4, "init_from": "x", "best_val_score": 41.5, "best_epoch": 2, "validation_curve": [[1, 40.0], [2, 41.5]],
                        "stages": [{"stage": s, "rf_px": 65 + 72 * (s - 1), "depth": 8 + 5 * (s - 1), "val_lspet_pck": 30.0 + s,
                                    "val_mpii_pckh": 50.0 + s, "val_score": 40.0 + s, "lsp_test_pck": 60.0 + s} for s in (1, 2, 3)]},
    "matched": [{"model": n, "description": n, "params": 640000 + i, "gflops": 0.5, "median_ms_per_crop": 12.5, "epochs": 2,
                 "epoch_size": 30, "wall_minutes": 1.0, "lr": 2e-3, "init_from": None, "best_val_score": 33.3 + i, "best_epoch": 2,
                 "validation_curve": [[2, 33.3 + i]], "lsp_test_pck_flip": 44.4 + i, "coco_ap_flip": 0.05, "mpii_pckh_flip": 55.5}
                for i, n in enumerate(MATCHED_MODELS)],
    "validation_people": {"lspet": 300, "mpii": 200},
    "machine": "test machine",
}


def test_card_and_json_hold_every_row(tmp_path):
    card = write_ablations(SAMPLE, tmp_path).read_text()
    assert json.loads((tmp_path / "ablations.json").read_text()) == SAMPLE
    assert "| 2 | 137 | 32.0 | 52.0 | 42.0 | 62.0 |" in card
    assert "| best validation score (epoch) | 33.3 % (2) | 34.3 % (2) |" in card
    assert "640,000" in card and "640,001" in card


def test_accuracy_figure_plots_the_rows_against_their_fields():
    fig = rf_accuracy_figure(SAMPLE["receptive_field"]["stages"], input_size=128)
    val, test, crop, twice = fig.data
    assert list(val.x) == [65, 137, 209] and list(val.y) == [41.0, 42.0, 43.0] and list(test.y) == [61.0, 62.0, 63.0]
    assert list(crop.x) == [128, 128] and list(twice.x) == [256, 256] and "stage 2" in list(val.text)
    assert "receptive field" in fig.layout.xaxis.title.text and "%" in fig.layout.yaxis.title.text


def test_ablations_command_refuses_a_run_dir_without_the_runs(tmp_path, capsys):
    from poseviz.cli import main

    assert main(["ablations", "--run-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert STAGE_MODEL in err and "train them first" in err


def test_shipped_ablations_match_their_models():
    a = load_ablations()
    assert a, "assets/ablations.json is missing"
    rfs = [r.rf.size for r in stage_receptive_fields(zoo.build(STAGE_MODEL))]
    assert [r["rf_px"] for r in a["receptive_field"]["stages"]] == rfs
    for m in a["matched"]:
        assert m["params"] == sum(p.numel() for p in zoo.build(m["model"]).parameters())
        assert m["best_val_score"] == max(s for _, s in m["validation_curve"])
    for r in a["receptive_field"]["stages"]:
        assert r["val_score"] == pytest.approx((r["val_lspet_pck"] + r["val_mpii_pckh"]) / 2, abs=0.01)


def test_findings_are_read_from_the_numbers():
    from poseviz.cards.ablations import matched_finding, rf_finding

    stages = SAMPLE["receptive_field"]["stages"]  # fields 65, 137, 209: none twice a 128 px crop
    assert rf_finding(stages) == ("The validation score goes from 41.0 % (stage 1, field 65 px) to 43.0 % at stage 3 "
                                  "(field 209 px, short of twice the 128 px crop).")
    text = rf_finding(stages, crop=64)  # 137 ≥ 128: stage 2 is the first, one stage after it adds 1 point
    assert "to 42.0 % at stage 2, the first whose field (137 px)" in text and "the 1 stage after it adds +1.00 points" in text
    m = matched_finding(SAMPLE["matched"])
    assert m.startswith(f"Under the same budget from scratch, {MATCHED_MODELS[1]} reaches a validation score of 34.3 % against "
                        f"33.3 % for {MATCHED_MODELS[0]}")
    assert "1.0× faster per crop" in m
