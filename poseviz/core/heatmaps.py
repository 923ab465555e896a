"""Heatmap coding: Gaussian belief-map targets, decoding, and flip-test averaging.

Shapes: B batch, K joints, H×W heatmap. Coordinates are 0-based pixel centres.
Between a model input of size (W_in, H_in) and a heatmap of stride s, a point maps as
``u = (x + 0.5) / s - 0.5`` (and back with ``x = (u + 0.5) * s - 0.5``), so pixel
centres line up at every resolution and flipping the heatmap array is an exact flip.
"""
from __future__ import annotations

import numpy as np

__all__ = [
    "make_targets", "decode", "input_to_heatmap", "heatmap_to_input", "flip_heatmaps",
    "DECODERS",
]

DECODERS = ("argmax", "quarter", "dark")


def input_to_heatmap(points: np.ndarray, stride: float) -> np.ndarray:
    """Input-pixel coordinates → heatmap coordinates for a heatmap of ``stride``."""
    return (np.asarray(points, dtype=np.float64) + 0.5) / stride - 0.5


def heatmap_to_input(points: np.ndarray, stride: float) -> np.ndarray:
    """Heatmap coordinates → input-pixel coordinates."""
    return (np.asarray(points, dtype=np.float64) + 0.5) * stride - 0.5


