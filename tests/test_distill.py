"""Belief-map distillation: blended targets equal the paper's two-term loss; teachers are checked."""
import csv
import json

import pytest
import torch

from poseviz.core.errors import PoseVizInputError
from poseviz.models import create_model, zoo
from poseviz.training.distill import distilled_targets, load_teacher
from poseviz.training.loop import TrainConfig, train


@pytest.fixture(scope="module")
def teacher():
    return load_teacher("hourglass_lsp", None, zoo.build("hrnet_lsp"))


def _batch(seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(2, 3, 128, 128, generator=g)
    gt = torch.rand(2, 14, 32, 32, generator=g)
    return x, gt


def test_blend_endpoints_and_middle(teacher):
    x, gt = _batch()
    t = teacher(x).heatmaps
    assert torch.equal(distilled_targets(teacher, x, gt, 0.0), gt)
    assert torch.allclose(distilled_targets(teacher, x, gt, 1.0), t, atol=1e-6)
    assert torch.allclose(distilled_targets(teacher, x, gt, 0.25), 0.25 * t + 0.75 * gt, atol=1e-6)


def test_blended_target_is_the_two_term_loss(teacher):
    """α‖s−T‖² + (1−α)‖s−G‖² − ‖s − blend‖² must not depend on the student's output s."""
    x, gt = _batch(1)
    t = teacher(x).heatmaps
    alpha = 0.3
    blend = distilled_targets(teacher, x, gt, alpha)
    gaps = []
    for seed in range(4):
        s = torch.randn(gt.shape, generator=torch.Generator().manual_seed(10 + seed))
        two_term = alpha * ((s - t) ** 2).sum() + (1 - alpha) * ((s - gt) ** 2).sum()
        gaps.append(float(two_term - ((s - blend) ** 2).sum()))
    assert max(gaps) - min(gaps) < 1e-2 * abs(gaps[0]) + 1e-3
    assert gaps[0] > 0  # the constant is α(1−α)‖T−G‖² ≥ 0


def test_teacher_maps_resized_to_student_grid(teacher):
    x, _ = _batch()
    gt = torch.zeros(2, 14, 64, 64)
    out = distilled_targets(teacher, x, gt, 1.0)
    assert out.shape == gt.shape
    # bilinear 2× upsampling keeps the mean of each map to within a few per cent
    assert torch.allclose(out.mean((2, 3)), teacher(x).heatmaps.mean((2, 3)), rtol=0.05, atol=1e-3)


def test_teacher_is_frozen(teacher):
    assert not teacher.training
    assert not any(p.requires_grad for p in teacher.parameters())


def test_refusals(teacher):
    with pytest.raises(PoseVizInputError, match="unknown teacher"):
        load_teacher("no_such_model", None, zoo.build("hrnet_lsp"))
    big = create_model("hrnet", width=16, stages=((1, 2), (1, 2), (1, 2)), layer1_blocks=1, num_joints=14, input_size=(256, 256))
    with pytest.raises(PoseVizInputError, match="distillation needs both to match"):
        load_teacher("hourglass_lsp", None, big)
    x, gt = _batch()
    with pytest.raises(PoseVizInputError, match=r"\[0, 1\]"):
        distilled_targets(teacher, x, gt, 1.5)


def _first_loss(tmp_path, distill: float) -> float:
    cfg = TrainConfig(model="hrnet_lsp", out_dir=str(tmp_path / f"a{distill}"), epochs=1, batch_size=8, limit=8,
                      eval_every=0, threads=2, lr=1e-9, init_from=str(zoo.weights_path("hrnet_lsp")),
                      teacher="hrnet_lsp", distill=distill)
    train(cfg, progress=False)
    run = tmp_path / f"a{distill}" / "hrnet_lsp"
    recorded = json.loads((run / "config.json").read_text())
    assert recorded["teacher"] == "hrnet_lsp"
    # Where it ran and on which data, for the card: this machine's CPU, the original LSP release.
    assert recorded["device"] == "CPU, 2 threads" and recorded["data_note"] is None
    return float(next(csv.DictReader((run / "log.csv").open()))["loss"])


@pytest.mark.devdata
def test_training_learns_from_the_teacher(tmp_path):
    """A student that starts as its own teacher is already close to α = 1 targets, far from α = 0 ones.

    Training also leaves the process-wide flush-denormal flag as it found it.
    """
    from poseviz.training.loop import _flushing_denormals

    assert not _flushing_denormals()
    to_teacher = _first_loss(tmp_path, 1.0)
    assert not _flushing_denormals()
    to_truth = _first_loss(tmp_path, 0.0)
    assert to_teacher < 0.5 * to_truth


def test_card_names_the_teacher(tmp_path):
    from poseviz.cards import write_card

    m = json.loads((zoo.ASSETS / "hrnet_lsp.json").read_text())
    m["training"]["config"] = {"lr": 5e-4, "teacher": "openpose_lsp", "distill": 0.3}
    text = write_card(m, tmp_path).read_text()
    assert "distilled from `openpose_lsp`: belief-map targets = 0.3 × its maps + 0.7 × the Gaussians" in text
    m["training"]["config"] = {"lr": 5e-4}
    assert "distilled" not in write_card(m, tmp_path).read_text()


def test_card_says_where_the_last_cycle_ran(tmp_path):
    from poseviz.cards import write_card

    m = json.loads((zoo.ASSETS / "hrnet_lsp.json").read_text())
    # a run that kept its last epoch and watched LSP test images (as the runs before the training mix did)
    m["training"].pop("validation_curve", None)
    m["training"].update(select="last", pck_curve_200=[[5, 60.0]], device="NVIDIA H100 80GB HBM3",
                         data_note="a copy made by `pack-lsp --max-side 320`", autocast="float32")
    text = write_card(m, tmp_path).read_text()
    assert "min wall time on NVIDIA H100 80GB HBM3;" in text
    assert "the last cycle read a copy made by `pack-lsp --max-side 320` |" in text
    m["training"].update(device=None, data_note=None)
    text = write_card(m, tmp_path).read_text()
    assert "min wall time on a 2-core CPU shared with other jobs;" in text and "the last cycle read" not in text
    assert f"the last epoch ({m['training']['epochs']}, end of the cosine schedule)" in text
    assert "was only monitored, not used to choose" in text


def test_card_says_when_a_run_stopped_early_and_watched_nothing(tmp_path):
    from poseviz.cards import write_card

    m = json.loads((zoo.ASSETS / "hrnet_lsp.json").read_text())
    m["training"].pop("validation_curve", None)
    m["training"].update(select="last", epochs=49, scheduled_epochs=52, pck_curve_200=[])
    text = write_card(m, tmp_path).read_text()
    assert "the last epoch (49, the run was stopped 3 epochs before its 52-epoch cosine schedule ended)" in text
    assert "no test image was looked at during training" in text and "monitored" not in text


def test_card_of_a_mix_run_names_validation_selection_and_the_mix(tmp_path):
    from poseviz.cards import write_card

    m = json.loads((zoo.ASSETS / "hrnet_lsp.json").read_text())
    m["training"].update(select="best", selected_epoch=7, epochs=9, mix="lsp:1,lspet:2,mpii:1", epoch_size=3000,
                         validation_curve=[[7, 50.0, 30.0, 70.0]], init_from="assets/hrnet_lsp.safetensors", model="hrnet_lsp")
    text = write_card(m, tmp_path).read_text()
    assert "| shipped checkpoint | epoch 7 of 9, the best by the validation score" in text
    assert "no test image was looked at during training" in text and "LSP test images 1001–1200" not in text
    assert "drawn with source shares `lsp:1,lspet:2,mpii:1`, 3000 people drawn per epoch" in text
