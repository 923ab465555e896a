"""Which person to look at in a user's photo: numbered candidates and a sensible default.

Candidates come from the YOLOX-Nano person detector (``poseviz.inference.yolox``), numbered by prominence:
the default, #1, is the person with the largest ``prominence`` (box area × detector score × √ nearness to the
image centre). On the COCO sample the default box meets an annotated person (IoU ≥ 0.5) on 85.7 % of images,
against 39.3 % for the finders below (``benchmarks/default_person.py``); those finders are used only when the
detector cannot run (its file missing or damaged; ``detector_status`` says why).

The fallback finders are two: the OpenPose-style model's bottom-up grouping (people as
joints linked by part affinity fields; only those that look whole, ``looks_whole``) and OpenCV's
HOG people detector. The default is the largest bottom-up person (a photo's subject is usually
its largest person, and HOG picked the tiny umpire behind a batter), else the largest confident
HOG box, else the whole image — never a doubtful detection. On the COCO sample, the default box
overlaps an annotated person with IoU ≥ 0.5 more often than HOG's top box did
(``benchmarks/default_person.py``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from torch import nn

from poseviz.core.schemas import joints_of
from poseviz.inference.detect import detect_people
from poseviz.inference.top_down import DEFAULT_ENLARGE, model_schema

__all__ = ["BOTTOM_UP_FINDER", "DETECTOR", "PersonCandidate", "person_candidates", "fallback_candidates", "prominence", "default_person", "whole_image_box",
           "MIN_HOG_SCORE", "looks_whole", "JOINTS_TO_PERSON_BOX", "default_box", "box_around_joints"]

# A bottom-up person becomes a candidate only if it looks like a whole person: at least
# ``MIN_WHOLE_JOINTS`` joints, among them ``MIN_LEG_JOINTS`` of the legs and ``MIN_ARM_JOINTS`` of the arms.
# Why: the OpenPose-style models trained in November 2026 grouped a camera and two hands (the bundled
# cameraman, 8 joints) and a collar (the astronaut portrait, 5 joints) into "people", which the largest-
# person default then chose over the whole image. On the COCO sample the rule raises the share of default
# boxes on a real person from 35.7 % to 39.3 % with the weights shipped before (benchmarks/default_person.py).
MIN_WHOLE_JOINTS = 6
MIN_LEG_JOINTS = 2
MIN_ARM_JOINTS = 1
MIN_HOG_SCORE = 1.0  # HOG's SVM margin; below it, boxes on COCO photos were mostly not people
# A person's box is larger than the extent of their joints (head top to ankles leaves hair, hands,
# feet): on COCO people with ≥ 12 labelled joints the box's longer side is a median 1.22× the joints'.
JOINTS_TO_PERSON_BOX = 1.22
BOTTOM_UP_FINDER = "openpose_lsp"  # the fallback finder's model, when the detector cannot run
DETECTOR = "detector"  # a candidate's source when the person detector proposed it


@dataclass(frozen=True)
class PersonCandidate:
    """A person box (x, y, w, h) in image pixels, a score and which finder proposed it."""

    box: tuple[float, float, float, float]
    score: float
    source: str  # "detector", or the fallback finders' "bottom-up" or "HOG"

    @property
    def area(self) -> float:
        return self.box[2] * self.box[3]

    @property
    def crop_box(self) -> tuple[float, float, float, float]:
        """The box to crop (with ``DEFAULT_ENLARGE``, as ``predict_person`` does) so the person is framed like
        a training crop: a detector box outlines the whole body, so it is shrunk by
        ``BOX_ENLARGE / DEFAULT_ENLARGE`` about its centre; the other finders' boxes are used as they are."""
        if self.source != DETECTOR:
            return self.box
        from poseviz.inference.yolox import BOX_ENLARGE

        f = BOX_ENLARGE / DEFAULT_ENLARGE
        x, y, w, h = self.box
        return (x + w * (1 - f) / 2, y + h * (1 - f) / 2, w * f, h * f)


def whole_image_box(width: int, height: int) -> tuple[float, float, float, float]:
    """The box that, after the crop's usual enlargement, is the image itself."""
    f = 1.0 / DEFAULT_ENLARGE
    return (width * (1 - f) / 2, height * (1 - f) / 2, width * f, height * f)


def prominence(candidate: PersonCandidate, width: int, height: int) -> float:
    """How much a detected person is the photo's subject: box area × score × √(nearness to the centre), where
    nearness is 1 at the image centre and 0 at a corner (measured rules: ``benchmarks/default_person.py``)."""
    x, y, w, h = candidate.box
    dx, dy = (x + w / 2 - width / 2) / width, (y + h / 2 - height / 2) / height
    near = max(0.0, 1.0 - float(np.hypot(dx, dy)) / float(np.hypot(0.5, 0.5)))
    return candidate.area * candidate.score * float(np.sqrt(near))