def make_targets(
    keypoints: np.ndarray, heatmap_size: tuple[int, int], sigma: float = 2.0, teach_absent: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Unnormalised Gaussian belief-map targets, peak value 1 at the sub-pixel joint position.

    Args:
        keypoints: [K, 3] (x, y, v) in heatmap pixels; v = 0 marks an unlabelled joint.
        heatmap_size: (W, H).
        sigma: Gaussian standard deviation in heatmap pixels.
        teach_absent: give a labelled joint whose Gaussian lies wholly outside the map an
            all-zero map at full weight ("not in this crop") instead of weight 0.

    Returns:
        targets [K, H, W] float32 and target_weight [K] float32 (0 for unlabelled joints
        and, unless ``teach_absent``, for joints whose Gaussian lies wholly outside the map,
        beyond 3 sigma).
    """
    kp = np.asarray(keypoints, dtype=np.float64)
    w, h = heatmap_size
    k = kp.shape[0]
    xs = np.arange(w, dtype=np.float64)
    ys = np.arange(h, dtype=np.float64)
    weight = (kp[:, 2] > 0).astype(np.float32)
    x, y = kp[:, 0], kp[:, 1]
    finite = np.isfinite(x) & np.isfinite(y)
    inside = finite & (x > -3 * sigma) & (x < w - 1 + 3 * sigma) & (y > -3 * sigma) & (y < h - 1 + 3 * sigma)
    if not teach_absent:
        weight *= inside.astype(np.float32)
    xc = np.where(finite, x, 0.0)
    yc = np.where(finite, y, 0.0)
    gx = np.exp(-((xs[None, :] - xc[:, None]) ** 2) / (2 * sigma**2))
    gy = np.exp(-((ys[None, :] - yc[:, None]) ** 2) / (2 * sigma**2))
    targets = (gy[:, :, None] * gx[:, None, :]).astype(np.float32)
    targets *= (weight * inside)[:, None, None]
    return targets.reshape(k, h, w), weight


def _argmax(heatmaps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    b, k, h, w = heatmaps.shape
    flat = heatmaps.reshape(b, k, -1)
    idx = flat.argmax(-1)
    maxvals = np.take_along_axis(flat, idx[..., None], -1)[..., 0].astype(np.float64)
    coords = np.stack([idx % w, idx // w], -1).astype(np.float64)
    return coords, maxvals


def _quarter_shift(heatmaps: np.ndarray, coords: np.ndarray) -> np.ndarray:
    """Move each argmax a quarter pixel toward its higher neighbour (HRNet's get_final_preds)."""
    b, k, h, w = heatmaps.shape
    out = coords.copy()
    px = coords[..., 0].astype(int)
    py = coords[..., 1].astype(int)
    bi, ki = np.meshgrid(np.arange(b), np.arange(k), indexing="ij")
    okx = (px > 0) & (px < w - 1)
    oky = (py > 0) & (py < h - 1)
    dx = heatmaps[bi, ki, py, np.clip(px + 1, 0, w - 1)] - heatmaps[bi, ki, py, np.clip(px - 1, 0, w - 1)]
    dy = heatmaps[bi, ki, np.clip(py + 1, 0, h - 1), px] - heatmaps[bi, ki, np.clip(py - 1, 0, h - 1), px]
    out[..., 0] += np.where(okx, np.sign(dx) * 0.25, 0.0)
    out[..., 1] += np.where(oky, np.sign(dy) * 0.25, 0.0)
    return out


def _blur_kernel_1d(blur_kernel: int) -> np.ndarray:
    """The 1-D Gaussian weights ``scipy.ndimage.gaussian_filter`` uses for DARK's modulation (truncate 3)."""
    sigma = (blur_kernel - 1) / 6.0
    radius = int(3.0 * sigma + 0.5)
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    weights = np.exp(-0.5 * x**2 / sigma**2)
    return weights / weights.sum()


def _dark(heatmaps: np.ndarray, coords: np.ndarray, blur_kernel: int) -> np.ndarray:
    """DARK (Zhang et al., CVPR 2020): Newton step on the log heatmap around the argmax.

    The heatmap is first smoothed (kernel ``blur_kernel``, 0 to skip) to make real
    predictions Gaussian-like, then offset = -H⁻¹·∇ from finite differences of log h.
    Only the 3×3 neighbourhood of each argmax is smoothed (the step reads nothing else, and DARK's
    rescaling to the old maximum adds a constant to log h, which no derivative sees): on 16 maps of
    224² this is what keeps decoding off the live frame budget.
    """
    b, k, h, w = heatmaps.shape
    px = coords[..., 0].astype(int)
    py = coords[..., 1].astype(int)
    bi, ki = np.meshgrid(np.arange(b), np.arange(k), indexing="ij")
    weights = _blur_kernel_1d(blur_kernel) if blur_kernel > 1 else np.ones(1)
    r = len(weights) // 2
    taps = np.arange(-r, r + 1)
    steps = np.array([-1, 0, 1])
    # neighbours off the map repeat the edge (as DARK pads log h); the filter reads zeros off the map
    ny = np.clip(py[..., None] + steps, 0, h - 1)[..., :, None] + taps  # [B, K, 3, T]
    nx = np.clip(px[..., None] + steps, 0, w - 1)[..., :, None] + taps
    yy, xx = ny[..., :, None, :, None], nx[..., None, :, None, :]  # [B, K, 3, 3, T, T]
    inside = (yy >= 0) & (yy < h) & (xx >= 0) & (xx < w)
    values = heatmaps[bi[..., None, None, None, None], ki[..., None, None, None, None],
                      np.clip(yy, 0, h - 1), np.clip(xx, 0, w - 1)]
    smoothed = np.einsum("bkyxij,i,j->bkyx", np.where(inside, values, 0.0), weights, weights)
    logh = np.log(np.maximum(smoothed, 1e-10))

    def at(dy: int, dx: int) -> np.ndarray:
        return logh[..., dy + 1, dx + 1]

    out = coords.copy()
    c = at(0, 0)
    dx = 0.5 * (at(0, 1) - at(0, -1))
    dy = 0.5 * (at(1, 0) - at(-1, 0))
    dxx = at(0, 1) - 2 * c + at(0, -1)
    dyy = at(1, 0) - 2 * c + at(-1, 0)
    dxy = 0.25 * (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1))
    det = dxx * dyy - dxy**2
    ok = (np.abs(det) > 1e-12) & (dxx < 0) & (dyy < 0)
    safe = np.where(ok, det, 1.0)
    ox = -(dyy * dx - dxy * dy) / safe
    oy = -(dxx * dy - dxy * dx) / safe
    # A Newton step longer than a pixel means the quadratic model does not hold there.
    ok &= (np.abs(ox) <= 1.0) & (np.abs(oy) <= 1.0)
    out[..., 0] += np.where(ok, ox, 0.0)
    out[..., 1] += np.where(ok, oy, 0.0)
    return out


def decode(
    heatmaps: np.ndarray, method: str = "quarter", dark_blur_kernel: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Belief maps → joint positions.

    Args:
        heatmaps: [B, K, H, W] (numpy or anything ``np.asarray`` accepts).
        method: "argmax", "quarter" (argmax + ¼ px toward the higher neighbour, HRNet)
            or "dark" (second-order Taylor refinement on the log heatmap).
        dark_blur_kernel: odd Gaussian kernel size for DARK's modulation; 0 disables
            it (exact for ideal Gaussian targets; use 3–11 on network outputs).

    Returns:
        coords [B, K, 2] (x, y) in heatmap pixels and maxvals [B, K] (peak values).
    """
    hm = np.asarray(heatmaps)
    if not np.issubdtype(hm.dtype, np.floating):
        hm = hm.astype(np.float64)  # float maps stay as they are: a whole-map copy would cost more than decoding
    if hm.ndim != 4:
        raise ValueError(f"heatmaps must be [B, K, H, W], got shape {hm.shape}")
    if method not in DECODERS:
        raise ValueError(f"unknown decoding {method!r}; choose one of {', '.join(DECODERS)}")
    coords, maxvals = _argmax(hm)
    if method == "quarter":
        coords = _quarter_shift(hm, coords)
    elif method == "dark":
        coords = _dark(hm, coords, dark_blur_kernel)
    return coords, maxvals


def flip_heatmaps(heatmaps: np.ndarray, flip_perm: np.ndarray) -> np.ndarray:
    """Belief maps of a horizontally flipped input → the unflipped frame.

    Mirrors the W axis and swaps left/right joints with ``flip_perm``
    (``KeypointSchema.flip_permutation()``). Works on numpy arrays and torch tensors
    of shape [..., K, H, W].
    """
    if hasattr(heatmaps, "flip"):
        return heatmaps.flip(-1)[..., list(flip_perm), :, :]
    return np.asarray(heatmaps)[..., ::-1][..., list(flip_perm), :, :]

