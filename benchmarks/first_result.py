"""Time to the first result on a new photo: decode a 1-Mpx JPEG, find its people (detector), crop the default
person and predict it, for each shipped model; and the detector alone. Medians over repeats, 2 threads.
Prints a table. Target (issue 38): detector ≤ 25 ms, first result ≤ 300 ms.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import table  # noqa: E402
from poseviz.gallery import gallery_photos  # noqa: E402
from poseviz.inference.person_boxes import default_box  # noqa: E402
from poseviz.inference.top_down import predict_person  # noqa: E402
from poseviz.inference.yolox import detect_persons  # noqa: E402
from poseviz.io.images import load_image  # noqa: E402
from poseviz.models import zoo  # noqa: E402
from poseviz.models.fast_inference import for_inference  # noqa: E402
from poseviz.models.pretrained import load_pretrained  # noqa: E402

REPEATS = 7


def one_mpx_jpegs() -> list[bytes]:
    """The gallery photos resized to about 1 Mpx (1155 × 866 for 4:3), as JPEG bytes."""
    out = []
    for p in gallery_photos():
        bgr = cv2.imread(str(p.path))
        f = (1e6 / (bgr.shape[0] * bgr.shape[1])) ** 0.5
        big = cv2.resize(bgr, (round(bgr.shape[1] * f), round(bgr.shape[0] * f)), interpolation=cv2.INTER_CUBIC)
        out.append(cv2.imencode(".jpg", big, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes())
    return out


def main() -> None:
    torch.set_num_threads(2)
    photos = one_mpx_jpegs()
    rgbs = [load_image(b).rgb for b in photos]
    for rgb in rgbs[:2]:
        detect_persons(rgb)  # warm the session
    det = [min(_t(lambda: detect_persons(rgb)) for _ in range(3)) for rgb in rgbs]
    rows = [{"what": "detector alone (YOLOX-Nano, onnxruntime)", "median ms": f"{statistics.median(det):.1f}"}]
    for name in zoo.shipped_models():
        model = for_inference(load_pretrained(name))
        times = []
        for b in photos[:REPEATS]:
            def first() -> np.ndarray:
                rgb = load_image(b).rgb
                return predict_person(model, rgb, default_box(rgb)).keypoints
            first()
            times.append(_t(first))
        rows.append({"what": f"first result, {name}: decode + detect + crop + predict", "median ms": f"{statistics.median(times):.1f}"})
    table(rows, f"time to the first result on a new 1-Mpx photo ({len(photos)} gallery photos resized)")


def _t(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return 1000 * (time.perf_counter() - t0)


if __name__ == "__main__":
    main()
