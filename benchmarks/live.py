"""Live mode and video files: frames per second against the targets (≥ 10 fps live with the fastest model and the
page's default, every stage shown, ≥ 5 fps with any model, ≥ 20 fps video processing at 640×360 with the fastest model) and the
server's memory over a long stream.

Live, server side: a 640×480 VP8 frame decoded, processed (track, predict, compose every stage) and encoded
again with aiortc's own VP8 codec, i.e. everything the server does per frame. ``--browser`` also measures the
whole loop in Chromium with a fake camera (frames processed per second as the page counts them, and the
server's RSS). Run: ``.venv/bin/python benchmarks/live.py [--seconds 120] [--browser]``.
"""
from __future__ import annotations

import argparse
import fractions
import time

import numpy as np

from _common import ROOT, rss_mb, table
from poseviz.data.samples import sample_images
from poseviz.inference.person_boxes import BOTTOM_UP_FINDER, default_box
from poseviz.io.images import load_image
from poseviz.live import LiveProcessor, LiveSettings, PersonTracker
from poseviz.models import zoo
from poseviz.models.fast_inference import for_inference
from poseviz.models.pretrained import load_pretrained
from poseviz.video import analyse_video
from poseviz.video.encode import encode_video, panning_clip

LIVE_FPS, LIVE_ANY_FPS, VIDEO_FPS = 10.0, 5.0, 20.0


def _photo() -> np.ndarray:
    return load_image(sample_images()["Astronaut (scikit-image)"].read_bytes()).rgb


def _server_loop(processor: LiveProcessor, frames: list[np.ndarray], seconds: float) -> tuple[float, float, int]:
    """Decode → process → encode, as aiortc and the page's callback do, for ``seconds``; returns
    (frames per second, median ms per frame, frames)."""
    import av
    from aiortc.codecs.vpx import Vp8Decoder, Vp8Encoder, vp8_depayload
    from aiortc.jitterbuffer import JitterFrame

    camera, decoder, encoder = Vp8Encoder(), Vp8Decoder(), Vp8Encoder()
    times, n, start = [], 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        rgb = frames[n % len(frames)]
        vf = av.VideoFrame.from_ndarray(rgb, format="rgb24")
        vf.pts, vf.time_base = n, fractions.Fraction(1, 30)
        payloads, _ = camera.encode(vf)  # the browser's side: not timed
        t0 = time.perf_counter()
        for got in decoder.decode(JitterFrame(data=b"".join(vp8_depayload(p) for p in payloads), timestamp=n)):
            out = av.VideoFrame.from_ndarray(processor.process(got.to_ndarray(format="rgb24")), format="rgb24")
            out.pts, out.time_base = n, fractions.Fraction(1, 30)
            encoder.encode(out)
        times.append(time.perf_counter() - t0)
        n += 1
    return n / sum(times), 1000 * float(np.median(times)), n


def live_rows(seconds: float) -> list[dict]:
    frames = list(panning_clip(_photo(), 60, (640, 480)))
    finder = for_inference(load_pretrained(BOTTOM_UP_FINDER))
    rows = []
    fastest, default = zoo.fastest_model(), zoo.shipped_models(None)[0]  # the page opens on the default
    for name in zoo.shipped_models(None):
        model = for_inference(load_pretrained(name))
        extra = {"paf": "paf", "dense": "parts"}.get(zoo.ZOO[name].task, "none")
        p = LiveProcessor(model, PersonTracker(lambda rgb: default_box(rgb, finder)), LiveSettings(joint=6, layout="beside", extra=extra))
        fps, ms, n = _server_loop(p, frames, seconds)
        target = LIVE_FPS if name in (fastest, default) else LIVE_ANY_FPS
        label = " (fastest)" if name == fastest else " (the page's default)" if name == default else ""
        rows.append({"model": name + label, "stages shown": p.last_prediction.output.num_stages,
                     "extra panel": extra, "server fps": f"{fps:.1f}", "median ms / frame": f"{ms:.1f}",
                     "target fps": f"≥ {target:.0f}", "meets": "yes" if fps >= target else "NO"})
    return rows


def memory_rows(seconds: float) -> list[dict]:
    frames = list(panning_clip(_photo(), 60, (640, 480)))
    p = LiveProcessor(for_inference(load_pretrained(zoo.fastest_model())), PersonTracker(None), LiveSettings(joint=6))
    _server_loop(p, frames, 5.0)  # warm-up: allocator pools, codec buffers
    before = rss_mb()
    fps, ms, n = _server_loop(p, frames, seconds)
    after = rss_mb()
    return [{"streamed": f"{seconds:.0f} s ({n} frames)", "RSS after warm-up (MB)": f"{before:.0f}", "RSS at the end (MB)": f"{after:.0f}",
             "growth (MB)": f"{after - before:+.0f}", "target": "≤ +100 MB", "meets": "yes" if after - before <= 100 else "NO"}]


def video_rows() -> list[dict]:
    clip = encode_video(panning_clip(_photo(), 300, (640, 360)), 30)
    finder = for_inference(load_pretrained(BOTTOM_UP_FINDER))
    rows = []
    for name in zoo.shipped_models(None):
        a = analyse_video(clip, for_inference(load_pretrained(name)), name, every=1, detector=lambda rgb: default_box(rgb, finder))
        fastest = name == zoo.fastest_model()
        rows.append({"model": name + (" (fastest)" if fastest else ""), "frames": len(a.frames), "processing fps": f"{a.frames_per_second:.1f}",
                     "target": f"≥ {VIDEO_FPS:.0f}" if fastest else "", "meets": ("yes" if a.frames_per_second >= VIDEO_FPS else "NO") if fastest else ""})
    return rows


def browser_rows(seconds: float) -> list[dict]:
    import sys
    import tempfile
    from pathlib import Path

    sys.path.insert(0, str(ROOT / "tests"))
    import live_camera_check
    from poseviz.video.encode import write_y4m

    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "clip.y4m"
        write_y4m(panning_clip(_photo(), 150, (640, 480)), clip, fps=30)
        seen = live_camera_check.run_isolated(str(clip), str(Path(tmp) / "shot.png"), seconds=seconds, enough_frames=0)
    counts = seen["counts"]
    fps = (counts[-1] - counts[1]) / (2.0 * (len(counts) - 2)) if len(counts) > 2 else float("nan")
    return [{"model": zoo.shipped_models(None)[0] + " (the page's default)", "measured over": f"{2 * (len(counts) - 2)} s", "end-to-end fps (page counter)": f"{fps:.1f}",
             "server RSS start → end (MB)": f"{seen['rss_mb'][0]:.0f} → {seen['rss_mb'][-1]:.0f}"}]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=120.0, help="length of the memory run (s)")
    ap.add_argument("--per-model", type=float, default=8.0, help="seconds of streaming per model for the fps table")
    ap.add_argument("--browser", action="store_true", help="also measure end to end in Chromium with a fake camera")
    args = ap.parse_args()
    table(live_rows(args.per_model), "Live camera, server side per frame (VP8 decode + track + every stage drawn + VP8 encode)")
    table(video_rows(), "Video file: 300 frames of 640×360, every frame analysed (decode + track + predict + JPEG for the scrubber)")
    table(memory_rows(args.seconds), "Live camera: server memory over a long stream (fastest model)")
    if args.browser:
        table(browser_rows(args.seconds), "Live camera in Chromium (fake camera, 640×480 at 30 fps), end to end")


if __name__ == "__main__":
    main()