def person_candidates(rgb: np.ndarray, finder: nn.Module | None = None, use_detector: bool = True) -> list[PersonCandidate]:
    """The people of a photo, the default first: the detector's people by ``prominence``. When the detector
    cannot run (or ``use_detector`` is False), the fallback finders: bottom-up people (if ``finder``, an
    OpenPose-style model, is given), then HOG boxes, each group largest first."""
    if use_detector:
        from poseviz.inference.yolox import DetectorUnavailable, detect_persons

        try:
            dets = detect_persons(rgb)
        except DetectorUnavailable:
            dets = None
        if dets is not None:
            h, w = rgb.shape[:2]
            cands = [PersonCandidate(d.box, d.score, DETECTOR) for d in dets]
            return sorted(cands, key=lambda c: -prominence(c, w, h))
    return fallback_candidates(rgb, finder)


def fallback_candidates(rgb: np.ndarray, finder: nn.Module | None = None) -> list[PersonCandidate]:
    """The finders used before the detector: bottom-up people of ``finder`` that look whole, then HOG boxes."""
    from poseviz.inference.bottom_up import ONE_SCALE, predict_people

    out: list[PersonCandidate] = []
    if finder is not None:
        h, w = rgb.shape[:2]
        res = predict_people(finder, rgb, scales=ONE_SCALE)  # one scale: this runs on every new photo, in every page
        names = model_schema(finder).joints
        for kp, score in zip(res.people, res.scores):
            found = kp[:, 2] > 0
            if looks_whole(found, names):
                out.append(PersonCandidate(box_around_joints(kp[found, :2], w, h), float(score), "bottom-up"))
    hog = [PersonCandidate(d.box, d.score, "HOG") for d in detect_people(rgb)]
    out.sort(key=lambda c: -c.area)
    return out + sorted(hog, key=lambda c: -c.area)


def looks_whole(found: np.ndarray, names: tuple[str, ...] | list[str]) -> bool:
    """Whether a bottom-up person with joints ``found`` (bool [K], in the order of ``names``) is whole
    enough to be a candidate: ``MIN_WHOLE_JOINTS`` joints, ``MIN_LEG_JOINTS`` on the legs, ``MIN_ARM_JOINTS`` on the arms."""
    found = np.asarray(found, dtype=bool)
    legs, arms = list(joints_of(names, "legs")), list(joints_of(names, "arms"))
    return bool(found.sum() >= MIN_WHOLE_JOINTS and found[legs].sum() >= MIN_LEG_JOINTS and found[arms].sum() >= MIN_ARM_JOINTS)


def box_around_joints(points: np.ndarray, width: int, height: int) -> tuple[float, float, float, float]:
    """The person box (x, y, w, h) around joint positions [N, 2] (image px): their extent grown by
    ``JOINTS_TO_PERSON_BOX`` about its centre, clipped to the image."""
    (x0, y0), (x1, y1) = points.min(0), points.max(0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    bw, bh = max(x1 - x0, 1.0) * JOINTS_TO_PERSON_BOX, max(y1 - y0, 1.0) * JOINTS_TO_PERSON_BOX
    bx0, by0 = max(cx - bw / 2, 0.0), max(cy - bh / 2, 0.0)
    return tuple(float(v) for v in (bx0, by0, min(cx + bw / 2, width) - bx0, min(cy + bh / 2, height) - by0))


def default_person(candidates: list[PersonCandidate]) -> int | None:
    """Index of the default candidate, or None: no person found. Detector candidates come ordered by
    prominence, so the first is the default; among the fallback finders', the largest bottom-up person, else the
    largest HOG box scoring ≥ ``MIN_HOG_SCORE``."""
    if any(c.source == DETECTOR for c in candidates):
        return next(i for i, c in enumerate(candidates) if c.source == DETECTOR)
    bottom_up = [i for i, c in enumerate(candidates) if c.source == "bottom-up"]
    if bottom_up:
        return max(bottom_up, key=lambda i: candidates[i].area)
    confident = [i for i, c in enumerate(candidates) if c.source == "HOG" and c.score >= MIN_HOG_SCORE]
    return max(confident, key=lambda i: candidates[i].area) if confident else None


def default_box(rgb: np.ndarray, finder: nn.Module | None = None) -> tuple[float, float, float, float]:
    """The box (x, y, w, h) to crop that the app starts from on a photo: ``default_person``'s ``crop_box``
    among ``person_candidates``, else the whole image."""
    candidates = person_candidates(rgb, finder)
    chosen = default_person(candidates)
    h, w = rgb.shape[:2]
    return candidates[chosen].crop_box if chosen is not None else whole_image_box(w, h)
