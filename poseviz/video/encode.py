"""Write frames as a video file: the overlay export (mp4, H.264) and clips made for tests and demos
(mp4 / webm / y4m, the raw format Chromium's fake camera reads)."""
from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path
from typing import Iterable

import cv2
import numpy as np

__all__ = ["encode_video", "write_y4m", "panning_clip", "clip_offset", "CODECS"]

CODECS = {"mp4": "libx264", "webm": "libvpx", "mov": "libx264", "mkv": "libx264"}


def encode_video(frames: Iterable[np.ndarray], fps: float, container: str = "mp4") -> bytes:
    """RGB uint8 frames (one size; odd sizes are trimmed by a pixel) → the bytes of a video file."""
    import av

    buf = io.BytesIO()
    out = av.open(buf, mode="w", format={"mkv": "matroska"}.get(container, container))
    stream = None
    try:
        for rgb in frames:
            h, w = (rgb.shape[0] // 2) * 2, (rgb.shape[1] // 2) * 2
            if stream is None:
                stream = out.add_stream(CODECS[container], rate=Fraction(fps).limit_denominator(1000))
                stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb[:h, :w]), format="rgb24")
            out.mux(stream.encode(frame))
        if stream is not None:
            out.mux(stream.encode(None))
    finally:
        out.close()
    return buf.getvalue()


def write_y4m(frames: Iterable[np.ndarray], path: str | Path, fps: int = 15) -> int:
    """Write RGB frames as a YUV4MPEG2 (4:2:0) file; returns the number of frames written."""
    n = 0
    with open(path, "wb") as f:
        for rgb in frames:
            h, w = (rgb.shape[0] // 2) * 2, (rgb.shape[1] // 2) * 2
            if n == 0:
                f.write(f"YUV4MPEG2 W{w} H{h} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
            f.write(b"FRAME\n" + cv2.cvtColor(np.ascontiguousarray(rgb[:h, :w]), cv2.COLOR_RGB2YUV_I420).tobytes())
            n += 1
    return n


def panning_clip(rgb: np.ndarray, frames: int, size: tuple[int, int] = (640, 360)) -> Iterable[np.ndarray]:
    """A clip of ``frames`` frames (width, height = ``size``) in which the whole photo, scaled to the
    frame's height, slides across a grey background and back: the person in it moves by a known amount
    per frame (``clip_offset``), as someone walking past a camera would."""
    out_w, out_h = size
    f = out_h / rgb.shape[0]
    photo = cv2.resize(rgb, (max(1, round(rgb.shape[1] * f)), out_h), interpolation=cv2.INTER_AREA)
    for i in range(frames):
        frame = np.full((out_h, out_w, 3), 96, np.uint8)
        x = clip_offset(i, frames, photo.shape[1], out_w)
        x0, x1 = max(x, 0), min(x + photo.shape[1], out_w)
        if x1 > x0:
            frame[:, x0:x1] = photo[:, x0 - x:x1 - x]
        yield frame


def clip_offset(i: int, frames: int, photo_w: int, out_w: int) -> int:
    """Left edge (px) of the photo in frame ``i`` of ``panning_clip``: there and back once."""
    a = i / max(frames - 1, 1)
    return round((out_w - photo_w) * (0.5 - 0.5 * np.cos(2 * np.pi * a)))
