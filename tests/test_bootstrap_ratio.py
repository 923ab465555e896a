"""Bootstrap intervals of pooled scores (PCK is a ratio of sums over people), checked against scipy's bootstrap."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import bootstrap

from poseviz.metrics.bootstrap import bootstrap_ratio, interval_text, pck_interval
from poseviz.metrics.pck import pck


def _people(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    totals = rng.integers(4, 15, n)  # people carry different numbers of labelled joints
    hits = rng.binomial(totals, rng.uniform(0.3, 0.9, n))
    return hits, totals


def test_the_interval_of_a_ratio_of_sums_matches_scipys_paired_percentile_bootstrap():
    hits, totals = _people(120)
    ours = bootstrap_ratio(hits, totals, resamples=20000)
    ref = bootstrap((hits, totals), lambda h, t, axis=-1: 100 * h.sum(axis) / t.sum(axis), paired=True,
                    vectorized=True, n_resamples=20000, method="percentile", random_state=1).confidence_interval
    assert ours == pytest.approx((ref.low, ref.high), abs=0.5)  # Monte-Carlo noise of 20,000 draws, in points
    estimate = 100 * hits.sum() / totals.sum()
    assert ours[0] < estimate < ours[1] and ours[1] - ours[0] > 3  # 120 people: several points wide


def test_identical_people_leave_no_doubt_and_a_difference_from_itself_is_zero():
    assert bootstrap_ratio(np.full(30, 3), np.full(30, 4)) == pytest.approx((75.0, 75.0))
    hits, totals = _people(50)
    assert bootstrap_ratio(hits, totals, minus=hits) == (0.0, 0.0)


def test_a_paired_difference_is_narrower_than_either_score_when_conditions_move_together():
    hits, totals = _people(80)
    better = np.minimum(hits + 1, totals)  # the same people, one more joint right each where possible
    lo, hi = bootstrap_ratio(better, totals, minus=hits)
    alone = bootstrap_ratio(better, totals)
    assert 0 < lo < hi and hi - lo < (alone[1] - alone[0]) / 3


def test_pck_interval_counts_only_the_joints_it_is_given():
    gt = np.zeros((40, 14, 3))
    gt[..., 2] = 2
    gt[:, 8, :2], gt[:, 3, :2] = (0, 0), (30, 40)  # torso 50 px: a joint counts within 10 px
    pred = gt[..., :2].copy()
    pred[:20, 0, 0] += 50  # the right ankle of half the people is wrong
    res = pck(pred, gt, np.full(40, 50.0))
    only_ankles = np.zeros_like(res.labelled)
    only_ankles[:, 0] = True
    lo, hi = pck_interval(res.correct, only_ankles)
    assert lo < 50 < hi and hi - lo > 15  # 40 coin flips
    assert pck_interval(res.correct, res.labelled & ~only_ankles) == (100.0, 100.0)
    assert interval_text((71.234, 75.96)) == "71.2 – 76.0"


def test_mismatched_inputs_are_refused():
    with pytest.raises(ValueError, match="same non-empty"):
        bootstrap_ratio(np.ones(3), np.ones(4))
