"""Skeleton-derived dense charts and part affinity fields: targets and grouping."""
import numpy as np
import pytest

from poseviz.core.dense import PARTS, dense_targets, limb_uv
from poseviz.core.heatmaps import make_targets
from poseviz.core.paf import group_people, limb_score, paf_targets
from poseviz.core.schemas import LSP14


def test_straight_limb_gives_u_linear_along_the_bone():
    mask, u, v = limb_uv((40, 60), np.array([10.0, 20.0]), np.array([50.0, 20.0]), 4.0)
    row = 20
    np.testing.assert_allclose(u[row, 10:51], np.linspace(0, 1, 41), atol=1e-12)
    assert mask[row, 10:51].all() and not mask[row + 5, 30] and mask[row + 4, 30]
    assert v[row, 30] == pytest.approx(0.5)
    assert v[row + 4, 30] == pytest.approx(1.0) and v[row - 4, 30] == pytest.approx(0.0)


def test_dense_targets_label_parts_of_a_standing_figure():
    j = np.zeros((14, 2))
    pos = {"head_top": (50, 5), "neck": (50, 20), "right_shoulder": (40, 22), "left_shoulder": (60, 22),
           "right_elbow": (35, 40), "right_wrist": (33, 58), "left_elbow": (65, 40), "left_wrist": (67, 58),
           "right_hip": (43, 60), "left_hip": (57, 60), "right_knee": (42, 80), "right_ankle": (42, 98),
           "left_knee": (58, 80), "left_ankle": (58, 98)}
    for name, xy in pos.items():
        j[LSP14.index(name)] = xy
    t = dense_targets(j, (100, 100))
    assert PARTS[t.I[10, 50]] == "head" and PARTS[t.I[40, 50]] == "torso"
    assert PARTS[t.I[89, 42]] == "right lower leg" and PARTS[t.I[5, 5]] == "background"
    assert t.U[80, 42] == pytest.approx(0.0, abs=0.06) and t.U[97, 42] == pytest.approx(1.0, abs=0.06)


def test_paf_is_the_unit_vector_along_the_limb_and_zero_elsewhere():
    kp = np.array([[5.0, 10.0, 2], [25.0, 10.0, 2]])
    paf = paf_targets([kp], [(0, 1)], (20, 30), width=1.0)
    on = paf[0, :, 10, 5:26]
    np.testing.assert_allclose(on[0], 1.0) and np.testing.assert_allclose(on[1], 0.0)
    assert np.abs(paf[0, :, 15, :]).max() == 0 and np.abs(paf[0, :, 10, 27:]).max() == 0
    diag = paf_targets([np.array([[0.0, 0.0, 2], [10.0, 10.0, 2]])], [(0, 1)], (12, 12))
    np.testing.assert_allclose(diag[0, :, 5, 5], [np.sqrt(0.5)] * 2)
    assert limb_score(paf[0], kp[0], kp[1])[0] == pytest.approx(1.0)
    assert limb_score(paf[0], kp[1], kp[0])[0] == pytest.approx(-1.0)


def _ideal(people, limbs, shape):
    hm = np.max([make_targets(p, shape[::-1], sigma=1.0)[0] for p in people], axis=0)
    return hm, paf_targets(people, limbs, shape, width=1.0)


@pytest.mark.parametrize("crossing", [False, True])
def test_grouping_recovers_two_skeletons_even_with_crossing_limbs(crossing):
    limbs = [(0, 1), (1, 2)]  # a 3-joint chain: shoulder → elbow → wrist
    a = np.array([[10, 10, 2], [20, 30, 2], [30, 50, 2]], float)
    b = np.array([[50, 10, 2], [40, 30, 2], [45, 50, 2]], float)
    if crossing:  # b's forearm crosses a's: wrist to the far left
        b[2] = [12, 52, 2]
    hm, pafs = _ideal([a, b], limbs, (64, 64))
    people = group_people(hm, pafs, limbs)
    assert len(people) == 2
    found = sorted(people, key=lambda p: p[0, 0])
    for got, want in zip(found, (a, b)):
        np.testing.assert_allclose(got[:, :2], want[:, :2], atol=0.5)


def test_part_stats_by_hand():
    import numpy as np

    from poseviz.core.dense import PARTS, part_stats

    index = np.zeros((4, 4), np.int64)
    index[:2, :2] = 1  # four cells of part 1
    u = np.full((4, 4), 0.25)
    v = np.full((4, 4), 0.75)
    rows = part_stats(index, u, v, cell_area=9.0)
    assert rows[0] == {"part": PARTS[1], "area (crop px²)": 36.0, "mean U": 0.25, "mean V": 0.75}
    assert rows[1]["area (crop px²)"] == 0.0 and np.isnan(rows[1]["mean U"])
