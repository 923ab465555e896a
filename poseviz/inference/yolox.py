"""Person detection with YOLOX-Nano (Ge et al. 2021, Megvii; Apache-2.0), run by onnxruntime.

The shipped file ``assets/yolox_nano.onnx`` is an ONNX export of Megvii's COCO weights (provenance and
licence: ``assets/THIRD_PARTY.md``); it is checked against its SHA-256 before it is loaded. Its
contract: input [1, 3, 416, 416] float32 BGR 0–255, the image resized keeping its aspect ratio into the
top-left corner and padded with 114; output [1, 3549, 85] per anchor point of the stride-8, 16 and 32
grids (x, y offsets in cells, log w, log h in cells, objectness, 80 sigmoid class scores).

Why onnxruntime and not a PyTorch port: the export is the authors' graph, runs in 10–13 ms on a 2-core
CPU, and onnxruntime is a small CPU wheel; a port would have to re-derive YOLOX's focus, CSP and
decoupled-head layers and prove equality for no gain.
"""
from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from poseviz.core.errors import PoseVizInputError
from poseviz.inference.detect import Detection

__all__ = ["DETECTOR_FILE", "DETECTOR_SHA256", "INPUT_SIZE", "STRIDES", "PERSON_CLASS", "MIN_SCORE", "NMS_IOU", "BOX_ENLARGE",
           "DetectorUnavailable", "Letterbox", "letterbox", "decode_outputs", "nms", "load_detector", "detect_persons",
           "detector_status"]

DETECTOR_FILE = Path(__file__).resolve().parents[2] / "assets" / "yolox_nano.onnx"
DETECTOR_SHA256 = "695e750a5d5754bb5a8d5325643b59282191a7e7a564e435a415fd3c578eab14"
INPUT_SIZE = 416
STRIDES = (8, 16, 32)
PERSON_CLASS = 0  # COCO's class order
PAD_VALUE = 114
MIN_SCORE = 0.3  # objectness × person score; the measure behind the 9-in-10 figure of the file's README
NMS_IOU = 0.45  # the distributing sample's default
# A detector box outlines the whole body; the networks were trained on the joints' box × 1.3. The enlargement
# that gives a detector box the training framing: 1.3 / (median longer side of the matched detector box over
# the joints' box's) on the training people (``benchmarks/detector_calibration.py``).
BOX_ENLARGE = 1.11  # measured 2026-12-03: median ratio 1.173 over 10,104 detected training people


class DetectorUnavailable(PoseVizInputError):
    """The detector file is missing, damaged or cannot be run: callers fall back to the older finders."""


@dataclass(frozen=True)
class Letterbox:
    """The detector's input and how it maps back: ``image`` [416, 416, 3] BGR float32, ``ratio`` = input px per image px."""

    image: np.ndarray
    ratio: float

    def to_image(self, boxes_xyxy: np.ndarray) -> np.ndarray:
        """Boxes [N, 4] (x0, y0, x1, y1) in letterbox pixel-edge coordinates → (x, y, w, h) in image pixels with
        PoseViz's convention (0-based pixel centres: the image's left edge is x = -0.5)."""
        b = np.asarray(boxes_xyxy, dtype=np.float64).reshape(-1, 4) / self.ratio
        return np.column_stack([b[:, 0] - 0.5, b[:, 1] - 0.5, b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]])


def letterbox(rgb: np.ndarray, size: int = INPUT_SIZE) -> Letterbox:
    """The photo (RGB uint8) resized keeping its aspect ratio into the top-left corner of a ``size`` square padded
    with 114, in BGR as the export expects."""
    h, w = rgb.shape[:2]
    r = min(size / h, size / w)
    nw, nh = max(1, round(w * r)), max(1, round(h * r))
    out = np.full((size, size, 3), PAD_VALUE, dtype=np.float32)
    resized = cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_LINEAR)
    out[:nh, :nw] = resized[..., ::-1]
    # The ratio actually used per axis differs from r by under half a pixel over the image; use r as YOLOX does.
    return Letterbox(out, r)


