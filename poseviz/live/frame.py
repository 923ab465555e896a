"""One live frame: track the person, predict, and draw the skeleton with the chosen joint's belief maps
of every stage (and optionally a limb's part affinity field or the dense part colours) beside it."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace

import cv2
import numpy as np
from torch import nn

from poseviz.inference.top_down import Prediction, model_schema, predict_person
from poseviz.live.meter import RateMeter
from poseviz.live.tracker import Box, PersonTracker
from poseviz.plots.beliefs import belief_tiles, labelled_tile, overlay
from poseviz.plots.dense import part_image
from poseviz.plots.skeleton import draw_crop_box, draw_skeleton

__all__ = ["LiveSettings", "LiveProcessor", "compose_live_frame", "EXTRAS", "LAYOUTS"]

LAYOUTS = ("below", "beside")
EXTRAS = ("none", "paf", "parts")  # what the extra tile shows; "paf" needs an OpenPose-style model, "parts" a dense one
MAX_TILE = 256


@dataclass(frozen=True)
class LiveSettings:
    """What the live view draws. ``joint`` indexes the model's schema; ``limb`` its PAF limbs."""

    joint: int = 0
    layout: str = "below"
    flip: bool = False
    extra: str = "none"
    limb: int = 0
    opacity: float = 0.65


def _paf_tile(pred: Prediction, limb: int, tile: int) -> np.ndarray | None:
    """The last stage's PAF of ``limb`` over the crop: magnitude in colour, direction as arrows."""
    if pred.output.pafs is None:
        return None
    paf = pred.output.pafs[-1][0, 2 * limb:2 * limb + 2].detach().cpu().numpy()
    img = cv2.resize(overlay(pred.crop, np.hypot(paf[0], paf[1]), 0.6, 0.0, 1.0), (tile, tile), interpolation=cv2.INTER_NEAREST)
    h, w = paf.shape[1:]
    cell = tile / w
    for gy in range(0, h, 2):  # every other cell: arrows stay readable on a small tile
        for gx in range(0, w, 2):
            vx, vy = paf[:, gy, gx]
            if np.hypot(vx, vy) < 0.2:
                continue
            x0, y0 = (gx + 0.5) * cell, (gy + 0.5) * cell
            cv2.arrowedLine(img, (int(x0), int(y0)), (int(x0 + vx * 1.8 * cell), int(y0 + vy * 1.8 * cell)),
                            (120, 255, 120), 1, cv2.LINE_AA, tipLength=0.35)
    a, b = pred.schema.skeleton[limb] if limb < len(pred.schema.skeleton) else (0, 0)
    return labelled_tile(img, f"PAF {pred.schema.joints[a]}-{pred.schema.joints[b]}", tile)


def _extra_tile(pred: Prediction, settings: LiveSettings, tile: int) -> np.ndarray | None:
    if settings.extra == "paf":
        return _paf_tile(pred, settings.limb, tile)
    if settings.extra == "parts" and pred.charts is not None:
        return labelled_tile(part_image(pred.crop, pred.charts[0], 0.7), "dense parts", tile)
    return None


