"""Heatmaps in and out, measured: the Gaussian target's width, the error a decoder makes on a perfect map because
the map is a grid (stride quantisation), and what each decoder and the flip test change on real predictions.

The targets and decoders are the ones training and inference use (``poseviz.core.heatmaps``); nothing here is a
re-implementation for teaching.
"""
from __future__ import annotations

import numpy as np
from torch import nn

from poseviz.core.heatmaps import DECODERS, decode, heatmap_to_input, make_targets

__all__ = ["half_height_radius", "quantisation_errors", "decoder_comparison"]


def half_height_radius(sigma: float, size: int = 64, step: float = 0.001) -> float:
    """Distance (heatmap px) from the joint at which its target falls to half the peak, read off ``make_targets``'s
    own map (sampled finely along x) rather than from the formula σ·√(2 ln 2)."""
    xs = np.arange(0.0, size / 2, step)
    centre = size / 2
    # make_targets samples whole pixels: shift the joint by -x so pixel `centre` reads the target at distance x
    pts = np.column_stack([centre - xs, np.full_like(xs, centre), np.ones_like(xs)])
    maps, _ = make_targets(pts, (size + 1, size + 1), sigma)
    profile = maps[:, int(centre), int(centre)]
    return float(xs[np.argmax(profile <= 0.5)])


def quantisation_errors(stride: float, sigma: float = 2.0, steps: int = 41, size: int = 32,
                        methods: tuple[str, ...] = DECODERS) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """A perfect target for a joint moved across one heatmap pixel (sub-pixel offsets 0…1 in x, y on a pixel centre)
    and decoded by each method → (offsets, {method: |error| in input px}). What is left is the grid's doing."""
    offsets = np.linspace(0.0, 1.0, steps)
    base = size / 2
    pts = np.column_stack([base + offsets, np.full(steps, base), np.ones(steps)])
    maps, _ = make_targets(pts, (size, size), sigma)
    errors = {}
    for m in methods:
        coords, _ = decode(maps[None], m)
        errors[m] = np.linalg.norm(heatmap_to_input(coords[0], stride) - heatmap_to_input(pts[:, :2], stride), axis=1)
    return offsets, errors


def decoder_comparison(model: nn.Module, data, people: np.ndarray, methods: tuple[str, ...] = DECODERS,
                       flips: tuple[bool, ...] = (False, True), progress_callback=None) -> list[dict]:
    """PCK@0.2 and the median joint error (torso lengths) of ``model`` on LSP ``people`` (ground-truth boxes), for
    every decoder with and without the flip test: one row each, PCK with its 95 % bootstrap interval over the people.
    The network runs once per (person, flip)."""
    from poseviz.metrics.bootstrap import interval_text, pck_interval
    from poseviz.metrics.evaluation import evaluate_lsp, load_images
    from poseviz.metrics.pck import lsp_torso_size

    images = load_images(data, people)
    gt = data.joints[np.asarray(people)]
    torso = lsp_torso_size(gt)
    rows, n = [], 0
    for flip in flips:
        for m in methods:
            if progress_callback is not None:
                progress_callback(n / (len(flips) * len(methods)))
            n += 1
            ev = evaluate_lsp(model, data, people, flip=flip, method=m, images=images, progress=False)
            labelled = gt[..., 2] > 0
            err = np.linalg.norm(ev.predictions[..., :2] - gt[..., :2], axis=-1) / torso[:, None]
            rows.append({"decoder": m, "flip test": "on" if flip else "off", "PCK@0.2 (%)": round(float(ev.pck.mean), 2),
                         "PCK 95 % CI": interval_text(pck_interval(ev.pck.correct, ev.pck.labelled)),
                         "median error (torso lengths)": round(float(np.median(err[labelled])), 4)})
    return rows
