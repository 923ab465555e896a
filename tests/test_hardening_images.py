"""Hostile images and paths: deep-pixel decompression, float TIFFs, pipes, devices and folders."""
from __future__ import annotations

import io
import os

import numpy as np
import pytest
from PIL import Image

from poseviz.core.errors import PoseVizInputError
from poseviz.io.images import decode_bytes, load_image


def test_deep_png_is_refused_by_its_decoding_cost_not_its_file_size(tmp_path):
    buf = io.BytesIO()
    Image.fromarray(np.zeros((6000, 6000), np.uint16)).save(buf, "PNG")
    assert len(buf.getvalue()) < 1 << 20  # tiny file, 36 Mpx of 16-bit pixels
    with pytest.raises(PoseVizInputError, match=r"decoding it would take \d+ MB of memory"):
        load_image(buf.getvalue())
    assert decode_bytes("I;16", 6000, 6000) > decode_bytes("L", 6000, 6000)


def test_float_tiff_in_unit_range_is_not_black(tmp_path):
    arr = np.tile(np.linspace(0, 1, 64, dtype=np.float32), (32, 1))
    buf = io.BytesIO()
    Image.fromarray(arr, "F").save(buf, "TIFF")
    rgb = load_image(buf.getvalue()).rgb
    assert rgb[0, 0, 0] == 0 and rgb[0, -1, 0] == 255 and abs(int(rgb[0, 32, 0]) - 130) <= 2


def test_pipes_devices_and_folders_are_named_for_what_they_are(tmp_path):
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    with pytest.raises(PoseVizInputError, match="not a regular file"):
        load_image(fifo)
    with pytest.raises(PoseVizInputError, match="not a regular file"):
        load_image("/dev/zero")
    with pytest.raises(PoseVizInputError, match="is a folder"):
        load_image(tmp_path)
    with pytest.raises(PoseVizInputError, match="not found"):
        load_image(tmp_path / "missing.jpg")


def test_thin_and_tiny_images_are_refused_and_wide_ones_warned():
    from poseviz.io.images import check_person_photo

    for shape in [(1, 3000), (3000, 1), (1, 1), (10, 200)]:
        with pytest.raises(PoseVizInputError, match="too small or too thin to hold a person"):
            check_person_photo(np.zeros(shape + (3,), np.uint8))
    warned = check_person_photo(np.zeros((300, 6000, 3), np.uint8))
    assert len(warned) == 1 and "20:1" in warned[0]
    assert check_person_photo(np.zeros((300, 200, 3), np.uint8)) == []


@pytest.mark.parametrize("page", ["explore.py", "compare.py", "occlusion.py", "paf.py", "pooling_lab.py"])
@pytest.mark.parametrize("shape", [(1, 3000), (3000, 1)])
def test_pages_explain_instead_of_crashing_on_a_one_pixel_image(page, shape):
    from streamlit.testing.v1 import AppTest

    from conftest import ROOT

    buf = io.BytesIO()
    Image.fromarray(np.full(shape + (3,), 120, np.uint8)).save(buf, "PNG")
    at = AppTest.from_file(str(ROOT / "app" / "views" / page), default_timeout=200).run()
    key = next(r.key for r in at.sidebar.radio if r.key and r.key.endswith("_source"))
    at.sidebar.radio(key=key).set_value("Upload").run()
    at.file_uploader(key=key.replace("_source", "_upload")).set_value(("thin.png", buf.getvalue(), "image/png")).run()
    assert not at.exception
    assert any(f"{shape[1]}×{shape[0]} px: too small or too thin" in e.value for e in at.error)


