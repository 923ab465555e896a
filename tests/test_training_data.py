"""LSP Extended and MPII readers, the training mix, the validation split and the data root."""
from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
import scipy.io

from conftest import SHARED
from poseviz.core.errors import PoseVizInputError
from poseviz.core.schemas import LSP14, MPII16
from poseviz.data.lspet import load_lspet
from poseviz.data.mix import VALIDATION_SIZES, load_split, parse_mix, sampling_weights, validation_indices
from poseviz.data.mpii import load_mpii
from poseviz.data.poseset import PoseSet
from poseviz.data.root import ENV_VAR, data_root
from poseviz.metrics.pck import lsp_head_size, lsp_torso_size


def _write_lspet(root, n=3):
    (root / "images").mkdir(parents=True)
    j = np.zeros((14, 3, n))
    j[:, 0, :] = np.arange(14)[:, None] * 10.0 + 5
    j[:, 1, :] = 7.0
    j[:, 2, :] = 1.0
    j[0, :, 1] = (-26.1, -3.0, 0.0)  # image 2's right ankle: not annotated, junk position
    scipy.io.savemat(root / "joints.mat", {"joints": j})
    return j


def test_lspet_flag_zero_means_not_annotated(tmp_path):
    _write_lspet(tmp_path / "lspet")
    people = load_lspet(tmp_path / "lspet")
    assert len(people) == 3 and people.joints.shape == (3, 14, 3)
    assert people.joints[1, 0].tolist() == [0.0, 0.0, 0.0]  # v = 0, position dropped
    assert people.joints[0, 0].tolist() == [5.0, 7.0, 2.0]  # annotated → visible
    assert people.joints[1, 13].tolist() == [135.0, 7.0, 2.0]
    assert people.image_path(1).name == "im00002.jpg"


def test_lspet_and_lsp_layouts_are_told_apart(tmp_path):
    from poseviz.data.lsp import load_lsp_joints

    lsp_layout = np.zeros((3, 14, 4))
    scipy.io.savemat(tmp_path / "lsp.mat", {"joints": lsp_layout})
    with pytest.raises(PoseVizInputError, match=r"must be 14×3×N, got 3×14×4 \(this is LSP's 3×14×N layout\)"):
        load_lsp_joints(tmp_path / "lsp.mat", layout="lspet")
    scipy.io.savemat(tmp_path / "ext.mat", {"joints": np.zeros((14, 3, 4))})
    with pytest.raises(PoseVizInputError, match=r"must be 3×14×N, got 14×3×4 \(this is LSP Extended"):
        load_lsp_joints(tmp_path / "ext.mat", layout="lsp")


def _mpii_person(image="a.jpg"):
    joints = [[float(10 * k), float(k)] for k in range(16)]
    joints[MPII16.index("left_wrist")] = None
    return {"image": image, "joints": joints, "scale": 1.0}


def test_mpii_maps_to_lsp_and_null_is_unannotated(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "annotations.json").write_text(json.dumps({"joints": list(MPII16.joints), "people": [_mpii_person()]}))
    people = load_mpii(tmp_path)
    j = people.joints[0]
    mp = MPII16.index
    assert j[LSP14.index("neck")].tolist() == [10.0 * mp("upper_neck"), mp("upper_neck"), 2.0]
    assert j[LSP14.index("head_top")].tolist() == [10.0 * mp("head_top"), mp("head_top"), 2.0]
    assert j[LSP14.index("right_shoulder")].tolist() == [10.0 * mp("right_shoulder"), mp("right_shoulder"), 2.0]
    assert j[LSP14.index("left_wrist")].tolist() == [0.0, 0.0, 0.0]
    assert people.image_path(0) == tmp_path / "images" / "a.jpg"


@pytest.mark.parametrize("doc, pattern", [
    ({"persons": []}, "a 'people' list"),
    ({"people": [{"image": "a.jpg"}]}, "person 0 needs 'image' and 'joints'"),
    ({"people": [{"image": "a.jpg", "joints": [[1, 2]] * 15}]}, "16 entries"),
    ({"people": [{"image": "../x.jpg", "joints": [[1, 2]] * 16}]}, "plain file name"),
    ({"joints": ["a"] * 16, "people": []}, "MPII's 16 joints"),
])
def test_mpii_wrong_layouts_are_refused(tmp_path, doc, pattern):
    (tmp_path / "annotations.json").write_text(json.dumps(doc))
    with pytest.raises(PoseVizInputError, match=pattern):
        load_mpii(tmp_path)


def test_parse_mix_and_sampling_shares():
    assert parse_mix("lsp:1,lspet:2,mpii:1") == {"lsp": 1.0, "lspet": 2.0, "mpii": 1.0}
    for bad, pattern in [("coco:1", "unknown training source"), ("lsp:x", "must be a number"),
                         ("lsp:-1", "≥ 0"), ("lsp:0", "at least one")]:
        with pytest.raises(PoseVizInputError, match=pattern):
            parse_mix(bad)

    def people(name, n):
        return PoseSet(name, tuple(f"{name}{i}" for i in range(n)), np.zeros((n, 14, 3)), np.arange(n))

    train = {"lsp": people("lsp", 10), "lspet": people("lspet", 90), "mpii": people("mpii", 30)}
    w = sampling_weights(train, {"lsp": 1, "lspet": 2, "mpii": 1})
    assert w.shape == (130,) and np.isclose(w.sum(), 1.0)
    assert np.isclose(w[:10].sum(), 0.25) and np.isclose(w[10:100].sum(), 0.5) and np.isclose(w[100:].sum(), 0.25)
    # within a source every person is equally likely
    assert np.allclose(w[:10], 0.025) and np.allclose(w[100:], 0.25 / 30)


