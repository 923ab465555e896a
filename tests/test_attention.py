import numpy as np
import pytest

from poseviz.explain.attention import entropy_map, grid_cell, js_divergence, mean_attention, query_dependence, query_map, top_k


def _softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def test_query_map_and_top_k_pick_the_row():
    att = _softmax(np.random.default_rng(0).normal(size=(12, 12)))
    m = query_map(att, (3, 4), (1, 2))  # column 1, row 2 → query index 9
    np.testing.assert_allclose(m.ravel(), att[9])
    best = top_k(m, 3)
    assert best[0][2] == pytest.approx(att[9].max()) and best[0][2] >= best[1][2] >= best[2][2]


def test_entropy_is_zero_for_one_hot_and_log_n_for_uniform():
    n = 16
    assert entropy_map(np.eye(n), (4, 4)).max() == pytest.approx(0, abs=1e-12)
    np.testing.assert_allclose(entropy_map(np.full((n, n), 1 / n), (4, 4)), np.log(n))


def test_query_dependence_separates_identical_from_distinct_maps():
    row = _softmax(np.random.default_rng(1).normal(size=20))
    same = np.tile(row, (20, 1))
    assert query_dependence(same) == pytest.approx(0, abs=1e-12)
    assert query_dependence(np.eye(20)) == pytest.approx(np.log(2))
    np.testing.assert_allclose(mean_attention(same, (4, 5)).ravel(), row)
    assert js_divergence([1, 0], [0, 1]) == pytest.approx(np.log(2))


def test_grid_cell_maps_crop_pixels_to_cells():
    assert grid_cell((0, 0), (128, 128), (16, 16)) == (0, 0)
    assert grid_cell((127, 64), (128, 128), (16, 16)) == (15, 8)


def test_output_gate_reads_the_blocks_zero_initialised_batchnorm():
    import torch

    from poseviz.explain.attention import output_gate
    from poseviz.models import NonLocalBlock

    blk = NonLocalBlock(4)
    assert output_gate(blk) == 0.0
    with torch.no_grad():
        blk.W_z[1].weight[2] = -0.25
    assert output_gate(blk) == 0.25


def test_reference_attentions_bracket_query_dependence():
    """Uniform attention has no query dependence and full entropy; a 3×3 neighbourhood is near ln 2 apart for most
    pairs of random queries (they rarely overlap) with low entropy."""
    import numpy as np

    from poseviz.explain.attention import entropy_map, query_dependence, reference_attentions

    uniform, local = reference_attentions((16, 16)).values()
    assert np.allclose(uniform.sum(1), 1) and np.allclose(local.sum(1), 1)
    assert query_dependence(uniform) == 0.0 and np.allclose(entropy_map(uniform, (16, 16)), np.log(256))
    assert 0.9 * np.log(2) < query_dependence(local) <= np.log(2)
    assert entropy_map(local, (16, 16)).mean() < 0.5 * np.log(256)
