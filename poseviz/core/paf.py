"""OpenPose-style part affinity fields (Cao et al., CVPR 2017): targets and bottom-up grouping.

A PAF is a 2-channel field per limb: the unit vector from the limb's first joint to its
second on pixels within ``width`` of the segment, zero elsewhere (averaged where people
overlap). Grouping: candidate peaks per joint, every candidate pair of a limb scored by the
line integral of the PAF along the segment (sampled), greedy matching by score so each
peak joins at most one limb of a type, and limbs chained into people.
Shapes: PAFs [L, 2, H, W] for L limbs; heatmaps [K, H, W].
"""
from __future__ import annotations

import numpy as np
from scipy.ndimage import maximum_filter

__all__ = ["paf_targets", "find_peaks", "limb_score", "group_people"]


def paf_targets(people: list[np.ndarray], limbs: list[tuple[int, int]], shape: tuple[int, int], width: float = 1.0) -> np.ndarray:
    """PAF targets [L, 2, H, W] for people given as joints [K, 3] (x, y, v) in grid pixels."""
    h, w = shape
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    out = np.zeros((len(limbs), 2, h, w))
    count = np.zeros((len(limbs), h, w))
    for kp in people:
        for li, (a, b) in enumerate(limbs):
            if kp[a, 2] <= 0 or kp[b, 2] <= 0:
                continue
            d = kp[b, :2] - kp[a, :2]
            n = np.linalg.norm(d)
            if n < 1e-6:
                continue
            u = d / n
            rx, ry = xs - kp[a, 0], ys - kp[a, 1]
            along = rx * u[0] + ry * u[1]
            across = np.abs(rx * -u[1] + ry * u[0])
            on = (along >= 0) & (along <= n) & (across <= width)
            out[li, 0][on] += u[0]
            out[li, 1][on] += u[1]
            count[li][on] += 1
    nz = count > 0
    out[:, 0][nz] /= count[nz]
    out[:, 1][nz] /= count[nz]
    return out


def find_peaks(heatmap: np.ndarray, threshold: float = 0.1) -> np.ndarray:
    """Local maxima (3×3) above ``threshold`` → [P, 3] (x, y, value)."""
    peaks = (heatmap == maximum_filter(heatmap, size=3, mode="constant")) & (heatmap > threshold)
    ys, xs = np.nonzero(peaks)
    return np.column_stack([xs, ys, heatmap[ys, xs]]).astype(np.float64)


def limb_score(paf: np.ndarray, p: np.ndarray, q: np.ndarray, samples: int = 10) -> tuple[float, float]:
    """Line integral of PAF [2, H, W] along p→q: (mean of PAF·unit vector, fraction of samples > 0.05)."""
    d = q[:2] - p[:2]
    n = np.linalg.norm(d)
    if n < 1e-6:
        return 0.0, 0.0
    u = d / n
    t = np.linspace(0, 1, samples)
    xs = np.clip(np.round(p[0] + t * d[0]).astype(int), 0, paf.shape[2] - 1)
    ys = np.clip(np.round(p[1] + t * d[1]).astype(int), 0, paf.shape[1] - 1)
    dots = paf[0, ys, xs] * u[0] + paf[1, ys, xs] * u[1]
    return float(dots.mean()), float((dots > 0.05).mean())


def group_people(heatmaps: np.ndarray, pafs: np.ndarray, limbs: list[tuple[int, int]], threshold: float = 0.1,
                 min_score: float = 0.05) -> list[np.ndarray]:
    """Bottom-up grouping → people as keypoints [K, 3] (x, y, peak; 0 where not found), most complete first."""
    k = heatmaps.shape[0]
    peaks = [find_peaks(heatmaps[j], threshold) for j in range(k)]
    people: list[dict[int, int]] = []  # joint → peak index
    for li, (a, b) in enumerate(limbs):
        cands = []
        for i, p in enumerate(peaks[a]):
            for j, q in enumerate(peaks[b]):
                s, frac = limb_score(pafs[li], p, q)
                if s > min_score and frac >= 0.8:
                    cands.append((s, i, j))
        used_a, used_b = set(), set()
        for s, i, j in sorted(cands, reverse=True):
            if i in used_a or j in used_b:
                continue
            used_a.add(i)
            used_b.add(j)
            owner_a = next((pp for pp in people if pp.get(a) == i), None)
            owner_b = next((pp for pp in people if pp.get(b) == j), None)
            if owner_a is not None and owner_b is not None and owner_a is not owner_b:
                if not set(owner_a) & set(owner_b):
                    owner_a.update(owner_b)
                    people.remove(owner_b)
            elif owner_a is not None:
                owner_a.setdefault(b, j)
            elif owner_b is not None:
                owner_b.setdefault(a, i)
            else:
                people.append({a: i, b: j})
    out = []
    for pp in sorted(people, key=len, reverse=True):
        kp = np.zeros((k, 3))
        for joint, idx in pp.items():
            kp[joint] = peaks[joint][idx]
        out.append(kp)
    return out