def test_validation_indices_are_fixed_and_scoreable():
    j = np.zeros((50, 14, 3))
    j[:, :, :2] = np.random.default_rng(0).uniform(0, 100, (50, 14, 2))
    j[:, :, 2] = 2
    j[::2, LSP14.index("left_hip"), 2] = 0  # even people have no torso
    people = PoseSet("lspet", tuple(str(i) for i in range(50)), j, np.arange(50))
    a, b = validation_indices(people, 10), validation_indices(people, 10)
    assert a.tolist() == b.tolist() and len(a) == 10 and (a % 2 == 1).all()
    assert lsp_torso_size(j)[0] == 0 and lsp_torso_size(j)[1] > 0


def test_head_size_is_mpii_style():
    j = np.zeros((1, 14, 3))
    j[0, LSP14.index("neck")] = (0, 30, 2)
    j[0, LSP14.index("head_top")] = (0, 0, 2)
    # 0.6 × the diagonal of a 30-px square head box
    assert np.isclose(lsp_head_size(j)[0], 0.6 * np.hypot(30, 30))


def test_data_root_resolution_order(tmp_path, monkeypatch):
    import poseviz.data.root as root

    monkeypatch.setattr(root.platformdirs, "user_config_dir", lambda app: str(tmp_path / "cfg"))
    monkeypatch.setattr(root.platformdirs, "user_data_dir", lambda app: str(tmp_path / "user"))
    monkeypatch.setattr(root, "development_data", lambda: tmp_path / "dev")
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert data_root() == tmp_path / "user"  # nothing else exists
    (tmp_path / "dev").mkdir()
    assert data_root() == tmp_path / "dev"
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "config.toml").write_text(f'data_root = "{tmp_path / "conf"}"\n')
    assert data_root() == tmp_path / "conf"
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "env"))
    assert data_root() == tmp_path / "env"
    assert data_root(tmp_path / "flag") == tmp_path / "flag"


def _tiny_sources(root):
    """Three sources with 12 people each, images made here."""
    rng = np.random.default_rng(1)
    for name, n in (("lsp", 2000), ("lspet", 12), ("mpii", 12)):
        (root / name / "images").mkdir(parents=True)
    xy = rng.uniform(20, 60, (14, 2))
    img = np.full((80, 80, 3), 128, np.uint8)
    for k, (x, y) in enumerate(xy):
        cv2.circle(img, (int(x), int(y)), 3, (255, 0, 0), -1)
    lsp = np.zeros((3, 14, 2000))
    lsp[0], lsp[1] = xy[:, :1], xy[:, 1:]
    scipy.io.savemat(root / "lsp" / "joints.mat", {"joints": lsp})
    ext = np.zeros((14, 3, 12))
    ext[:, :2] = xy[:, :, None]
    ext[:, 2] = 1
    scipy.io.savemat(root / "lspet" / "joints.mat", {"joints": ext})
    people = [{"image": f"p{i}.jpg", "joints": [None] * 16} for i in range(12)]
    for p in people:
        for k, src in enumerate((0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15, 8, 9)):
            p["joints"][src] = xy[k].tolist()
        cv2.imwrite(str(root / "mpii" / "images" / p["image"]), img)
    (root / "mpii" / "annotations.json").write_text(json.dumps({"people": people}))
    for i in range(12):
        cv2.imwrite(str(root / "lspet" / "images" / f"im{i + 1:05d}.jpg"), img)
    for i in range(8):  # the first training images; a run with limit ≤ 8 reads no others
        cv2.imwrite(str(root / "lsp" / "images" / f"im{i + 1:04d}.jpg"), img)


def test_split_on_generated_sources_keeps_validation_out_of_training(tmp_path, monkeypatch):
    _tiny_sources(tmp_path)
    monkeypatch.setitem(VALIDATION_SIZES, "lspet", 3)
    monkeypatch.setitem(VALIDATION_SIZES, "mpii", 2)
    split = load_split(parse_mix("lsp:1,lspet:2,mpii:1"), tmp_path)
    assert len(split.validation["lspet"]) == 3 and len(split.validation["mpii"]) == 2
    assert len(split.train["lspet"]) == 9 and len(split.train["mpii"]) == 10 and len(split.train["lsp"]) == 1000
    for name in ("lspet", "mpii"):
        assert not set(split.validation[name].paths) & set(split.train[name].paths)


