"""How much a score on a small set would move on another draw of the same kind: bootstrap confidence intervals
over images (COCO AP, whose people are matched within an image) and over people (PCK)."""
from __future__ import annotations

import numpy as np

from poseviz.metrics.coco_eval import coco_keypoint_eval

__all__ = ["bootstrap_coco_ap", "bootstrap_mean", "bootstrap_ratio", "pck_interval", "interval_text"]


def bootstrap_coco_ap(gt_dataset: dict, results: list[dict], sigmas: np.ndarray, resamples: int = 300,
                      seed: int = 0, level: float = 0.95, progress_callback=None) -> tuple[float, float]:
    """The ``level`` percentile interval of COCO AP over ``resamples`` draws of the images with replacement (each
    drawn copy a distinct image to pycocotools, its annotations and results with it). ``progress_callback(fraction)``,
    if given, is called after each draw (each is a whole pycocotools evaluation)."""
    by_image = {im["id"]: im for im in gt_dataset["images"]}
    anns: dict = {}
    for a in gt_dataset["annotations"]:
        anns.setdefault(a["image_id"], []).append(a)
    res: dict = {}
    for r in results:
        res.setdefault(r["image_id"], []).append(r)
    ids = sorted(by_image)
    rng = np.random.default_rng(seed)
    aps = []
    for _ in range(resamples):
        images, annotations, detections = [], [], []
        for new, iid in enumerate(rng.choice(ids, len(ids)), start=1):
            images.append({**by_image[iid], "id": new})
            annotations += [{**a, "id": len(annotations) + 1 + k, "image_id": new} for k, a in enumerate(anns.get(iid, []))]
            detections += [{**r, "image_id": new} for r in res.get(iid, [])]
        aps.append(coco_keypoint_eval({**gt_dataset, "images": images, "annotations": annotations}, detections, sigmas).stats[0])
        if progress_callback is not None:
            progress_callback(len(aps) / resamples)
    return _percentile_interval(aps, level)


def bootstrap_mean(values: np.ndarray, resamples: int = 2000, seed: int = 0, level: float = 0.95) -> tuple[float, float]:
    """The ``level`` percentile interval of the mean of ``values`` (one per person) over resamples of the people."""
    v = np.asarray(values, dtype=np.float64)
    rng = np.random.default_rng(seed)
    means = v[rng.integers(0, len(v), (resamples, len(v)))].mean(1)
    return _percentile_interval(means, level)


def bootstrap_ratio(hits: np.ndarray, totals: np.ndarray, minus: np.ndarray | None = None, scale: float = 100.0,
                    resamples: int = 2000, seed: int = 0, level: float = 0.95) -> tuple[float, float]:
    """The ``level`` percentile interval of ``scale`` × (Σ hits − Σ minus) / Σ totals over resamples of the people.

    One entry per person: a pooled score such as PCK (correct joints over labelled joints) is a ratio of sums, not a
    mean of per-person scores, so the people are resampled and both sums recomputed. ``minus`` (the same people's
    hits under another condition) gives the interval of a paired difference: the same draw of people for both,
    which is what tells two models or two settings apart on one test set."""
    h = np.asarray(hits, dtype=np.float64)
    t = np.asarray(totals, dtype=np.float64)
    d = h - (np.asarray(minus, dtype=np.float64) if minus is not None else 0.0)
    if d.shape != t.shape or d.ndim != 1 or len(d) == 0:
        raise ValueError(f"hits {h.shape} and totals {t.shape} (and minus) must be the same non-empty 1-d length")
    idx = np.random.default_rng(seed).integers(0, len(d), (resamples, len(d)))
    den = t[idx].sum(1)
    ratios = scale * d[idx].sum(1)[den > 0] / den[den > 0]  # a draw with nothing labelled has no score
    return _percentile_interval(ratios, level) if len(ratios) else (float("nan"), float("nan"))


def pck_interval(correct: np.ndarray, counted: np.ndarray, baseline: np.ndarray | None = None,
                 **kwargs) -> tuple[float, float]:
    """The bootstrap interval (%) of PCK over people from ``correct`` [N, K] and the joints ``counted`` [N, K]
    (``PCKResult.correct`` / ``.labelled``, or a subset such as the occluded joints); with ``baseline`` [N, K],
    of the paired difference ``correct`` − ``baseline`` in points."""
    counted = np.asarray(counted, dtype=bool)
    hits = (np.asarray(correct, dtype=bool) & counted).sum(1)
    minus = None if baseline is None else (np.asarray(baseline, dtype=bool) & counted).sum(1)
    return bootstrap_ratio(hits, counted.sum(1), minus, **kwargs)


def interval_text(interval: tuple[float, float], digits: int = 1) -> str:
    """``(lo, hi)`` as a table cell, e.g. "71.2 – 75.9"."""
    lo, hi = interval
    return f"{lo:.{digits}f} – {hi:.{digits}f}"


def _percentile_interval(values, level: float) -> tuple[float, float]:
    tail = 100 * (1 - level) / 2
    lo, hi = np.percentile(values, [tail, 100 - tail])
    return float(lo), float(hi)
