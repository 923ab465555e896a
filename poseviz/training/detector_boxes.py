"""The person detector's box for each training or validation person, computed once and kept beside the run.

Training on the detector's own boxes teaches the networks the framing a user's photo gets in the app; selecting
on validation people cropped from them measures what a user gets. A person's box is the detection that best
overlaps their joints' person box (IoU ≥ ``MIN_MATCH_IOU``); NaN where the detector found nobody there.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from poseviz.data.lsp import joints_box
from poseviz.data.poseset import PoseSet

__all__ = ["MIN_MATCH_IOU", "box_iou", "match_person", "person_detector_boxes"]

MIN_MATCH_IOU = 0.3


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of boxes a [N, 4] against b [M, 4], (x, y, w, h) → [N, M]."""
    a, b = np.asarray(a, float).reshape(-1, 4), np.asarray(b, float).reshape(-1, 4)
    x0 = np.maximum(a[:, None, 0], b[None, :, 0])
    y0 = np.maximum(a[:, None, 1], b[None, :, 1])
    x1 = np.minimum(a[:, None, 0] + a[:, None, 2], b[None, :, 0] + b[None, :, 2])
    y1 = np.minimum(a[:, None, 1] + a[:, None, 3], b[None, :, 1] + b[None, :, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    union = a[:, None, 2] * a[:, None, 3] + b[None, :, 2] * b[None, :, 3] - inter
    return inter / np.maximum(union, 1e-12)


def match_person(detections: np.ndarray, joints: np.ndarray) -> np.ndarray:
    """The detection (x, y, w, h) that best overlaps the person whose joints [K, 3] are given, or NaN [4]."""
    from poseviz.inference.person_boxes import JOINTS_TO_PERSON_BOX

    if len(detections) == 0 or (joints[:, 2] > 0).sum() < 2:
        return np.full(4, np.nan)
    x, y, w, h = joints_box(joints)
    f = JOINTS_TO_PERSON_BOX
    person = np.array([x + w / 2 - w * f / 2, y + h / 2 - h * f / 2, w * f, h * f])
    iou = box_iou(person, detections)[0]
    best = int(np.argmax(iou))
    return np.asarray(detections[best], float) if iou[best] >= MIN_MATCH_IOU else np.full(4, np.nan)


def _key(people: PoseSet) -> str:
    h = hashlib.sha256()
    for p in people.paths:
        h.update(Path(p).name.encode())
    h.update(np.ascontiguousarray(people.joints, dtype=np.float64).tobytes())
    return h.hexdigest()[:16]


def person_detector_boxes(people: PoseSet, images: list[np.ndarray], cache_dir: str | Path | None = None,
                          progress: bool = True) -> np.ndarray:
    """[N, 4] detector boxes (x, y, w, h; NaN where none matched) of ``people`` in their decoded ``images``; read
    from / written to ``cache_dir/detector_boxes_<source>_<key>.npz`` when given (the key hashes names and joints)."""
    from poseviz.inference.yolox import detect_persons

    cache = Path(cache_dir) / f"detector_boxes_{people.name.replace('+', '_')}_{_key(people)}.npz" if cache_dir else None
    if cache is not None and cache.is_file():
        boxes = np.load(cache)["boxes"]
        if boxes.shape == (len(people), 4):
            return boxes
    out = np.full((len(people), 4), np.nan)
    for i, img in enumerate(tqdm(images, desc=f"detecting people ({people.name})", disable=not progress, leave=False)):
        dets = np.array([d.box for d in detect_persons(img)]).reshape(-1, 4)
        out[i] = match_person(dets, people.joints[i])
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache.with_suffix(".tmp.npz"), boxes=out)
        cache.with_suffix(".tmp.npz").replace(cache)
    return out
