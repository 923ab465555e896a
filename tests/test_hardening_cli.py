"""The CLI on hostile or mistaken input: a one-line message and exit 2, never a traceback; and
every command that writes refuses to overwrite unasked or to write into source data."""
from __future__ import annotations

import shutil

import numpy as np
import pytest
import scipy.io

from poseviz.cli import main
from poseviz.data.samples import sample_images
from poseviz.models import zoo

IMG = sample_images()["Astronaut (scikit-image)"]  # ships with scikit-image: no development data needed


def _fails(capsys, argv, pattern):
    assert main(argv) == 2
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1].split("\r")[-1]
    assert last.startswith("error: ") and pattern in last and "Traceback" not in err, err


@pytest.mark.parametrize("box, pattern", [
    ("nan,0,10,10", "non-finite"), ("0,0,0,10", "positive width"), ("0,0,inf,5", "non-finite"),
    ("0,0,-5,5", "positive width"), ("5000,5000,10,10", "wholly outside"), ("0,0,3.7e299,5", "over 10×"),
])
def test_predict_refuses_impossible_boxes(capsys, box, pattern):
    for model in ("cpm_lsp", "openpose_lsp"):
        _fails(capsys, ["predict", str(IMG), "--model", model, f"--box={box}"], pattern)


def test_coco_eval_unknown_schema(capsys, tmp_path):
    gt = tmp_path / "gt.json"
    gt.write_text('{"images": [], "annotations": [], "categories": [{"id": 1, "name": "person"}]}')
    (tmp_path / "res.json").write_text("[]")
    _fails(capsys, ["coco-eval", str(gt), str(tmp_path / "res.json"), "--schema", "nope"], "unknown keypoint schema 'nope'")


@pytest.mark.parametrize("extra, pattern", [
    (["--batch-size", "0"], "--batch-size must be at least 1"),
    (["--lr", "nan"], "--lr must be a finite number above 0"),
    (["--epochs", "0"], "--epochs must be at least 1"),
    (["--init-from", "missing.safetensors"], "file not found"),
])
def test_train_refuses_bad_options_before_any_work(capsys, tmp_path, extra, pattern):
    _fails(capsys, ["train", "--model", "cpm_lsp", "--out", str(tmp_path), *extra], pattern)
    assert not (tmp_path / "cpm_lsp").exists()


def test_train_refuses_a_torch_init_file_and_a_damaged_last_pt(capsys, tmp_path):
    import torch

    torch.save(zoo.build("cpm_lsp").state_dict(), tmp_path / "w.pth")
    _fails(capsys, ["train", "--model", "cpm_lsp", "--out", str(tmp_path), "--init-from", str(tmp_path / "w.pth")],
           "is a torch checkpoint; give a safetensors file")
    run = tmp_path / "runs" / "cpm_lsp"
    run.mkdir(parents=True)
    torch.save({"model": {}}, run / "last.pt")
    (run / "last.pt").write_bytes((run / "last.pt").read_bytes()[:100])
    _fails(capsys, ["train", "--model", "cpm_lsp", "--out", str(tmp_path / "runs"), "--limit", "2", "--eval-every", "0"],
           "cannot resume")


def test_train_export_never_overwrites_unasked(capsys, tmp_path):
    target = tmp_path / "w.safetensors"
    target.write_bytes(b"precious")
    _fails(capsys, ["train", "--model", "cpm_lsp", "--out", str(tmp_path), "--export", str(target)], "exists; pass --force")
    assert target.read_bytes() == b"precious"


def test_grow_never_overwrites_weights_or_their_record(capsys, tmp_path):
    out = tmp_path / "g.safetensors"
    out.with_suffix(".json").write_text("keep me")
    _fails(capsys, ["grow", "hrnet_lsp", "--add-module", "2", "--out", str(out)], "exists; pass --force")
    assert out.with_suffix(".json").read_text() == "keep me" and not out.exists()
    _fails(capsys, ["grow", "hrnet_lsp", "--add-module", "2", "--out", str(zoo.weights_path("hrnet_lsp"))], "exists")


def test_pack_lsp_never_writes_into_its_source(capsys, tmp_path):
    src = tmp_path / "lsp"
    (src / "images").mkdir(parents=True)
    j = np.zeros((3, 14, 2))
    scipy.io.savemat(src / "joints.mat", {"joints": j})
    for i in (1, 2):
        shutil.copy(IMG, src / "images" / f"im{i:04d}.jpg")
    before = (src / "images" / "im0001.jpg").read_bytes()
    _fails(capsys, ["pack-lsp", "--data", str(src), "--out", str(src)], "overlaps the LSP folder")
    _fails(capsys, ["pack-lsp", "--data", str(src), "--out", str(src / "images")], "overlaps the LSP folder")
    assert (src / "images" / "im0001.jpg").read_bytes() == before
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    _fails(capsys, ["pack-lsp", "--data", str(src), "--out", str(tmp_path / "full")], "already holds files")


@pytest.mark.parametrize("kind", ["missing", "folder", "no markers"])
def test_models_write_readme_refusals(capsys, tmp_path, kind):
    target = tmp_path / "README.md"
    if kind == "folder":
        target.mkdir()
    elif kind == "no markers":
        target.write_text("# no table here\n")
    _fails(capsys, ["models", "--write-readme", str(target)], {"missing": "not found", "folder": "is a folder",
                                                               "no markers": "lacks the markers"}[kind])