@functools.lru_cache(maxsize=4)
def _grids(size: int, strides: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    cells, steps = [], []
    for s in strides:
        n = size // s
        yv, xv = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
        cells.append(np.stack([xv, yv], -1).reshape(-1, 2))
        steps.append(np.full((n * n, 1), s))
    return np.concatenate(cells).astype(np.float64), np.concatenate(steps).astype(np.float64)


def decode_outputs(raw: np.ndarray, size: int = INPUT_SIZE, strides: tuple[int, ...] = STRIDES,
                   class_id: int = PERSON_CLASS) -> tuple[np.ndarray, np.ndarray]:
    """Raw output [A, 85] (or [1, A, 85]) → (boxes [A, 4] x0, y0, x1, y1 in letterbox pixels, scores [A] =
    objectness × the class's score). Anchor points run over the stride-8 grid first, row by row."""
    raw = np.asarray(raw, dtype=np.float64).reshape(-1, raw.shape[-1])
    grid, step = _grids(size, tuple(strides))
    if len(raw) != len(grid):
        raise ValueError(f"detector output has {len(raw)} anchor points; a {size}-px input with strides {strides} has {len(grid)}")
    centre = (raw[:, :2] + grid) * step
    wh = np.exp(np.clip(raw[:, 2:4], -20, 20)) * step
    boxes = np.concatenate([centre - wh / 2, centre + wh / 2], 1)
    return boxes, raw[:, 4] * raw[:, 5 + class_id]


def nms(boxes_xyxy: np.ndarray, scores: np.ndarray, iou: float = NMS_IOU, min_score: float = MIN_SCORE) -> np.ndarray:
    """Indices kept by greedy non-maximum suppression (OpenCV's), highest score first."""
    keep_score = np.flatnonzero(scores >= min_score)
    if len(keep_score) == 0:
        return np.zeros(0, dtype=np.int64)
    b = boxes_xyxy[keep_score]
    xywh = np.column_stack([b[:, 0], b[:, 1], b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]]).tolist()
    kept = np.ravel(cv2.dnn.NMSBoxes(xywh, scores[keep_score].tolist(), min_score, iou)).astype(np.int64)
    kept = keep_score[kept]
    return kept[np.argsort(-scores[kept], kind="stable")]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@functools.lru_cache(maxsize=2)
def load_detector(path: str | Path = DETECTOR_FILE, sha256: str = DETECTOR_SHA256, threads: int = 2):
    """An onnxruntime session of the detector file, after its SHA-256 matched (``DetectorUnavailable`` otherwise)."""
    path = Path(path)
    if not path.is_file():
        raise DetectorUnavailable(f"person detector {path.name} not found at {path}; reinstall PoseViz to restore it")
    digest = _sha256(path)
    if digest != sha256:
        raise DetectorUnavailable(f"person detector {path.name} is damaged or was replaced (SHA-256 {digest[:12]}…, "
                                  f"expected {sha256[:12]}…); reinstall PoseViz to restore it")
    try:
        import onnxruntime as ort
    except ImportError as exc:  # an install without the runtime
        raise DetectorUnavailable(f"onnxruntime is not installed ({exc}); run `make app` to install it") from None
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    try:
        return ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own exception types for a bad graph
        raise DetectorUnavailable(f"person detector {path.name} could not be loaded: {exc}") from None


def detector_status() -> str | None:
    """None when the detector can run, else the message saying why not (the app shows it once)."""
    try:
        load_detector()
    except DetectorUnavailable as exc:
        return str(exc)
    return None


def detect_persons(rgb: np.ndarray, min_score: float = MIN_SCORE, nms_iou: float = NMS_IOU, session=None) -> list[Detection]:
    """People in an RGB uint8 photo: boxes (x, y, w, h) in image pixels with their scores (objectness × person),
    highest score first, clipped to the image. Raises ``DetectorUnavailable`` when the detector cannot run."""
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise PoseVizInputError(f"detect_persons needs an RGB uint8 image [H, W, 3], got {rgb.dtype} {rgb.shape}")
    session = session or load_detector()
    lb = letterbox(rgb)
    x = np.ascontiguousarray(lb.image.transpose(2, 0, 1)[None])
    raw = session.run(None, {session.get_inputs()[0].name: x})[0]
    boxes, scores = decode_outputs(raw)
    keep = nms(boxes, scores, nms_iou, min_score)
    h, w = rgb.shape[:2]
    out = []
    for (x0, y0, bw, bh), s in zip(lb.to_image(boxes[keep]), scores[keep]):
        cx0, cy0 = max(x0, -0.5), max(y0, -0.5)
        cx1, cy1 = min(x0 + bw, w - 0.5), min(y0 + bh, h - 0.5)
        if cx1 - cx0 >= 1 and cy1 - cy0 >= 1:
            out.append(Detection((float(cx0), float(cy0), float(cx1 - cx0), float(cy1 - cy0)), float(s)))
    return out
