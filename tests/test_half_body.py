"""Half-body crops in training augmentation (HRNet's recipe), checked on a person drawn in the test."""
from __future__ import annotations

import dataclasses

import cv2
import numpy as np

from poseviz.core.schemas import LSP14
from poseviz.data.poseset import PoseSet
from poseviz.training.augment import LOWER_BODY, UPPER_BODY, AugmentConfig, half_body_joints
from poseviz.training.dataset import LSPPoseDataset


def _standing(n_labelled: int = 14) -> np.ndarray:
    """A person standing upright in a 400 px tall image: head top at y 20, ankles at y 380."""
    y = {"head": 20, "neck": 60, "shoulder": 70, "elbow": 130, "wrist": 185, "hip": 200, "knee": 290, "ankle": 380}
    joints = np.zeros((14, 3))
    for i, name in enumerate(LSP14.joints):
        part = next(p for p in y if p in name)
        joints[i] = (100 + (-25 if name.startswith("right") else 25 if name.startswith("left") else 0), y[part], 2)
    joints[n_labelled:, 2] = 0
    return joints


def test_the_halves_are_the_schemas_upper_and_lower_body():
    names = [LSP14.joints[i] for i in UPPER_BODY]
    assert sorted(names) == sorted(["right_wrist", "right_elbow", "right_shoulder", "left_shoulder", "left_elbow",
                                    "left_wrist", "neck", "head_top"])
    assert sorted(UPPER_BODY + LOWER_BODY) == list(range(14))


def test_half_body_keeps_one_half_labelled_at_the_configured_rate():
    rng = np.random.default_rng(0)
    cfg = AugmentConfig(half_body_prob=0.3)
    joints = _standing()
    draws = [half_body_joints(joints, rng, cfg) for _ in range(2000)]
    halves = [d for d in draws if d is not None]
    assert 0.27 < len(halves) / len(draws) < 0.33
    kept = [tuple(np.flatnonzero(d[:, 2] > 0)) for d in halves]
    assert set(kept) == {tuple(sorted(UPPER_BODY)), tuple(sorted(LOWER_BODY))}
    assert 0.45 < kept.count(tuple(sorted(LOWER_BODY))) / len(kept) < 0.55
    assert all(np.array_equal(d[:, :2], joints[:, :2]) for d in halves)


def test_half_body_needs_nine_labelled_joints_and_a_lower_body_to_choose_it():
    rng = np.random.default_rng(0)
    always = AugmentConfig(half_body_prob=1.0)
    assert half_body_joints(_standing(8), rng, always) is None
    no_lower = _standing()
    no_lower[list(LOWER_BODY)[:4], 2] = 0  # two lower-body joints left: the upper body every time
    assert {tuple(np.flatnonzero(half_body_joints(no_lower, rng, always)[:, 2] > 0)) for _ in range(50)} == {tuple(sorted(UPPER_BODY))}
    assert all(half_body_joints(_standing(), rng, AugmentConfig(half_body_prob=0.0)) is None for _ in range(50))


def test_a_half_body_crop_fills_the_input_with_that_half(tmp_path):
    """With every draw a half-body one: the chosen half's joints lie inside the 128 px crop and
    the other half's far ones (ankles or head) fall off it and are taught as absent: an all-zero
    map at full weight."""
    img = np.full((400, 200, 3), 90, np.uint8)
    cv2.imwrite(str(tmp_path / "p.png"), img)
    people = PoseSet("lsp", (tmp_path / "p.png",), _standing()[None], np.arange(1))
    cfg = dataclasses.replace(AugmentConfig(half_body_prob=1.0), rotation_prob=0.0, scale=0.0, shift=0.0, flip_prob=0.0,
                              occluder_prob=0.0)
    ds = LSPPoseDataset(people, np.arange(1), (128, 128), 4, augment=cfg, seed=3)
    ankles = [i for i, n in enumerate(LSP14.joints) if "ankle" in n]
    head = LSP14.joints.index("head_top")
    seen = set()
    for _ in range(20):
        item = ds[0]
        kp, w, maps = item["joints"].numpy(), item["weights"].numpy(), item["targets"].numpy()
        inside = (kp[:, 0] >= 0) & (kp[:, 0] < 128) & (kp[:, 1] >= 0) & (kp[:, 1] < 128)
        half = "upper" if inside[list(UPPER_BODY)].all() and not inside[ankles].any() else "lower"
        if half == "lower":
            assert inside[list(LOWER_BODY)].all() and not inside[head]
            assert w[head] == 1 and maps[head].max() == 0
        else:
            assert (w[ankles] == 1).all() and maps[ankles].max() == 0
        assert all(maps[i].max() > 0.5 for i in range(14) if inside[i])
        seen.add(half)
    assert seen == {"upper", "lower"}


def test_the_share_of_half_body_crops_is_a_checked_training_option():
    import pytest

    from poseviz.core.errors import PoseVizInputError
    from poseviz.training.loop import TrainConfig

    with pytest.raises(PoseVizInputError, match=r"--half-body must be a probability in \[0, 1\] \(got 1.5\)"):
        TrainConfig(model="cpm_lsp", half_body=1.5).check()


def test_top_down_runs_default_to_hrnets_share_bottom_up_runs_to_none_and_the_run_records_it(tmp_path, monkeypatch):
    from test_train_precision import _tiny_run

    shares = {}
    for name, model, option in (("top-down", "cpm_lsp", {}), ("bottom-up", "openpose_lsp", {}),
                                ("chosen", "cpm_lsp", {"half_body": 0.6})):
        _, config = _tiny_run(tmp_path / name, monkeypatch, model=model, epochs=1, **option)
        shares[name] = config["augment"]["half_body_prob"]
    assert shares == {"top-down": 0.3, "bottom-up": 0.0, "chosen": 0.6}
