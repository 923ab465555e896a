"""Pooling laboratory against torch.nn.functional, gradcheck, and the papers' formulas."""
import pytest
import torch
import torch.nn.functional as F

from poseviz.explain.pooling import adaptive_formula_agrees, adaptive_windows, formula_windows, pool, pool_gradient, selection_mask, unpool_roundtrip


@pytest.fixture()
def x():
    return torch.randn(2, 3, 9, 11, generator=torch.Generator().manual_seed(0), dtype=torch.float64)


@pytest.mark.parametrize("kernel, stride, padding", [(2, 2, 0), (3, 2, 1), (3, 1, 1)])
def test_operators_equal_torch(x, kernel, stride, padding):
    torch.testing.assert_close(pool(x, "max", kernel, stride, padding).output, F.max_pool2d(x, kernel, stride, padding))
    torch.testing.assert_close(pool(x, "avg", kernel, stride, padding).output, F.avg_pool2d(x, kernel, stride, padding))
    torch.testing.assert_close(pool(x, "min", kernel, stride, padding).output, -F.max_pool2d(-x, kernel, stride, padding))
    if padding == 0:
        torch.testing.assert_close(pool(x, "l2", kernel, stride).output, F.lp_pool2d(x, 2, kernel, stride))


def test_adaptive_and_global_equal_torch(x):
    torch.testing.assert_close(pool(x, "adaptive_avg", output_size=(4, 3)).output, F.adaptive_avg_pool2d(x, (4, 3)))
    torch.testing.assert_close(pool(x, "adaptive_max", output_size=4).output, F.adaptive_max_pool2d(x, 4))
    torch.testing.assert_close(pool(x, "global_avg").output, x.mean((-2, -1), keepdim=True))
    torch.testing.assert_close(pool(x, "global_max").output, x.amax((-2, -1), keepdim=True))


def test_max_selected_positions_hold_the_maxima(x):
    res = pool(x, "max", 3, 2, 1)
    picked = torch.gather(x.flatten(2), 2, res.selected[..., 0].flatten(2)).reshape(res.output.shape)
    torch.testing.assert_close(picked, res.output)


def test_unpool_keeps_only_the_maxima(x):
    r = unpool_roundtrip(x, 2)
    ref = F.max_unpool2d(*F.max_pool2d(x, 2, return_indices=True), 2, output_size=x.shape[-2:])
    torch.testing.assert_close(r.reconstruction, ref)
    assert r.kept_fraction == pytest.approx((2 * 3 * 4 * 5) / x.numel())  # one value per 2×2 window survives
    assert r.mse > 0


@pytest.mark.parametrize("kind", ["max", "avg", "l2", "softpool", "kmax", "stochastic"])
def test_gradcheck(kind):
    x = (torch.rand(1, 2, 6, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(1)) + 0.1).requires_grad_(True)
    assert torch.autograd.gradcheck(lambda t: pool(t, kind, 2, 2).output, (x,))


def test_max_sends_gradient_only_to_the_argmax(x):
    g = pool_gradient(x, "max", kernel=2)
    assert int((g != 0).sum()) == 2 * 3 * 4 * 5 and float(g.sum()) == 2 * 3 * 4 * 5
    ga = pool_gradient(x, "avg", kernel=2)
    assert int((ga != 0).sum()) == 2 * 3 * 8 * 10  # average spreads it over every window position


