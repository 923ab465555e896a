"""The share of occluded training crops is a checked option: 0 trains lesson 6's ablation without pasted rectangles."""
from __future__ import annotations

import argparse

import numpy as np
import pytest

from poseviz.core.errors import PoseVizInputError
from poseviz.training.augment import AugmentConfig, add_occluders
from poseviz.training.loop import TrainConfig


def test_a_share_of_zero_never_pastes_and_a_share_of_one_always_does():
    img = np.full((64, 64, 3), 7, np.uint8)
    rng = np.random.default_rng(0)
    untouched = [np.array_equal(add_occluders(img, rng, AugmentConfig(occluder_prob=0.0)), img) for _ in range(50)]
    pasted = [np.array_equal(add_occluders(img, rng, AugmentConfig(occluder_prob=1.0)), img) for _ in range(50)]
    assert all(untouched) and not any(pasted)


@pytest.mark.parametrize("share", [-0.1, 1.5, float("nan")])
def test_a_share_outside_zero_to_one_is_refused_before_any_work(share):
    with pytest.raises(PoseVizInputError, match=r"--occluders must be a probability in \[0, 1\]"):
        TrainConfig(model="hourglass_noocc_ablation", occluders=share).check()


def test_the_run_records_the_share_it_trained_with(tmp_path, monkeypatch):
    from test_train_precision import _tiny_run

    _, default = _tiny_run(tmp_path / "default", monkeypatch, epochs=1)
    _, none = _tiny_run(tmp_path / "none", monkeypatch, epochs=1, occluders=0.0)
    assert (default["augment"]["occluder_prob"], none["augment"]["occluder_prob"]) == (0.5, 0.0)


def test_every_sub_commands_help_formats(capsys):
    from poseviz.cli import build_parser

    parser = build_parser()
    subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in subs.choices.items():
        assert name in sub.format_help()  # a stray % in a help string raises here, as `train --help` once did
    assert "--occluders" in subs.choices["train"].format_help()
