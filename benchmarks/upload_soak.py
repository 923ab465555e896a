"""Uploads under load: server RSS over 200 large photo uploads in a row (one Explore session, every upload a new
12-Mpx JPEG, as a class taking turns on one laptop), and the peak while 6 sessions decode large photos at once
(threads, as Streamlit serves sessions). Targets: growth over the 200 uploads ≤ 300 MB; the concurrent peak within
the decode budget plus a quarter (what glibc keeps in its per-thread arenas).
Run: ``.venv/bin/python benchmarks/upload_soak.py [--uploads 200]``."""
from __future__ import annotations

import argparse
import gc
import io
import re
import sys
import threading
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).parent))
from _common import ROOT, rss_mb, table  # noqa: E402

from poseviz.data.samples import sample_images  # noqa: E402
from poseviz.io.images import DECODE_BUDGET, load_image  # noqa: E402


def _big_photo(w: int = 4032, h: int = 3024) -> Image.Image:
    """A phone-sized photo: the bundled astronaut blown up (a person the detector finds)."""
    return Image.fromarray(load_image(sample_images()["Astronaut (scikit-image)"].read_bytes()).rgb).resize((w, h))


def _with_comment(jpeg: bytes, i: int) -> bytes:
    """The same picture as a different file (a COM segment after SOI), so no cache serves it."""
    text = f"upload {i}".encode()
    return jpeg[:2] + b"\xff\xfe" + (len(text) + 2).to_bytes(2, "big") + text + jpeg[2:]


def soak_rows(uploads: int) -> list[dict]:
    from streamlit.testing.v1 import AppTest

    buf = io.BytesIO()
    _big_photo().save(buf, "JPEG", quality=90)
    jpeg = buf.getvalue()
    at = AppTest.from_file(str(ROOT / "app" / "views" / "explore.py"), default_timeout=300).run()
    at.sidebar.radio(key="img_source").set_value("Upload").run()
    rss, times = [], []
    for i in range(uploads):
        t0 = time.perf_counter()
        at.file_uploader(key="img_upload").set_value((f"photo{i}.jpg", _with_comment(jpeg, i), "image/jpeg")).run()
        times.append(time.perf_counter() - t0)
        assert not at.exception, at.exception
        if i in (9, uploads // 2, uploads - 1):
            gc.collect()
            rss.append(rss_mb())
    growth = rss[-1] - rss[0]
    return [{"scenario": f"{uploads} uploads of a 12-Mpx JPEG in a row (Explore)", "RSS after 10 (MB)": f"{rss[0]:.0f}",
             "halfway (MB)": f"{rss[1]:.0f}", "at the end (MB)": f"{rss[-1]:.0f}", "growth (MB)": f"{growth:+.0f}",
             "median s / upload": f"{np.median(times):.2f}", "target": "≤ +300 MB", "meets": "yes" if growth <= 300 else "NO"}]


def _status(field: str) -> int:
    return int(re.search(field + r":\s+(\d+)", Path("/proc/self/status").read_text()).group(1)) * 1024


def concurrent_rows(sessions: int = 6) -> list[dict]:
    rows = []
    photo = _big_photo(3400, 2400)
    for fmt, kw in (("PNG", {}), ("JPEG", {"quality": 90, "progressive": True})):
        buf = io.BytesIO()
        photo.save(buf, fmt, **kw)
        data = buf.getvalue()
        gc.collect()
        Path("/proc/self/clear_refs").write_text("5")  # the peak from here on
        base = _status("VmRSS")
        said: list = []
        threads = [threading.Thread(target=lambda: said.append(load_image(data).rgb.shape)) for _ in range(sessions)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        peak = (_status("VmHWM") - base) / 2**20
        rows.append({"scenario": f"{sessions} sessions decode an 8-Mpx {fmt} at once", "served": f"{len(said)} of {sessions}",
                     "wall s": f"{time.perf_counter() - t0:.2f}", "peak RSS above start (MB)": f"{peak:.0f}",
                     "target": f"≤ {1.25 * DECODE_BUDGET / 2**20:.0f} MB",
                     "meets": "yes" if peak <= 1.25 * DECODE_BUDGET / 2**20 and len(said) == sessions else "NO"})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--uploads", type=int, default=200)
    args = ap.parse_args()
    table(concurrent_rows(), "Concurrent uploads: peak memory while decoding (decode budget 512 MB)")
    table(soak_rows(args.uploads), "Uploads in a row: server RSS")


if __name__ == "__main__":
    main()