def _tile_size(n: int, frame_w: int, frame_h: int, layout: str) -> int:
    if layout == "beside":
        return int(np.clip(frame_h // n - 32, 48, MAX_TILE))
    return int(np.clip(frame_w // n - 8, 48, MAX_TILE))


def compose_live_frame(rgb: np.ndarray, pred: Prediction, settings: LiveSettings, status: str = "") -> np.ndarray:
    """The frame (RGB uint8) with the skeleton, the crop's box and ``status`` text, and the joint's
    belief maps of every stage as titled tiles below it or beside it (the layout in ``settings``)."""
    h, w = rgb.shape[:2]
    frame = draw_skeleton(rgb, pred.keypoints, pred.schema, min_score=0.05)
    frame = draw_crop_box(frame, pred.transform.inverse, (pred.crop.shape[1], pred.crop.shape[0]))
    if status:
        scale = max(0.45, w / 1100)
        (tw, th), _ = cv2.getTextSize(status, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
        cv2.rectangle(frame, (0, 0), (tw + 12, th + 14), (0, 0, 0), -1)
        cv2.putText(frame, status, (6, th + 6), cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), 1, cv2.LINE_AA)
    maps = pred.stage_maps[:, settings.joint]
    n = len(maps) + (settings.extra != "none")
    tile = _tile_size(n, w, h, settings.layout)
    tiles = belief_tiles(pred.crop, maps, pred.stage_names, settings.opacity, True, tile)
    extra = _extra_tile(pred, settings, tile)
    if extra is not None:
        tiles.append(extra)
    if settings.layout == "beside":
        panel = np.vstack(tiles)
        pad = max(h - panel.shape[0], 0)
        panel = cv2.copyMakeBorder(panel, 0, pad, 0, 0, cv2.BORDER_CONSTANT, value=(20, 20, 20))
        frame = cv2.copyMakeBorder(frame, 0, max(panel.shape[0] - h, 0), 0, 0, cv2.BORDER_CONSTANT, value=(20, 20, 20))
        return np.hstack([frame, panel])
    panel = np.hstack(tiles)
    pad = max(w - panel.shape[1], 0)
    panel = cv2.copyMakeBorder(panel, 0, 0, pad // 2, pad - pad // 2, cv2.BORDER_CONSTANT, value=(20, 20, 20))
    frame = cv2.copyMakeBorder(frame, 0, 0, 0, max(panel.shape[1] - w, 0), cv2.BORDER_CONSTANT, value=(20, 20, 20))
    return np.vstack([frame, panel])


class LiveProcessor:
    """Turns camera frames into annotated frames; safe to reconfigure from the page while the video
    thread calls ``process``. Keeps the last raw frame, its box and prediction (for "freeze frame")."""

    def __init__(self, model: nn.Module, tracker: PersonTracker | None = None, settings: LiveSettings = LiveSettings()) -> None:
        self._lock = threading.Lock()
        self._model, self._settings = model, settings
        self.tracker = tracker or PersonTracker()
        self.meter = RateMeter()
        self.last_frame: np.ndarray | None = None
        self.last_box: Box | None = None
        self.last_prediction: Prediction | None = None
        self.error: str | None = None

    def configure(self, model: nn.Module | None = None, **changes) -> None:
        """Swap the model and/or change settings (``LiveSettings`` fields) for the next frames."""
        with self._lock:
            if model is not None:
                self._model = model
            settings = replace(self._settings, **changes)
            if settings.joint >= len(model_schema(self._model).joints):  # a joint this model's schema lacks
                settings = replace(settings, joint=0)
            self._settings = settings

    @property
    def settings(self) -> LiveSettings:
        with self._lock:
            return self._settings

    def process(self, rgb: np.ndarray) -> np.ndarray:
        """One camera frame (RGB uint8) → the annotated frame. A failure never stops the stream: the frame
        comes back unannotated with the reason on it, and ``error`` holds it for the page."""
        start = time.perf_counter()
        with self._lock:
            model, settings = self._model, self._settings
        try:
            box = self.tracker.box_for(rgb)
            pred = predict_person(model, rgb, box, flip=settings.flip)
        except Exception as exc:  # the video thread has no one to report to but the page
            self.error = f"{type(exc).__name__}: {exc}"
            out = np.ascontiguousarray(rgb.copy())
            cv2.putText(out, "prediction failed - see the page", (8, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (255, 80, 80), 2, cv2.LINE_AA)
            return out
        self.error = None
        self.tracker.update(pred.keypoints, (rgb.shape[1], rgb.shape[0]))
        self.last_frame, self.last_box, self.last_prediction = rgb, box, pred
        m = self.meter
        status = f"{pred.schema.joints[settings.joint]} | {m.fps:.1f} fps | {m.latency_ms:.0f} ms/frame | frame {m.frames + 1}"
        out = compose_live_frame(rgb, pred, settings, status)
        m.tick(start, time.perf_counter())
        return out
