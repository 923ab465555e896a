"""Follow one person from frame to frame without a detector on every frame.

As MediaPipe's pose tracker does, the next frame's box is the box around this frame's confident
joints; when the person's mean peak belief falls below ``PERSON_BELIEF_THRESHOLD`` (the gate the
app uses on photos) the track is lost and the next frame is searched again. A search costs far
more than a crop (the bottom-up finder runs on the whole frame), so while nobody is in view it is
retried at most once per ``redetect_interval_s`` and the whole frame is used in between.
"""
from __future__ import annotations

import time
from typing import Callable

import numpy as np

from poseviz.inference.confidence import PERSON_BELIEF_THRESHOLD, person_belief
from poseviz.inference.person_boxes import box_around_joints, whole_image_box

__all__ = ["PersonTracker", "Box", "JOINT_THRESHOLD"]

Box = tuple[float, float, float, float]
JOINT_THRESHOLD = 0.2  # a joint whose peak belief is lower does not shape the next box
MIN_TRACKED_JOINTS = 5  # fewer confident joints are too often a limb or a pattern: search again


class PersonTracker:
    """Box for each frame: tracked from the last keypoints, or found by ``detector`` (rgb → box or None)."""

    def __init__(self, detector: Callable[[np.ndarray], Box | None] | None = None,
                 min_belief: float = PERSON_BELIEF_THRESHOLD, redetect_interval_s: float = 1.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.detector = detector
        self.min_belief = min_belief
        self.redetect_interval_s = redetect_interval_s
        self.clock = clock
        self.box: Box | None = None
        self.source = "none"  # how the current box was found: "tracked", "detected" or "whole frame"
        self.detections = 0
        self._last_search = -np.inf

    def reset(self) -> None:
        """Forget the person (the next frame is searched)."""
        self.box, self.source, self._last_search = None, "none", -np.inf

    def box_for(self, rgb: np.ndarray) -> Box:
        """The box to crop in this frame (x, y, w, h, image px)."""
        h, w = rgb.shape[:2]
        if self.box is not None:
            return self.box
        now = self.clock()
        if self.detector is not None and now - self._last_search >= self.redetect_interval_s:
            self._last_search = now
            self.detections += 1
            found = self.detector(rgb)
            if found is not None:
                self.box, self.source = tuple(float(v) for v in found), "detected"
                return self.box
        self.source = "whole frame"
        return whole_image_box(w, h)

    def update(self, keypoints: np.ndarray, frame_size: tuple[int, int]) -> None:
        """Take this frame's keypoints [K, 3] (image px, peak belief); ``frame_size`` = (width, height)."""
        good = keypoints[keypoints[:, 2] >= JOINT_THRESHOLD, :2]
        good = good[np.isfinite(good).all(1)]
        if person_belief(keypoints) < self.min_belief or len(good) < MIN_TRACKED_JOINTS:
            self.box = None  # lost: search the next frame
            return
        self.box, self.source = box_around_joints(good, *frame_size), "tracked"
