"""The pooling laboratory: one signature for every pooling, and what each keeps.

Shapes: x is [B, C, H, W]. ``pool(x, kind, kernel, stride, padding)`` returns a
``PoolResult`` whose ``output`` is [B, C, H', W'] and, for selecting poolings (max, min,
stochastic, k-max), ``selected`` [B, C, H', W', k] holds flat input indices (h·W + w) of
the positions that produced each output (-1 for padding). torch's own operators are
used where they exist (max, avg, Lp, adaptive, unpool).

- stochastic (Zeiler & Fergus, ICLR 2013): in training, sample one position per window
  with probability a_i / Σ a_j (activations ≥ 0); at test time the probability-weighted
  average Σ p_i a_i.
- k-max: the mean of the k largest values of each window.
- SoftPool (Stergiou et al., ICCV 2021): Σ softmax(a)_i · a_i over the window.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

__all__ = ["PoolingPanels", "pooling_panels", "unpool_panels", "grey_working_image", "model_feature_maps", "rectified_channel", "most_varied_channel", "POOLINGS", "PoolResult", "pool", "unpool_roundtrip", "adaptive_windows", "formula_windows", "adaptive_formula_agrees", "pool_gradient"]

POOLINGS = ("max", "min", "avg", "l2", "stochastic", "kmax", "softpool", "adaptive_avg", "adaptive_max", "global_avg", "global_max")


@dataclass(frozen=True)
class PoolResult:
    """A pooled map and, for selecting poolings, the flat input index each output value came from."""

    output: torch.Tensor
    selected: torch.Tensor | None = None


def _windows(x: torch.Tensor, k: int, s: int, p: int, fill: float) -> tuple[torch.Tensor, torch.Tensor, tuple[int, int]]:
    """Unfold x into windows → values [B, C, k·k, H', W'] (padding = ``fill``) and flat input indices [k·k, H', W']."""
    b, c, h, w = x.shape
    xp = F.pad(x, (p, p, p, p), value=fill)
    oh, ow = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
    vals = F.unfold(xp, k, stride=s).reshape(b, c, k * k, oh, ow)
    idx = torch.arange(h * w, dtype=torch.float64).reshape(1, 1, h, w)
    idx = F.pad(idx, (p, p, p, p), value=-1.0)
    idx = F.unfold(idx, k, stride=s).reshape(k * k, oh, ow).long()
    return vals, idx, (oh, ow)


def _gather_idx(idx: torch.Tensor, local: torch.Tensor) -> torch.Tensor:
    """Window-local positions [B, C, n, H', W'] → flat input indices [B, C, H', W', n]."""
    full = idx.expand(local.shape[0], local.shape[1], *idx.shape)
    return torch.gather(full, 2, local).permute(0, 1, 3, 4, 2)


def pool(
    x: torch.Tensor,
    kind: str,
    kernel: int = 2,
    stride: int | None = None,
    padding: int = 0,
    output_size: int | tuple[int, int] = 1,
    k: int = 2,
    training: bool = False,
    generator: torch.Generator | None = None,
) -> PoolResult:
    """Apply one pooling of ``POOLINGS`` with a common signature (see the module docstring)."""
    s = stride or kernel
    if kind not in POOLINGS:
        raise ValueError(f"unknown pooling {kind!r}; choose one of {', '.join(POOLINGS)}")
    if kind == "max":
        out, ind = F.max_pool2d(x, kernel, s, padding, return_indices=True)
        return PoolResult(out, ind.unsqueeze(-1))
    if kind == "min":
        out, ind = F.max_pool2d(-x, kernel, s, padding, return_indices=True)
        return PoolResult(-out, ind.unsqueeze(-1))
    if kind == "avg":
        return PoolResult(F.avg_pool2d(x, kernel, s, padding))
    if kind == "l2":
        if padding:
            x = F.pad(x, (padding,) * 4)
        return PoolResult(F.lp_pool2d(x, 2, kernel, s))
    if kind == "adaptive_avg":
        return PoolResult(F.adaptive_avg_pool2d(x, output_size))
    if kind == "adaptive_max":
        out, ind = F.adaptive_max_pool2d(x, output_size, return_indices=True)
        return PoolResult(out, ind.unsqueeze(-1))
    if kind == "global_avg":
        return PoolResult(x.mean((-2, -1), keepdim=True))
    if kind == "global_max":
        out, ind = F.adaptive_max_pool2d(x, 1, return_indices=True)
        return PoolResult(out, ind.unsqueeze(-1))
    if kind == "softpool":
        vals, _, _ = _windows(x, kernel, s, padding, float("-inf"))
        weights = torch.softmax(vals, dim=2)
        return PoolResult((weights * torch.nan_to_num(vals, neginf=0.0)).sum(2))
    if kind == "kmax":
        vals, idx, _ = _windows(x, kernel, s, padding, float("-inf"))
        kk = min(k, kernel * kernel)
        top, local = vals.topk(kk, dim=2)
        return PoolResult(top.mean(2), _gather_idx(idx, local))
    # stochastic
    vals, idx, _ = _windows(x, kernel, s, padding, 0.0)
    if (vals < 0).any():
        raise ValueError("stochastic pooling needs non-negative activations (apply it after a ReLU)")
    total = vals.sum(2, keepdim=True)
    probs = torch.where(total > 0, vals / total.clamp_min(1e-12), torch.full_like(vals, 1.0 / vals.shape[2]))
    if training:
        b, c, n, oh, ow = probs.shape
        flat = probs.permute(0, 1, 3, 4, 2).reshape(-1, n)
        choice = torch.multinomial(flat, 1, generator=generator).reshape(b, c, oh, ow, 1).permute(0, 1, 4, 2, 3)
        return PoolResult(torch.gather(vals, 2, choice).squeeze(2), _gather_idx(idx, choice))
    local = probs.argmax(2, keepdim=True)  # the most probable position, for display
    return PoolResult((probs * vals).sum(2), _gather_idx(idx, local))


@dataclass(frozen=True)
class UnpoolResult:
    """Max-pool → max-unpool round trip: what survives, and how much of the input it keeps."""

    pooled: torch.Tensor
    reconstruction: torch.Tensor  # zeros wherever max pooling threw the value away
    kept_fraction: float
    mse: float


def unpool_roundtrip(x: torch.Tensor, kernel: int = 2, stride: int | None = None, padding: int = 0) -> UnpoolResult:
    """Max-pool then max-unpool (torch's ``max_unpool2d``): what survives, and the reconstruction error."""
    s = stride or kernel
    pooled, ind = F.max_pool2d(x, kernel, s, padding, return_indices=True)
    rec = F.max_unpool2d(pooled, ind, kernel, s, padding, output_size=x.shape[-2:])
    kept = float((rec != 0).float().mean())
    return UnpoolResult(pooled, rec, kept, float(((rec - x) ** 2).mean()))


def adaptive_windows(in_size: int, out_size: int) -> list[tuple[int, int]]:
    """The [start, end) windows PyTorch's adaptive pooling uses: ⌊i·in/out⌋ to ⌈(i+1)·in/out⌉."""
    return [((i * in_size) // out_size, -((-(i + 1) * in_size) // out_size)) for i in range(out_size)]


def formula_windows(in_size: int, out_size: int) -> list[tuple[int, int]]:
    """The common shortcut: stride = ⌊in/out⌋, kernel = in − (out − 1)·stride, fixed windows."""
    stride = in_size // out_size
    kernel = in_size - (out_size - 1) * stride
    return [(i * stride, i * stride + kernel) for i in range(out_size)]


def adaptive_formula_agrees(in_size: int, out_size: int) -> bool:
    """Whether the fixed-kernel formula reproduces PyTorch's adaptive windows exactly."""
    return adaptive_windows(in_size, out_size) == formula_windows(in_size, out_size)


def pool_gradient(x: torch.Tensor, kind: str, **kwargs) -> torch.Tensor:
    """∂(Σ output)/∂x: where each pooling sends gradient back (max: only to its arg-max)."""
    x = x.detach().clone().requires_grad_(True)
    pool(x, kind, **kwargs).output.sum().backward()
    return x.grad


def selection_mask(selected: torch.Tensor, shape: tuple[int, int]) -> np.ndarray:
    """Count of how often each input position [H, W] was selected, from ``PoolResult.selected`` of one map."""
    h, w = shape
    flat = selected.reshape(-1)
    flat = flat[flat >= 0]
    return np.bincount(flat.numpy(), minlength=h * w).reshape(h, w)


def most_varied_channel(features: torch.Tensor) -> int:
    """Index of the channel of ``features`` [C, H, W] whose rectified values vary most (a constant
    or dead channel shows nothing pooling could keep or lose)."""
    x = torch.clamp(features.detach().float(), min=0).flatten(1)
    return int(x.var(dim=1, unbiased=False).argmax())


def grey_working_image(rgb: np.ndarray, side: int) -> np.ndarray:
    """The image in grey levels (0–1) with its longer side ``side`` px: small enough to see single windows."""
    import cv2

    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    h, w = grey.shape
    s = side / max(h, w)
    size = (max(1, round(w * s)), max(1, round(h * s)))
    return cv2.resize(grey, size, interpolation=cv2.INTER_AREA).astype(np.float64) / 255.0


@dataclass(frozen=True)
class PoolingPanels:
    """What one pooling does to a 2-D map: titled panels (input, output, selected positions, gradient), and how
    many input positions receive gradient."""

    panels: dict[str, np.ndarray]
    gradient_positions: int
    input_positions: int


def pooling_panels(arr: np.ndarray, kind: str, kernel: int = 2, stride: int = 2, padding: int = 0,
                   output_size: int = 1, k: int = 2) -> PoolingPanels:
    """Pool a 2-D map ``arr`` with ``kind``; the panels the pooling laboratory and lesson 4 draw."""
    x = torch.from_numpy(np.asarray(arr, dtype=np.float64))[None, None]
    args = dict(kernel=int(kernel), stride=int(stride), padding=int(padding), output_size=output_size, k=k)
    res = pool(x, kind, **args)
    h, w = arr.shape
    panels = {f"input {w}×{h}": np.asarray(arr), f"output {res.output.shape[-1]}×{res.output.shape[-2]}": res.output[0, 0].numpy()}
    if res.selected is not None:
        panels["selected input positions (count)"] = selection_mask(res.selected[0, 0], arr.shape)
    grad = pool_gradient(x, kind, **args)[0, 0].numpy()
    panels["gradient reaching the input"] = grad
    return PoolingPanels(panels, int((grad != 0).sum()), int(arr.size))


def unpool_panels(arr: np.ndarray, kernel: int = 2, stride: int | None = None, padding: int = 0) -> tuple[dict[str, np.ndarray], UnpoolResult]:
    """Max-pool then max-unpool a 2-D map: panels (input, reconstruction, |error|) and the ``UnpoolResult``."""
    x = torch.from_numpy(np.asarray(arr, dtype=np.float64))[None, None]
    u = unpool_roundtrip(x, int(kernel), None if stride is None else int(stride), int(padding))
    rec = u.reconstruction[0, 0].numpy()
    return {"input": np.asarray(arr), "unpooled (zeros = lost)": rec, "|error|": np.abs(rec - arr)}, u


def model_feature_maps(model: torch.nn.Module, rgb: np.ndarray) -> dict[str, torch.Tensor]:
    """{name: [C, H, W]} the model's named feature maps for an image resized to its input size."""
    import cv2

    from poseviz.core.preprocess import to_tensor

    crop = cv2.resize(rgb, tuple(model.config.input_size))
    with torch.no_grad():
        return {name: f[0] for name, f in model(to_tensor(crop)).features.items()}


def rectified_channel(features: torch.Tensor, channel: int) -> np.ndarray:
    """One channel of [C, H, W] features after ReLU (stochastic pooling assumes activations ≥ 0)."""
    return np.maximum(features[int(channel)].numpy().astype(np.float64), 0)
