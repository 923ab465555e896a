"""Run a pose model through a video: the person tracked frame to frame, every k-th frame analysed."""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable

import cv2
import numpy as np
from torch import nn

from poseviz.core.geometry import CropTransform, rescale_points
from poseviz.core.schemas import KeypointSchema
from poseviz.inference.top_down import Prediction, predict_crop, predict_person
from poseviz.live.tracker import Box, PersonTracker
from poseviz.video.decode import DEFAULT_MAX_FRAMES, DEFAULT_MAX_SIDE, FrameReader, Source, VideoInfo

__all__ = ["FrameResult", "VideoAnalysis", "analyse_video", "MAX_ANALYSED_FRAMES", "auto_every", "DROP_RATIO", "DROP_FLOOR"]

# Each analysed frame keeps its crop (48 KB) and a JPEG of the frame (~40 KB at 640×360):
# 450 frames stay under 40 MB per video in the app's cache.
MAX_ANALYSED_FRAMES = 450
DROP_RATIO, DROP_FLOOR = 0.5, 0.1  # a drop: belief under half the joint's median over the video, or under 0.1


@dataclass(frozen=True)
class FrameResult:
    """One analysed frame: keypoints [K, 3] in analysed-frame px (x, y, peak belief), the person box
    (x, y, w, h) it was cropped from, the crop the model saw and its transform, how the person was found
    ("detected", "tracked" or "whole frame") and the frame as JPEG (for display)."""

    index: int
    time_s: float
    keypoints: np.ndarray
    box: Box
    crop: np.ndarray
    transform: CropTransform
    source: str
    jpeg: bytes


@dataclass(frozen=True)
class VideoAnalysis:
    """Every analysed frame of a video with one model; ``scale`` = analysed px per file px."""

    info: VideoInfo
    size: tuple[int, int]
    scale: float
    model_name: str
    schema: KeypointSchema
    every: int
    flip: bool
    frames: tuple[FrameResult, ...]
    notes: tuple[str, ...]
    wall_s: float

    @property
    def keypoints(self) -> np.ndarray:
        """[N, K, 3] keypoints of every analysed frame (analysed-frame px, peak belief)."""
        return np.stack([f.keypoints for f in self.frames])

    @property
    def file_keypoints(self) -> np.ndarray:
        """[N, K, 3] keypoints in the video file's own pixels."""
        return rescale_points(self.keypoints, 1 / self.scale)

    @property
    def times(self) -> np.ndarray:
        return np.array([f.time_s for f in self.frames])

    @property
    def frames_per_second(self) -> float:
        """Analysed frames per second of processing (decoding included)."""
        return len(self.frames) / self.wall_s if self.wall_s > 0 else float("nan")

    def image(self, i: int) -> np.ndarray:
        """The ``i``-th analysed frame, RGB."""
        return cv2.cvtColor(cv2.imdecode(np.frombuffer(self.frames[i].jpeg, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)

    def prediction(self, i: int, model: nn.Module) -> Prediction:
        """Every stage for the ``i``-th analysed frame: the model re-run on the stored crop (the same
        input, so the same keypoints as in the analysis)."""
        f = self.frames[i]
        return predict_crop(model, f.crop, f.transform, flip=self.flip)

    def confidence_drops(self, joint: int, ratio: float = DROP_RATIO, floor: float = DROP_FLOOR) -> np.ndarray:
        """Boolean [N]: frames where ``joint``'s peak belief falls under ``ratio`` × its median over the
        video or under ``floor`` (occlusion events, or the joint leaving the view)."""
        b = self.keypoints[:, joint, 2]
        return (b < ratio * np.median(b)) | (b < floor)


def auto_every(info: VideoInfo, max_frames: int = DEFAULT_MAX_FRAMES) -> int:
    """The smallest k that keeps every k-th frame of the first ``max_frames`` within ``MAX_ANALYSED_FRAMES``."""
    total = min(info.frames or max_frames, max_frames)
    return max(1, math.ceil(total / MAX_ANALYSED_FRAMES))


def analyse_video(source: Source, model: nn.Module, model_name: str = "", every: int | None = None,
                  flip: bool = False, max_frames: int = DEFAULT_MAX_FRAMES, max_side: int = DEFAULT_MAX_SIDE,
                  detector: Callable[[np.ndarray], Box | None] | None = None,
                  progress: Callable[[int, int], None] | None = None, time_limit_s: float = 120.0) -> VideoAnalysis:
    """Analyse every ``every``-th frame (default ``auto_every``) of ``source`` with ``model``.

    The person is found by ``detector`` (rgb → box) on the first frame and whenever the belief drops
    (at most once per second of video), and tracked from the previous keypoints in between.
    ``progress(done, total)`` is called after each analysed frame (total is an estimate from the
    container); raising inside it cancels the analysis.
    """
    start = time.perf_counter()
    reader = FrameReader(source, every=1, max_frames=max_frames, max_side=max_side, time_limit_s=time_limit_s)
    every = every or auto_every(reader.info, max_frames)
    reader.every = every
    clock_now = [0.0]
    tracker = PersonTracker(detector, clock=lambda: clock_now[0])
    total = max(1, math.ceil(min(reader.info.frames or max_frames, max_frames) / every))
    results: list[FrameResult] = []
    notes: list[str] = []
    for vf in reader:
        if len(results) >= MAX_ANALYSED_FRAMES:
            notes.append(f"Only {MAX_ANALYSED_FRAMES} frames are analysed; choose a larger step to cover the whole clip.")
            break
        clock_now[0] = vf.time_s
        box = tracker.box_for(vf.rgb)
        found_by = tracker.source
        pred = predict_person(model, vf.rgb, box, flip=flip)
        tracker.update(pred.keypoints, (vf.rgb.shape[1], vf.rgb.shape[0]))
        ok, jpeg = cv2.imencode(".jpg", cv2.cvtColor(vf.rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 85])
        results.append(FrameResult(vf.index, vf.time_s, pred.keypoints, box, pred.crop, pred.transform, found_by, jpeg.tobytes()))
        if progress is not None:
            progress(len(results), max(total, len(results)))
    return VideoAnalysis(reader.info, reader.size, reader.scale, model_name, pred.schema, every, flip, tuple(results),
                         tuple(reader.notes + notes), time.perf_counter() - start)
