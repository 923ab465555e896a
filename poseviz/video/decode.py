"""Read a user's video file (mp4, webm, mov, … through FFmpeg via PyAV) within fixed bounds.

Every bound is there for a hostile or simply huge file: the bytes read (``MAX_VIDEO_BYTES``), the
frame size (frames are scaled down to ``max_side`` by FFmpeg's scaler, so an 8K frame never becomes
an 8K RGB array; above ``MAX_SOURCE_SIDE`` the file is refused), the frames decoded (``max_frames``)
and the wall time spent decoding (``time_limit_s``, checked between frames). A file FFmpeg cannot
open, one without a video stream (audio only) and one with no decodable frame are refused with a
``VideoError`` saying which; a truncated file yields the frames before the damage and a note.
"""
from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from poseviz.core.errors import PoseVizInputError
from poseviz.io.images import MAX_ASPECT, MIN_SIDE

__all__ = ["VideoError", "VideoInfo", "VideoFrame", "FrameReader", "probe", "MAX_VIDEO_BYTES", "MAX_SOURCE_SIDE",
           "DEFAULT_MAX_SIDE", "DEFAULT_MAX_FRAMES", "DEFAULT_TIME_LIMIT_S"]

MAX_VIDEO_BYTES = 100 * 2**20  # the app's upload limit for videos; a longer lesson clip should be cut first
MAX_SOURCE_SIDE = 8192  # 8K UHD is 7680 px wide; larger streams are refused before decoding
DEFAULT_MAX_SIDE = 640  # frames are analysed at most this large: persons stay far above the 128-px input
DEFAULT_MAX_FRAMES = 1800  # one minute at 30 fps
DEFAULT_TIME_LIMIT_S = 120.0


class VideoError(PoseVizInputError):
    """A video PoseViz cannot read; the message says why."""


@dataclass(frozen=True)
class VideoInfo:
    """What the container says: size (px), frame rate (frames/s), frame count and duration (s), codec.
    ``frames`` and ``duration_s`` are 0 when the container does not say."""

    width: int
    height: int
    fps: float
    frames: int
    duration_s: float
    codec: str


@dataclass(frozen=True)
class VideoFrame:
    """A decoded frame: its index in the file, its time (s) and the RGB pixels at the capped size."""

    index: int
    time_s: float
    rgb: np.ndarray


Source = bytes | str | Path


def _open(source: Source):
    import av

    if isinstance(source, (bytes, bytearray)):
        if len(source) > MAX_VIDEO_BYTES:
            raise VideoError(f"The file is {len(source) / 2**20:.0f} MB; at most {MAX_VIDEO_BYTES // 2**20} MB can be read. Cut the clip first.")
        if not source:
            raise VideoError("The file is empty.")
        source = io.BytesIO(bytes(source))
    elif Path(source).stat().st_size > MAX_VIDEO_BYTES:
        raise VideoError(f"The file is larger than {MAX_VIDEO_BYTES // 2**20} MB. Cut the clip first.")
    try:
        container = av.open(source, mode="r", timeout=10.0)
    except (av.error.FFmpegError, EOFError, UnicodeDecodeError, ValueError) as exc:
        raise VideoError(f"FFmpeg cannot read this file as a video ({type(exc).__name__}): it is damaged, cut short "
                         "(an mp4 keeps its index at its end), empty or not a video.") from None
    if container.format.name.endswith("_pipe") or container.format.name == "image2":
        kind = container.format.name.removesuffix("_pipe")
        container.close()
        raise VideoError(f"This is a still image ({kind}), not a video: open it on the Explore page instead.")
    if not container.streams.video:
        kinds = sorted({s.type for s in container.streams})
        container.close()
        raise VideoError("The file has no video stream" + (f" (only {', '.join(kinds)})." if kinds else "."))
    return container