def test_jpeg_header_claiming_far_more_pixels_than_its_data_is_refused():
    rng = np.random.default_rng(0)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (160, 240, 3), dtype=np.uint8)).save(buf, "JPEG", quality=90)
    forged = bytearray(buf.getvalue())
    sof = forged.find(b"\xff\xc0")
    forged[sof + 5:sof + 9] = (6000).to_bytes(2, "big") + (6000).to_bytes(2, "big")
    with pytest.raises(PoseVizInputError, match="declares 6000×6000 px but holds only"):
        load_image(bytes(forged))
    # the most compressible honest JPEG (flat grey, progressive, quality 10) still loads
    flat = io.BytesIO()
    Image.fromarray(np.full((3000, 3000), 128, np.uint8)).save(flat, "JPEG", quality=10, progressive=True)
    assert load_image(flat.getvalue(), max_side=None).rgb.shape == (3000, 3000, 3)


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_a_float_tiff_with_one_non_finite_pixel_is_refused_not_loaded_black(tmp_path, bad):
    arr = np.random.default_rng(0).random((40, 30), dtype=np.float32)
    arr[5, 7] = bad
    path = tmp_path / "one_bad.tiff"
    Image.fromarray(arr, "F").save(path)
    with pytest.raises(PoseVizInputError, match="1 pixel of this F image is not a number"):
        load_image(path)
    arr[5, 7] = 0.5
    Image.fromarray(arr, "F").save(path)
    assert load_image(path).rgb.mean() > 100  # the same image with a finite pixel loads as it looks


_PEAK_CHILD = r"""
import ctypes, gc, json, re, sys
from pathlib import Path
import cv2  # imported before measuring: load_image resizes with it
from poseviz.io.images import load_image

def status(field):
    return int(re.search(field + r":\s+(\d+)", Path("/proc/self/status").read_text()).group(1)) * 1024

out = {}
for path, max_side in json.loads(sys.argv[1]):
    data = Path(path).read_bytes()
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)  # memory an earlier file freed would otherwise be reused unseen
    Path("/proc/self/clear_refs").write_text("5")  # resets the peak (VmHWM) to what is resident now
    base = status("VmRSS")
    load_image(data, max_side=max_side)
    out[f"{Path(path).name}@{max_side}"] = status("VmHWM") - base
print(json.dumps(out))
"""


