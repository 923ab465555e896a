"""Hostile input: fuzzed images, annotations and LSP files either load or raise PoseVizInputError,
quickly; sessions are isolated; no page mutates a cached model."""
import hashlib
import io
import json
import signal
from contextlib import contextmanager

import numpy as np
import pytest
import scipy.io
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from conftest import BROWSER_ONLY_PAGES, COCO_GT, LSP_ROOT, ROOT
from poseviz.core.errors import PoseVizInputError
from poseviz.data.lsp import load_lsp_joints
from poseviz.io.coco import load_coco
from poseviz.io.images import load_image

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@contextmanager
def time_limit(seconds: int):
    def boom(*_):
        raise TimeoutError(f"took longer than {seconds} s")

    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _encode(img, fmt, **kw):
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def _loads_or_refuses(data: bytes, **kw):
    with time_limit(10):
        try:
            out = load_image(data, **kw)
        except PoseVizInputError as exc:
            assert str(exc)
            return None
    assert out.rgb.dtype == np.uint8 and out.rgb.ndim == 3 and out.rgb.shape[2] == 3
    return out


SEEDS = {fmt: _encode(Image.fromarray(np.random.default_rng(0).integers(0, 255, (37, 53, 3), dtype=np.uint8)), fmt)
         for fmt in ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF")}


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes(data):
    _loads_or_refuses(data)


@FUZZ
@given(st.sampled_from(sorted(SEEDS)), st.data())
def test_truncated_and_corrupted_images(fmt, data):
    raw = bytearray(SEEDS[fmt])
    cut = data.draw(st.integers(0, len(raw)))
    flips = data.draw(st.lists(st.tuples(st.integers(0, len(raw) - 1), st.integers(0, 255)), max_size=8))
    for pos, val in flips:
        raw[pos] = val
    _loads_or_refuses(bytes(raw[:cut]))


def test_header_declaring_a_huge_png_is_refused_fast():
    png = bytearray(SEEDS["PNG"])
    # IHDR width/height live at bytes 16–23; declare 60000 × 60000 (the CRC is now wrong, too)
    png[16:24] = (60000).to_bytes(4, "big") * 2
    assert _loads_or_refuses(bytes(png)) is None


@pytest.mark.parametrize("shape", [(1, 1), (50, 10000), (10000, 50)])
def test_tiny_and_strip_images(shape):
    out = _loads_or_refuses(_encode(Image.new("RGB", shape[::-1], (9, 8, 7)), "PNG"))
    assert out is not None and min(out.rgb.shape[:2]) >= 1


def test_wrong_extension_is_read_by_content(tmp_path):
    p = tmp_path / "photo.png"
    p.write_bytes(SEEDS["JPEG"])
    assert load_image(p).format == "JPEG"


@FUZZ
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
                    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4), max_leaves=20))
def test_arbitrary_json_is_refused_with_a_message(obj):
    with time_limit(10):
        try:
            load_coco(json.dumps(obj).encode())
        except PoseVizInputError as exc:
            assert str(exc)


ANN_FIELDS = ["keypoints", "area", "bbox", "image_id", "id", "num_keypoints", "iscrowd", "category_id"]
BAD_VALUES = st.one_of(st.none(), st.text(max_size=3), st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 5),
                       st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=60))


@FUZZ
@given(st.sampled_from(ANN_FIELDS), BAD_VALUES)
@pytest.mark.devdata
def test_corrupted_annotation_fields_name_the_annotation(field, value):
    raw = json.loads(COCO_GT.read_text())
    ann = raw["annotations"][3]
    ann[field] = value
    try:
        load_coco(json.dumps(raw, allow_nan=True).encode())
    except PoseVizInputError as exc:
        msg = str(exc)
        # names the annotation (its id, or its position when the id itself is broken) and the field at fault;
        # a changed visibility shows up as the num_keypoints it no longer matches
        assert msg.startswith(f"annotation {ann['id']}:") or msg.startswith("annotation entry 3:"), msg
        assert f"field '{field}'" in msg or (field == "keypoints" and "field 'num_keypoints'" in msg), msg


@FUZZ
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True, width=32), min_size=1, max_size=84))
def test_lsp_files_with_odd_values(tmp_path_factory, values):
    arr = np.resize(np.asarray(values, dtype=np.float64), (3, 14, 2))
    p = tmp_path_factory.mktemp("lsp") / "joints.mat"
    scipy.io.savemat(p, {"joints": arr})
    try:
        out = load_lsp_joints(p)
    except PoseVizInputError as exc:
        assert "non-finite" in str(exc)
    else:
        assert np.isfinite(out).all()


def _upload(at, name):
    path = LSP_ROOT / "images" / name
    at.sidebar.radio(key="img_source").set_value("Upload").run()
    at.file_uploader(key="img_upload").set_value((name, path.read_bytes(), "image/jpeg")).run()
    return at


@pytest.mark.devdata
def test_two_sessions_never_see_each_others_images():
    from streamlit.testing.v1 import AppTest

    page = str(ROOT / "app" / "views" / "explore.py")
    a = _upload(AppTest.from_file(page, default_timeout=180).run(), "im1020.jpg")
    b = _upload(AppTest.from_file(page, default_timeout=180).run(), "im1030.jpg")
    a.run()
    assert not a.exception and not b.exception
    ka = json.loads(a.code[0].value)[0]["keypoints"]
    kb = json.loads(b.code[0].value)[0]["keypoints"]
    assert ka != kb
    a.run()
    assert json.loads(a.code[0].value)[0]["keypoints"] == ka  # a's result is still a's


def test_pages_never_modify_a_cached_model():
    """Every page, every model it may receive (fast and layer-reading copies of all six): weights,
    buffers and train/eval mode are unchanged after every page has run."""
    from streamlit.testing.v1 import AppTest

    from app.state import get_model
    from poseviz.models import zoo

    def checksum(m):
        h = hashlib.sha256()
        for k, v in sorted(m.state_dict().items()):
            h.update(k.encode())
            h.update(v.detach().cpu().numpy().tobytes())
        h.update(bytes(mod.training for mod in m.modules()))
        return h.hexdigest()

    models = {(n, fast): get_model(n, fast=fast) for n in zoo.shipped_models(None) for fast in (True, False)}
    before = {key: checksum(m) for key, m in models.items()}
    for page in sorted(p.name for p in (ROOT / "app" / "views").glob("*.py") if p.name not in BROWSER_ONLY_PAGES):
        at = AppTest.from_file(str(ROOT / "app" / "views" / page), default_timeout=300).run()
        assert not at.exception, (page, at.exception)
    after = {key: checksum(get_model(*key)) for key in models}
    assert after == before
    # the check can fail: a page that switched a cached model to training mode would be caught
    m = models[(zoo.shipped_models(None)[0], False)]
    m.train()
    try:
        assert checksum(m) != before[(zoo.shipped_models(None)[0], False)]
    finally:
        m.eval()
