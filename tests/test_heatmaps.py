import numpy as np
import pytest
import torch

from poseviz.core.heatmaps import decode, flip_heatmaps, heatmap_to_input, input_to_heatmap, make_targets
from poseviz.core.schemas import LSP14


def _random_targets(n=200, size=(48, 64), sigma=2.0, seed=0):
    rng = np.random.default_rng(seed)
    pts = np.column_stack([rng.uniform(4, size[0] - 5, n), rng.uniform(4, size[1] - 5, n), np.ones(n)])
    hm, w = make_targets(pts, size, sigma)
    return pts, hm[None], w


def test_target_is_an_unnormalised_gaussian_at_the_subpixel_position():
    hm, w = make_targets(np.array([[10.3, 7.6, 2]]), (32, 24), sigma=2.0)
    assert hm.shape == (1, 24, 32) and w[0] == 1
    ys, xs = np.mgrid[0:24, 0:32]
    expected = np.exp(-((xs - 10.3) ** 2 + (ys - 7.6) ** 2) / 8.0)
    np.testing.assert_allclose(hm[0], expected, rtol=1e-5, atol=1e-7)


def test_unlabelled_and_far_outside_joints_get_zero_weight():
    hm, w = make_targets(np.array([[5, 5, 0], [-50, 5, 2], [5, 5, 1]]), (16, 16), sigma=1.5)
    np.testing.assert_array_equal(w, [0, 0, 1])
    assert hm[0].max() == 0 and hm[1].max() == 0 and hm[2].max() == pytest.approx(1.0)


def test_teach_absent_gives_a_cut_off_joint_a_zero_map_at_full_weight():
    hm, w = make_targets(np.array([[5, 5, 0], [-50, 5, 2], [5, 5, 1], [17.5, 5, 2]]), (16, 16), sigma=1.5, teach_absent=True)
    np.testing.assert_array_equal(w, [0, 1, 1, 1])
    assert hm[0].max() == 0 and hm[1].max() == 0 and hm[2].max() == pytest.approx(1.0)
    assert hm[3].max() == pytest.approx(np.exp(-2.5**2 / (2 * 1.5**2)))  # 2.5 px beyond the last column: its edge stays


def test_dark_decoding_recovers_subpixel_positions_within_0_1_px():
    pts, hm, _ = _random_targets()
    coords, maxvals = decode(hm, "dark")
    err = np.linalg.norm(coords[0] - pts[:, :2], axis=-1)
    assert err.max() <= 0.1
    assert maxvals.min() > 0.7


def _dark_on_whole_maps(hm: np.ndarray, coords: np.ndarray, kernel: int) -> np.ndarray:
    """DARK as its paper's code does it: smooth every whole map (scipy), rescale, log, edge-padded Newton step."""
    from scipy.ndimage import gaussian_filter
    b, k, h, w = hm.shape
    sm = gaussian_filter(hm.astype(np.float64), sigma=(0, 0, (kernel - 1) / 6, (kernel - 1) / 6), mode="constant", truncate=3.0)
    sm *= (hm.reshape(b, k, -1).max(-1) / sm.reshape(b, k, -1).max(-1))[..., None, None]
    pad = np.pad(np.log(np.maximum(sm, 1e-10)), ((0, 0), (0, 0), (1, 1), (1, 1)), mode="edge")
    out = coords.copy()
    for bi in range(b):
        for ki in range(k):
            x, y = int(coords[bi, ki, 0]) + 1, int(coords[bi, ki, 1]) + 1
            p = pad[bi, ki, y - 1:y + 2, x - 1:x + 2]
            g = np.array([(p[1, 2] - p[1, 0]) / 2, (p[2, 1] - p[0, 1]) / 2])
            hxx, hyy = p[1, 2] - 2 * p[1, 1] + p[1, 0], p[2, 1] - 2 * p[1, 1] + p[0, 1]
            hxy = (p[2, 2] - p[2, 0] - p[0, 2] + p[0, 0]) / 4
            hess = np.array([[hxx, hxy], [hxy, hyy]])
            if hxx < 0 and hyy < 0 and abs(np.linalg.det(hess)) > 1e-12:
                step = -np.linalg.solve(hess, g)
                if np.abs(step).max() <= 1.0:
                    out[bi, ki] += step
    return out


@pytest.mark.parametrize("kernel", [3, 5, 11])
def test_dark_smoothing_only_near_the_peak_equals_smoothing_the_whole_map(kernel):
    rng = np.random.default_rng(kernel)
    _, hm, _ = _random_targets(n=40, size=(40, 40), sigma=1.5, seed=kernel)
    hm = hm + 0.3 * rng.random(hm.shape) * hm.max(axis=(-2, -1), keepdims=True)  # network-like noise
    hm[0, :3, 0, :] += 2.0  # peaks on the border rows, where the edge padding matters
    hm[0, 3, :, -1] += 2.0
    coords, _ = decode(hm, "argmax")
    expected = _dark_on_whole_maps(hm, coords, kernel)
    got, _ = decode(hm, "dark", dark_blur_kernel=kernel)
    np.testing.assert_allclose(got, expected, atol=1e-9)
    assert np.abs(got - coords).max() > 0.05  # the step really moved the points


def test_quarter_shift_decoding_is_within_0_35_px_and_beats_argmax():
    pts, hm, _ = _random_targets(seed=1)
    q = np.abs(decode(hm, "quarter")[0][0] - pts[:, :2])
    a = np.abs(decode(hm, "argmax")[0][0] - pts[:, :2])
    assert q.max() <= 0.35
    assert q.mean() < a.mean()


def test_input_heatmap_mapping_aligns_pixel_centres():
    # stride 4: input pixel centres 1.5 (=(0+0.5)*4-0.5) correspond to heatmap pixel 0
    np.testing.assert_allclose(heatmap_to_input(np.array([0.0]), 4), [1.5])
    x = np.array([0.0, 13.7, 127.0])
    np.testing.assert_allclose(heatmap_to_input(input_to_heatmap(x, 4), 4), x)


def test_flipping_input_and_back_recovers_the_joint_exactly():
    w_in, stride = 128, 4
    x, y = 37.3, 60.1
    kp = np.zeros((14, 3))
    kp[LSP14.index("left_wrist")] = [x, y, 2]
    hm, _ = make_targets(np.column_stack([input_to_heatmap(kp[:, :2], stride), kp[:, 2]]), (32, 32), 1.5)
    # the heatmap a perfect model gives for the mirrored input: joint mirrored and renamed
    kpf = kp[LSP14.flip_permutation()].copy()
    kpf[:, 0] = np.where(kpf[:, 2] > 0, w_in - 1 - kpf[:, 0], 0)
    hmf, _ = make_targets(np.column_stack([input_to_heatmap(kpf[:, :2], stride), kpf[:, 2]]), (32, 32), 1.5)
    back = flip_heatmaps(hmf[None], LSP14.flip_permutation())
    np.testing.assert_allclose(back, hm[None], atol=1e-6)
    back_t = flip_heatmaps(torch.from_numpy(hmf[None]), LSP14.flip_permutation())
    np.testing.assert_allclose(back_t.numpy(), hm[None], atol=1e-6)


def test_decode_rejects_bad_input():
    with pytest.raises(ValueError, match="B, K, H, W"):
        decode(np.zeros((3, 4, 4)))
    with pytest.raises(ValueError, match="unknown decoding"):
        decode(np.zeros((1, 1, 4, 4)), "soft")