def test_stochastic_monte_carlo_mean_equals_test_time_average():
    x = torch.rand(1, 4, 8, 8, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    test_time = pool(x, "stochastic", 2).output
    g = torch.Generator().manual_seed(3)
    mc = torch.stack([pool(x, "stochastic", 2, training=True, generator=g).output for _ in range(4000)]).mean(0)
    torch.testing.assert_close(mc, test_time, atol=0.02, rtol=0)
    with pytest.raises(ValueError, match="non-negative"):
        pool(x - 1, "stochastic", 2)


def test_softpool_equals_its_formula():
    x = torch.randn(1, 1, 4, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(4))
    out = pool(x, "softpool", 2).output
    win = x[0, 0, :2, 2:4].reshape(-1)
    assert float(out[0, 0, 0, 1]) == pytest.approx(float((torch.exp(win) * win).sum() / torch.exp(win).sum()))


def test_kmax_is_the_mean_of_the_k_largest():
    x = torch.tensor([[[[1.0, 5.0], [3.0, 4.0]]]])
    res = pool(x, "kmax", 2, k=2)
    assert float(res.output) == pytest.approx(4.5)
    assert sorted(res.selected.reshape(-1).tolist()) == [1, 3]
    assert selection_mask(res.selected[0, 0], (2, 2)).tolist() == [[0, 1], [0, 1]]


def test_adaptive_formula_agrees_only_on_some_sizes():
    # 8 → 4: stride 2, kernel 2, identical windows; 10 → 4: PyTorch uses windows of 3 and 4 px
    assert adaptive_formula_agrees(8, 4) and adaptive_formula_agrees(12, 3)
    assert not adaptive_formula_agrees(10, 4)
    assert adaptive_windows(10, 4) == [(0, 3), (2, 5), (5, 8), (7, 10)]
    assert formula_windows(10, 4) == [(0, 4), (2, 6), (4, 8), (6, 10)]
    # our window description matches what torch computes
    x = torch.arange(10.0).reshape(1, 1, 1, 10)
    ref = F.adaptive_avg_pool2d(x, (1, 4)).reshape(-1)
    mine = torch.tensor([x[0, 0, 0, a:b].mean() for a, b in adaptive_windows(10, 4)])
    torch.testing.assert_close(ref, mine)


def test_most_varied_channel_skips_constant_and_dead_channels():
    import torch

    from poseviz.explain.pooling import most_varied_channel

    f = torch.zeros(4, 3, 3)
    f[0] = 5.0  # constant
    f[1] = -torch.arange(9.0).reshape(3, 3)  # all negative: zero after ReLU
    f[2, 0, 0] = 1.0  # variance 8/81
    f[3] = torch.tensor([[0.0, 2.0, 0.0], [2.0, 0.0, 2.0], [0.0, 2.0, 0.0]])  # variance 80/81
    assert most_varied_channel(f) == 3


# Hand-computed cases (dsntnn style): tiny arrays whose pooled values are written out by hand, so a
# wrapper that calls the wrong torch function, swaps kernel and stride or pads wrongly fails here.
X4 = torch.tensor([[1.0, 2.0, 3.0, 4.0],
                   [5.0, 6.0, 7.0, 8.0],
                   [9.0, 10.0, 11.0, 12.0],
                   [13.0, 14.0, 15.0, 16.0]])[None, None]


def test_hand_computed_2x2_poolings():
    assert pool(X4, "max", 2, 2, 0).output[0, 0].tolist() == [[6.0, 8.0], [14.0, 16.0]]
    assert pool(X4, "min", 2, 2, 0).output[0, 0].tolist() == [[1.0, 3.0], [9.0, 11.0]]
    assert pool(X4, "avg", 2, 2, 0).output[0, 0].tolist() == [[3.5, 5.5], [11.5, 13.5]]
    l2 = pool(X4, "l2", 2, 2, 0).output[0, 0]
    torch.testing.assert_close(l2[0, 0], torch.tensor((1 + 4 + 25 + 36) ** 0.5))  # √66
    kmax = pool(X4, "kmax", 2, 2, 0, k=2).output[0, 0]
    assert kmax.tolist() == [[5.5, 7.5], [13.5, 15.5]]  # mean of the two largest of each window


def test_hand_computed_overlapping_and_padded_windows():
    # kernel 3, stride 1, no padding: 2×2 outputs, each the max/avg of a 3×3 window
    assert pool(X4, "max", 3, 1, 0).output[0, 0].tolist() == [[11.0, 12.0], [15.0, 16.0]]
    assert pool(X4, "avg", 3, 1, 0).output[0, 0].tolist() == [[6.0, 7.0], [10.0, 11.0]]
    # kernel 2, stride 2, padding 1: 3×3 outputs; the corner window sees only X4[0, 0] (max ignores padding)
    padded = pool(X4, "max", 2, 2, 1).output[0, 0]
    assert padded.tolist() == [[1.0, 3.0, 4.0], [9.0, 11.0, 12.0], [13.0, 15.0, 16.0]]


def test_hand_computed_adaptive_and_global():
    # adaptive to 2×2 on a 4×4 input: the four quadrants
    assert pool(X4, "adaptive_avg", output_size=2).output[0, 0].tolist() == [[3.5, 5.5], [11.5, 13.5]]
    assert pool(X4, "adaptive_max", output_size=2).output[0, 0].tolist() == [[6.0, 8.0], [14.0, 16.0]]
    # adaptive to 1×3 on width 4: windows [0, 2), [1, 3), [2, 4) (floor/ceil of i·4/3), all rows
    assert pool(X4, "adaptive_avg", output_size=(1, 3)).output[0, 0].tolist() == [[7.5, 8.5, 9.5]]  # column means 7, 8, 9, 10


def test_pooling_panels_hand_computed_max_case():
    import numpy as np

    from poseviz.explain.pooling import pooling_panels, unpool_panels

    arr = np.array([[1, 5, 0, 2], [3, 2, 7, 1], [0, 0, 1, 1], [4, 0, 1, 9]], dtype=float)
    view = pooling_panels(arr, "max", kernel=2, stride=2)
    out, sel, grad = (view.panels[k] for k in ("output 2×2", "selected input positions (count)", "gradient reaching the input"))
    assert out.tolist() == [[5, 7], [4, 9]]
    assert np.argwhere(sel).tolist() == [[0, 1], [1, 2], [3, 0], [3, 3]]  # the four window maxima
    assert view.gradient_positions == 4 and view.input_positions == 16 and grad.sum() == 4
    panels, u = unpool_panels(arr, 2)
    assert u.kept_fraction == 0.25 and panels["|error|"][0, 0] == 1 and panels["|error|"][0, 1] == 0