def test_decoding_stays_within_its_estimate(tmp_path):
    """Peak RSS of load_image per mode (a child process, its peak reset before each file) against decode_bytes,
    the figure the per-decode limit and the process budget are checked with."""
    import json
    import subprocess
    import sys

    from poseviz.io.images import DEFAULT_MAX_SIDE

    w, h = 3400, 2200  # wider than twice the working size: the JPEG can be decoded at half size
    rng = np.random.default_rng(0)
    rgb = np.asarray(Image.fromarray((rng.random((h // 10, w // 10, 3)) * 255).astype(np.uint8)).resize((w, h)))
    photo = Image.fromarray(rgb)
    cases = {"l.png": (photo.convert("L"), {}, "L", False), "la.png": (photo.convert("LA"), {}, "LA", False),
             "p_t.png": (photo.convert("P"), {"transparency": 0}, "P", True), "rgb.png": (photo, {}, "RGB", False),
             "rgba.png": (photo.convert("RGBA"), {}, "RGBA", False),
             "i16.png": (Image.fromarray(rgb[..., 0].astype(np.uint16) * 257), {}, "I;16", False),
             "f.tiff": (Image.fromarray(rgb[..., 0].astype(np.float32) / 255, "F"), {}, "F", False),
             "rgb.webp": (photo, {"quality": 80}, "RGB", False), "rgb.jpg": (photo, {"progressive": True}, "RGB", False)}
    files = []
    for name, (im, kw, _, _) in cases.items():
        im.save(tmp_path / name, **kw)
        files.append((str(tmp_path / name), None))
    files.append((str(tmp_path / "rgb.jpg"), DEFAULT_MAX_SIDE))
    run = subprocess.run([sys.executable, "-c", _PEAK_CHILD, json.dumps(files)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    peaks = json.loads(run.stdout)
    for name, (_, _, mode, transparent) in cases.items():
        estimate = decode_bytes(mode, w, h, Image.open(tmp_path / name).format, transparent, w * h if "jpg" in name else 0)
        assert peaks[f"{name}@None"] <= estimate, (name, peaks[f"{name}@None"] / (w * h), estimate / (w * h))
        assert peaks[f"{name}@None"] >= 0.5 * estimate, name  # an estimate far above the cost refuses good photos
    # A JPEG larger than twice the working size is decoded by libjpeg at half size (its coefficients stay whole).
    drafted = decode_bytes("RGB", w // 2, h // 2, "JPEG", progressive_pixels=w * h)
    assert peaks[f"rgb.jpg@{DEFAULT_MAX_SIDE}"] <= drafted <= 0.5 * decode_bytes("RGB", w, h, "JPEG", progressive_pixels=w * h)


def test_a_jpeg_with_thousands_of_scans_is_refused_before_decoding():
    buf = io.BytesIO()
    Image.fromarray(np.full((64, 64, 3), 128, np.uint8)).save(buf, "JPEG", progressive=True)
    data = buf.getvalue()
    sos = data.index(b"\xff\xda")
    eoi = data.rindex(b"\xff\xd9")
    last_scan = data[data.rindex(b"\xff\xda"):eoi]
    hostile = data[:eoi] + last_scan * 3000 + data[eoi:]  # one AC refinement scan repeated: minutes of decoding
    assert sos < eoi
    with pytest.raises(PoseVizInputError, match=r"\d+ JPEG scans"):
        load_image(hostile)
    assert load_image(data).rgb.shape == (64, 64, 3)


def test_a_large_jpeg_decoded_at_reduced_size_keeps_its_geometry(tmp_path):
    from poseviz.io.images import DEFAULT_MAX_SIDE

    w, h = 3300, 2100
    yy, xx = np.mgrid[0:h, 0:w]
    rgb = np.stack([(xx * 255 // w), (yy * 255 // h), np.full_like(xx, 90)], -1).astype(np.uint8)
    buf = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90°: the file's width is the photo's height
    Image.fromarray(rgb).save(buf, "JPEG", quality=95, exif=exif)
    img = load_image(buf.getvalue())
    assert img.original_size == (h, w) and img.exif_transposed
    assert max(img.rgb.shape[:2]) == DEFAULT_MAX_SIDE and img.scale == pytest.approx(DEFAULT_MAX_SIDE / w, rel=1e-3)
    full = load_image(buf.getvalue(), max_side=None).rgb
    import cv2
    reference = cv2.resize(full, img.rgb.shape[1::-1], interpolation=cv2.INTER_AREA).astype(int)
    assert np.abs(img.rgb.astype(int) - reference).mean() < 2.0  # the same picture as decoding at full size


_CONCURRENT_CHILD = r"""
import gc, io, json, re, sys, threading
from pathlib import Path
import numpy as np
from PIL import Image
import cv2
from poseviz.core.errors import PoseVizInputError
from poseviz.io.images import load_image

def status(field):
    return int(re.search(field + r":\s+(\d+)", Path("/proc/self/status").read_text()).group(1)) * 1024

data = Path(sys.argv[1]).read_bytes()
gc.collect()
Path("/proc/self/clear_refs").write_text("5")
base = status("VmRSS")
said = []

def upload():
    try:
        said.append(load_image(data).rgb.shape[1])
    except PoseVizInputError as exc:
        said.append(str(exc))

threads = [threading.Thread(target=upload) for _ in range(6)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps({"peak": status("VmHWM") - base, "said": said}))
"""


def test_six_sessions_decoding_large_photos_at_once_stay_near_the_budget(tmp_path):
    """Six uploads of an 8-Mpx PNG (171 MB each to decode) at once: the budget lets two decode together, the others
    wait their turn; the peak stays within the budget plus what the allocator keeps (was 2 GB for two or three)."""
    import json
    import subprocess
    import sys

    from poseviz.io.images import DECODE_BUDGET, DEFAULT_MAX_SIDE

    w, h = 3400, 2400
    rng = np.random.default_rng(1)
    Image.fromarray((rng.random((h // 10, w // 10, 3)) * 255).astype(np.uint8)).resize((w, h)).save(tmp_path / "big.png")
    run = subprocess.run([sys.executable, "-c", _CONCURRENT_CHILD, str(tmp_path / "big.png")], capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["said"] == [DEFAULT_MAX_SIDE] * 6, out["said"]  # everyone served, in turn
    assert out["peak"] <= 1.25 * DECODE_BUDGET, out["peak"] / 2**20