def _info(container) -> VideoInfo:
    s = container.streams.video[0]
    fps = float(s.average_rate or s.guessed_rate or 0) or 0.0
    duration = float(s.duration * s.time_base) if s.duration and s.time_base else (container.duration or 0) / 1e6
    frames = int(s.frames or 0) or (round(duration * fps) if duration and fps else 0)
    return VideoInfo(int(s.codec_context.width), int(s.codec_context.height), fps, frames, float(duration), s.codec_context.name)


def probe(source: Source) -> VideoInfo:
    """The video's ``VideoInfo`` without decoding it; raises ``VideoError`` for an unreadable file."""
    container = _open(source)
    try:
        return _info(container)
    finally:
        container.close()


@dataclass
class FrameReader:
    """Iterate over every ``every``-th frame (RGB, longer side ≤ ``max_side``) of the first
    ``max_frames``, for at most ``time_limit_s`` seconds; ``notes`` says what was capped or cut short.

    ``scale`` (frame px per source px) maps results back to the file's own pixels.
    """

    source: Source
    every: int = 1
    max_frames: int = DEFAULT_MAX_FRAMES
    max_side: int = DEFAULT_MAX_SIDE
    time_limit_s: float = DEFAULT_TIME_LIMIT_S
    clock: Callable[[], float] = time.monotonic
    notes: list[str] = field(default_factory=list)
    info: VideoInfo | None = None

    def __post_init__(self) -> None:
        if self.every < 1 or self.max_frames < 1 or self.max_side < 16:
            raise ValueError("every and max_frames must be ≥ 1 and max_side ≥ 16")
        self.info = probe(self.source)
        w, h = self.info.width, self.info.height
        if max(w, h) > MAX_SOURCE_SIDE:
            raise VideoError(f"The video is {w}×{h} px; at most {MAX_SOURCE_SIDE} px a side can be read.")
        if min(w, h) < MIN_SIDE or max(w, h) > MAX_ASPECT * min(w, h):  # the rule photos follow
            raise VideoError(f"The video is {w}×{h} px: too small or too thin to hold a person (PoseViz needs at "
                             f"least {MIN_SIDE} px on each side and sides within {MAX_ASPECT:g}:1, as for photos).")

    @property
    def scale(self) -> float:
        return min(1.0, self.max_side / max(self.info.width, self.info.height, 1))

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the frames yielded (even numbers: video encoders need them)."""
        f = self.scale
        return max(2, round(self.info.width * f / 2) * 2), max(2, round(self.info.height * f / 2) * 2)

    def __iter__(self) -> Iterator[VideoFrame]:
        import av

        self.notes.clear()
        if self.scale < 1:
            self.notes.append(f"Frames are analysed at {self.size[0]}×{self.size[1]} px (the file is {self.info.width}×{self.info.height}).")
        container = _open(self.source)
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        start, index, yielded, capped = self.clock(), 0, 0, False
        w, h = self.size
        try:
            for frame in container.decode(stream):
                if index >= self.max_frames:
                    total = f" of about {self.info.frames}" if self.info.frames else ""
                    self.notes.append(f"Only the first {self.max_frames} frames{total} are read.")
                    capped = True
                    break
                if self.clock() - start > self.time_limit_s:
                    self.notes.append(f"Decoding stopped after {self.time_limit_s:.0f} s, at frame {index}.")
                    capped = True
                    break
                if index % self.every == 0:
                    t = float(frame.time) if frame.time is not None else index / (self.info.fps or 30.0)
                    yield VideoFrame(index, t, frame.to_ndarray(width=w, height=h, format="rgb24"))
                    yielded += 1
                index += 1
        except av.error.FFmpegError as exc:
            if not yielded:
                raise VideoError(f"No frame could be decoded ({type(exc).__name__}: the file is damaged or not a video).") from None
            self.notes.append(f"The file is damaged after frame {index} (truncated?): the frames before it are used.")
        finally:
            container.close()
        if not yielded:
            raise VideoError("The video has no frames that can be decoded.")
        announced = self.info.frames
        if not capped and index < min(announced, self.max_frames) * 0.9:
            self.notes.append(f"The file ends after {index} frames though its header announces about {announced} (truncated?).")
