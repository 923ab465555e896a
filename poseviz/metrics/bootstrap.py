"""How much a score on a small set would move on another draw of the same kind: bootstrap confidence intervals
over images (COCO AP, whose people are matched within an image) and over people (PCK)."""
from __future__ import annotations

import numpy as np

from poseviz.metrics.coco_eval import coco_keypoint_eval

__all__ = ["bootstrap_coco_ap", "bootstrap_mean"]


def bootstrap_coco_ap(gt_dataset: dict, results: list[dict], sigmas: np.ndarray, resamples: int = 300,
                      seed: int = 0, level: float = 0.95) -> tuple[float, float]:
    """The ``level`` percentile interval of COCO AP over ``resamples`` draws of the images with replacement (each
    drawn copy a distinct image to pycocotools, its annotations and results with it)."""
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
    tail = 100 * (1 - level) / 2
    lo, hi = np.percentile(aps, [tail, 100 - tail])
    return float(lo), float(hi)


def bootstrap_mean(values: np.ndarray, resamples: int = 2000, seed: int = 0, level: float = 0.95) -> tuple[float, float]:
    """The ``level`` percentile interval of the mean of ``values`` (one per person) over resamples of the people."""
    v = np.asarray(values, dtype=np.float64)
    rng = np.random.default_rng(seed)
    means = v[rng.integers(0, len(v), (resamples, len(v)))].mean(1)
    tail = 100 * (1 - level) / 2
    lo, hi = np.percentile(means, [tail, 100 - tail])
    return float(lo), float(hi)