def test_ctrl_c_during_training_says_how_to_resume(capsys, tmp_path, monkeypatch):
    import poseviz.training.loop as loop

    def interrupted(cfg, progress):
        raise KeyboardInterrupt

    monkeypatch.setattr(loop, "_train", interrupted)
    _fails(capsys, ["train", "--model", "cpm_lsp", "--out", str(tmp_path)], "stopped; the last finished epoch is saved in")


def test_card_keeps_the_training_record_and_timings_it_cannot_remeasure(tmp_path, monkeypatch):
    """A fresh clone has no run logs: re-carding must not turn the history into "? epochs" or
    replace a quiet machine's latency with a busy one's."""
    import types

    import numpy as np

    from poseviz import cards

    old = zoo.card_metrics("cpm_lsp")
    fake = types.SimpleNamespace(pck=types.SimpleNamespace(mean=50.0, per_joint=np.full(14, 50.0)))
    monkeypatch.setattr(cards, "evaluate_lsp", lambda *a, **k: fake)
    monkeypatch.setattr(cards, "load_images", lambda data, idx: [None] * len(idx))
    monkeypatch.setattr(cards, "source_figures", lambda *a, **k: {})
    monkeypatch.setattr(cards, "user_box_figures", lambda *a, **k: {})
    monkeypatch.setattr(cards, "latency_figures", lambda model: {"median_ms_per_crop": 999.0, "median_ms_per_crop_flip": 999.0})
    class FakeLSP:
        joints = np.zeros((2000, 14, 3))

        def __len__(self):
            return 2000

    monkeypatch.setattr(cards, "load_lsp", lambda root: FakeLSP())
    m = cards.measure_model("cpm_lsp", run_dir=tmp_path / "no-runs", progress=False)
    assert m["training"] == old["training"]
    assert m["median_ms_per_crop"] == old["median_ms_per_crop"] and m["machine"] == old["machine"]
    assert cards.measure_model("cpm_lsp", run_dir=tmp_path / "no-runs", progress=False, latency=True)["median_ms_per_crop"] == 999.0


@pytest.mark.parametrize("argv, pattern", [
    (["receptive-field", "cpm_lsp", "--input", "-5", "-5"], "from 1 to 16384"),
    (["receptive-field", "cpm_lsp", "--input", "0", "128"], "from 1 to 16384"),
    (["receptive-field", "cpm_lsp", "--input", "128", "100000000000000000000"], "from 1 to 16384"),
    (["eval", "--model", "cpm_lsp", "--sources", ""], "names nothing to score"),
    (["eval", "--model", "cpm_lsp", "--sources", " , "], "names nothing to score"),
    (["models", "--write-readme", "/dev/null"], "is not a regular file"),
])
def test_numbers_and_lists_that_ask_for_nothing_are_refused(capsys, argv, pattern):
    _fails(capsys, argv, pattern)


def test_numbers_out_of_range_get_a_message(capsys, tmp_path):
    _fails(capsys, ["predict", str(IMG), "--model", "cpm_lsp", "--box=0,0,1e-300,1e-300"], "under 1 px a side")
    _fails(capsys, ["predict", str(IMG), "--model", "cpm_lsp", "--image-id", str(10**23), "--json"], "2^63")
    _fails(capsys, ["predict", str(IMG), "--model", "cpm_lsp", "--image-id", "-1"], "2^63")
    out = tmp_path / "grown.safetensors"
    _fails(capsys, ["grow", "hourglass_lsp", "--add-stack", "100000", "--out", str(out)], "--add-stack adds 0 to 8")
    _fails(capsys, ["grow", "cpm_lsp", "--add-stage", "-3", "--out", str(out)], "--add-stage adds 0 to 8")
    assert not out.exists()


@pytest.mark.parametrize("where", ["/proc/poseviz_grown.safetensors", "/sys/poseviz_grown.safetensors", "file"])
def test_grow_into_a_place_that_cannot_hold_a_file_says_so(capsys, tmp_path, where):
    if where == "file":
        (tmp_path / "afile").write_text("x")
        where = str(tmp_path / "afile" / "grown.safetensors")  # a file where a folder should be
    _fails(capsys, ["grow", "hrnet_lsp", "--add-module", "2", "--out", where], "cannot write")


@pytest.mark.parametrize("argv, pattern", [
    (["eval", "--model", "cpm_lsp", "--refine", "9"], "--refine must be 0 to 5"),
    (["eval", "--model", "cpm_lsp", "--alpha", "-1"], "--alpha must be a number in (0, 1]"),
])
def test_eval_numbers_are_checked_before_any_work(capsys, argv, pattern):
    _fails(capsys, argv, pattern)


def test_pack_numbers_are_checked_before_any_work(capsys, tmp_path):
    _fails(capsys, ["pack-lsp", "--out", str(tmp_path / "p"), "--max-side", "0"], "--max-side must be 32 to 4096")
    _fails(capsys, ["pack-mix", "--out", str(tmp_path / "p"), "--quality", "1000"], "--quality is WebP's 0 to 100")
    assert not (tmp_path / "p").exists()
