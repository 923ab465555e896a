"""Frame rate and per-frame latency over the last frames (what the live page prints on every frame)."""
from __future__ import annotations

import threading
from collections import deque

import numpy as np

__all__ = ["RateMeter"]


class RateMeter:
    """Rolling frame rate (frames finished per second) and median latency over the last ``window`` frames."""

    def __init__(self, window: int = 30) -> None:
        self._ends: deque[float] = deque(maxlen=window)
        self._latencies: deque[float] = deque(maxlen=window)
        self._lock = threading.Lock()  # ticked by the video thread, read by the page
        self.frames = 0

    def tick(self, start_s: float, end_s: float) -> None:
        """One frame that started processing at ``start_s`` and ended at ``end_s`` (seconds, one clock)."""
        with self._lock:
            self._ends.append(end_s)
            self._latencies.append(end_s - start_s)
            self.frames += 1

    @property
    def fps(self) -> float:
        """Frames per second over the window (NaN before two frames)."""
        with self._lock:
            if len(self._ends) < 2 or self._ends[-1] <= self._ends[0]:
                return float("nan")
            return (len(self._ends) - 1) / (self._ends[-1] - self._ends[0])

    @property
    def latency_ms(self) -> float:
        """Median processing time of the window's frames in ms (NaN before the first)."""
        with self._lock:
            return float(np.median(self._latencies) * 1000) if self._latencies else float("nan")
