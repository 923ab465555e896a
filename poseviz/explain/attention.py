"""Reading a non-local block's attention: per-query maps, entropy, and how query-dependent it is.

GCNet (Cao et al., ICCVW 2019) observed that the non-local block's attention maps are
almost the same for every query, so one query-independent global context suffices.
``query_dependence`` measures that on our own model: the mean Jensen–Shannon divergence
between the maps of different queries (0 = identical; ln 2 ≈ 0.693 = disjoint).

Shapes: attention [N, N] for one image (rows = queries, each sums to 1) on a grid (h, w), N = h·w.
"""
from __future__ import annotations

import numpy as np

__all__ = ["output_gate", "query_map", "top_k", "entropy_map", "mean_attention", "js_divergence", "query_dependence", "grid_cell", "reference_attentions"]


def grid_cell(xy_crop: tuple[float, float], crop_size: tuple[int, int], hw: tuple[int, int]) -> tuple[int, int]:
    """Crop pixel (x, y) → (column, row) of the attention grid (pixel-centre aligned)."""
    w, h = crop_size
    gh, gw = hw
    col = int(np.clip(np.floor((xy_crop[0] + 0.5) * gw / w), 0, gw - 1))
    row = int(np.clip(np.floor((xy_crop[1] + 0.5) * gh / h), 0, gh - 1))
    return col, row


def query_map(attention: np.ndarray, hw: tuple[int, int], cell: tuple[int, int]) -> np.ndarray:
    """Attention of the query at grid ``cell`` (column, row) over every position → [h, w], sums to 1."""
    h, w = hw
    return np.asarray(attention)[cell[1] * w + cell[0]].reshape(h, w)


def top_k(att_map: np.ndarray, k: int = 5) -> list[tuple[int, int, float]]:
    """The k most attended positions as (column, row, weight), strongest first."""
    flat = np.asarray(att_map).ravel()
    idx = np.argsort(-flat, kind="stable")[:k]
    w = att_map.shape[1]
    return [(int(i % w), int(i // w), float(flat[i])) for i in idx]


def entropy_map(attention: np.ndarray, hw: tuple[int, int]) -> np.ndarray:
    """Entropy (nats) of each query's attention distribution → [h, w]; ln N = uniform."""
    a = np.clip(np.asarray(attention, dtype=np.float64), 1e-30, 1.0)
    return -(a * np.log(a)).sum(-1).reshape(hw)


def uniform_entropy(attention: np.ndarray) -> float:
    """ln N (nats): the entropy of a query that attends to all N positions equally."""
    return float(np.log(np.asarray(attention).shape[-1]))


def entropy_share_map(attention: np.ndarray, hw: tuple[int, int]) -> np.ndarray:
    """Each query's entropy as a share of ``uniform_entropy`` → [h, w] in 0..1 (1 = uniform attention)."""
    return entropy_map(attention, hw) / uniform_entropy(attention)


def mean_attention(attention: np.ndarray, hw: tuple[int, int]) -> np.ndarray:
    """Query-averaged attention → [h, w]: the single map a GCNet-style global-context block would use."""
    return np.asarray(attention).mean(0).reshape(hw)


def js_divergence(p: np.ndarray, q: np.ndarray) -> float:
    """Jensen–Shannon divergence (nats) between two distributions."""
    p = np.asarray(p, dtype=np.float64).ravel()
    q = np.asarray(q, dtype=np.float64).ravel()
    m = 0.5 * (p + q)

    def kl(a: np.ndarray, b: np.ndarray) -> float:
        mask = a > 0
        return float((a[mask] * np.log(a[mask] / b[mask])).sum())

    return 0.5 * kl(p, m) + 0.5 * kl(q, m)


def reference_attentions(hw: tuple[int, int], radius: int = 1) -> dict[str, np.ndarray]:
    """Attention matrices [N, N] on an ``hw`` grid that bracket a measured one: every query attending to every cell
    alike (what GCNet says a non-local block learns: query dependence 0, entropy share 1), and every query attending
    only to its (2·radius+1)² neighbourhood (what a convolution sees: strongly query-dependent)."""
    h, w = hw
    n = h * w
    ys, xs = np.divmod(np.arange(n), w)
    near = (np.abs(ys[:, None] - ys[None]) <= radius) & (np.abs(xs[:, None] - xs[None]) <= radius)
    return {"uniform": np.full((n, n), 1.0 / n),
            f"local {2 * radius + 1}×{2 * radius + 1} (a convolution's view)": near / near.sum(1, keepdims=True)}


def query_dependence(attention: np.ndarray, queries: int = 64, seed: int = 0) -> float:
    """Mean JS divergence (nats) over pairs of ``queries`` randomly chosen query rows."""
    a = np.asarray(attention, dtype=np.float64)
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(a), size=min(queries, len(a)), replace=False)
    vals = [js_divergence(a[i], a[j]) for n, i in enumerate(rows) for j in rows[n + 1:]]
    return float(np.mean(vals)) if vals else 0.0


def output_gate(block) -> float:
    """Largest |γ| of a ``NonLocalBlock``'s output BatchNorm (z = x + BN(W_z y)).

    γ starts at zero, so the block starts as the identity; while it is 0 the attention is
    computed but never reaches the prediction (and θ, φ get no gradient to learn from).
    """
    return float(block.W_z[1].weight.detach().abs().max())