@pytest.mark.skipif(not (SHARED / "data" / "lspet").is_dir(), reason="needs the development data (../shared/data)")
def test_no_lsp_test_image_enters_training_or_validation():
    split = load_split(parse_mix("lsp:1,lspet:2,mpii:1"), SHARED / "data")
    lsp_names = {p.name for p in split.train["lsp"].paths}
    assert lsp_names == {f"im{i:04d}.jpg" for i in range(1, 1001)}
    assert set(split.validation) == {"lspet", "mpii"}
    assert len(split.validation["lspet"]) == 300 and len(split.validation["mpii"]) == 200
    every = [p for s in (*split.train.values(), *split.validation.values()) for p in s.paths]
    assert not any(p.parent.parent.name == "lsp" and int(p.stem[2:]) > 1000 for p in every)
    assert len(split.train["lspet"]) == 9700 and len(split.train["mpii"]) == 1086


@pytest.mark.parametrize("source", ["lsp", "lspet", "mpii"])
def test_short_overfit_run_per_source(tmp_path, monkeypatch, source):
    """A few steps on one source's (identical) people: the loss falls and validation is logged."""
    import csv

    from poseviz.training.loop import TrainConfig, train

    _tiny_sources(tmp_path / "data")
    monkeypatch.setitem(VALIDATION_SIZES, "lspet", 2)
    monkeypatch.setitem(VALIDATION_SIZES, "mpii", 2)
    cfg = TrainConfig(model="cpm_lsp", out_dir=str(tmp_path / "runs"), data=str(tmp_path / "data"), mix=f"{source}:1",
                      epochs=6, epoch_size=16, batch_size=8, eval_every=3, threads=2, lr=3e-3, limit=8)
    summary = train(cfg, progress=False)
    rows = list(csv.DictReader((tmp_path / "runs" / "cpm_lsp" / "log.csv").open()))
    assert len(rows) == 6
    assert float(rows[-1]["loss"]) < 0.6 * float(rows[0]["loss"])
    assert rows[2]["val_lspet_pck"] and rows[2]["val_mpii_pckh"] and not rows[0]["pck"]
    assert round(summary["best_pck"], 2) == max(float(r["pck"]) for r in rows if r["pck"])


def test_pack_mix_keeps_people_flags_and_validation(tmp_path, monkeypatch):
    from poseviz.data.pack import describe_pack, pack_mix

    _tiny_sources(tmp_path / "data")
    for name in ("lspet", "mpii"):
        monkeypatch.setitem(VALIDATION_SIZES, name, 3)
    # LSP needs its first 1000 training images for the pack: write them (tiny)
    img = cv2.imread(str(tmp_path / "data" / "lspet" / "images" / "im00001.jpg"))
    for i in range(8, 1000):
        cv2.imwrite(str(tmp_path / "data" / "lsp" / "images" / f"im{i + 1:04d}.jpg"), img)
    size = pack_mix(tmp_path / "pack", tmp_path / "data", max_side=40, progress=False)
    assert size > 0
    a = load_split(parse_mix("lsp:1,lspet:1,mpii:1"), tmp_path / "data")
    b = load_split(parse_mix("lsp:1,lspet:1,mpii:1"), tmp_path / "pack")
    for name in ("lspet", "mpii"):
        assert [p.name for p in a.validation[name].paths] == [p.name for p in b.validation[name].paths]
    for name in a.train:
        ja, jb = a.train[name].joints, b.train[name].joints
        assert (ja[..., 2] == jb[..., 2]).all()
        lab = ja[..., 2] > 0
        np.testing.assert_allclose(jb[..., :2][lab], (ja[..., :2][lab] + 0.5) * 0.5 - 0.5, atol=0.01)  # 80 → 40 px
    assert cv2.imread(str(tmp_path / "pack" / "mpii" / "images" / "p0.jpg")).shape[:2] == (40, 40)
    assert "pack-mix --max-side 40" in describe_pack(tmp_path / "pack" / "lsp")
    with pytest.raises(PoseVizInputError, match="overlaps the data root"):
        pack_mix(tmp_path / "data" / "packed", tmp_path / "data", progress=False)
    with pytest.raises(PoseVizInputError, match="already holds files"):
        pack_mix(tmp_path / "pack", tmp_path / "data", progress=False)


def test_dataloader_workers_draw_different_augmentations(tmp_path, monkeypatch):
    """Two workers must not produce the same augmented crops (each reseeds its generator)."""
    import torch

    from poseviz.data.poseset import concat
    from poseviz.training.augment import AugmentConfig
    from poseviz.training.dataset import LSPPoseDataset, load_images
    from poseviz.training.loop import _seed_worker

    _tiny_sources(tmp_path / "data")
    people = concat([load_split(parse_mix("lspet:1"), tmp_path / "data", validation=False).train["lspet"]])
    one = people.subset(np.zeros(8, dtype=np.int64))  # the same person eight times
    ds = LSPPoseDataset(one, np.arange(8), (64, 64), 4, augment=AugmentConfig(), images=load_images(one, np.arange(8)))
    loader = torch.utils.data.DataLoader(ds, batch_size=4, num_workers=2, worker_init_fn=_seed_worker)
    a, b = [batch["image"] for batch in loader]
    assert not torch.equal(a, b)
