"""The YOLOX-Nano person detector: decoding, letterbox mapping, NMS, the hash check, and real photos."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from poseviz.inference.yolox import (
    DETECTOR_FILE, INPUT_SIZE, STRIDES, DetectorUnavailable, decode_outputs, detect_persons, letterbox, load_detector, nms,
)
from poseviz.io.images import load_image

SKIMAGE = Path(__import__("skimage.data").data.__file__).parent


def _anchor(stride: int, gx: int, gy: int) -> int:
    """Row of anchor point (gx, gy) of the ``stride`` grid in the output: stride-8 grid first, row by row."""
    offset = sum((INPUT_SIZE // s) ** 2 for s in STRIDES[: STRIDES.index(stride)])
    return offset + gy * (INPUT_SIZE // stride) + gx


def test_decoding_one_anchor_per_stride_gives_the_hand_computed_boxes():
    raw = np.zeros((sum((INPUT_SIZE // s) ** 2 for s in STRIDES), 85))
    # (stride, grid x, grid y, dx, dy, log w, log h, objectness, person score) and its box by hand:
    # centre = (g + d) × stride, size = exp(log size) × stride.
    cases = [(8, 3, 5, 0.5, 0.25, np.log(2.0), np.log(4.0), 0.9, 0.8, (20.0, 26.0, 36.0, 58.0)),
             (16, 10, 2, -0.5, 0.0, 0.0, np.log(3.0), 1.0, 0.5, (144.0, 8.0, 160.0, 56.0)),
             (32, 12, 0, 0.0, 1.0, np.log(0.5), 0.0, 0.6, 1.0, (376.0, 16.0, 392.0, 48.0))]
    rows = []
    for stride, gx, gy, dx, dy, lw, lh, obj, cls, _ in cases:
        r = _anchor(stride, gx, gy)
        raw[r, :5] = (dx, dy, lw, lh, obj)
        raw[r, 5] = cls
        raw[r, 6] = 0.99  # another class's score must not count
        rows.append(r)
    boxes, scores = decode_outputs(raw[None])
    for r, case in zip(rows, cases):
        np.testing.assert_allclose(boxes[r], case[-1], atol=1e-9)
        assert scores[r] == pytest.approx(case[7] * case[8])
    assert np.count_nonzero(scores) == 3


def test_decoding_refuses_an_output_of_another_size():
    with pytest.raises(ValueError, match="anchor points"):
        decode_outputs(np.zeros((100, 85)))


def test_letterbox_maps_a_rectangle_back_to_its_image_pixels_exactly():
    img = np.zeros((300, 500, 3), dtype=np.uint8)
    img[60:120, 100:250] = 255  # pixels 100..249 × 60..119: edges at x = 99.5 / 249.5, y = 59.5 / 119.5
    lb = letterbox(img)
    r = INPUT_SIZE / 500
    assert lb.ratio == pytest.approx(r)
    assert lb.image.shape == (INPUT_SIZE, INPUT_SIZE, 3)
    assert (lb.image[round(300 * r) + 2:, :, :] == 114).all()  # padded below, top-left aligned
    # The rectangle's edges in letterbox pixel-edge coordinates are the image edges × r.
    box = lb.to_image(np.array([[100 * r, 60 * r, 250 * r, 120 * r]]))[0]
    np.testing.assert_allclose(box, (99.5, 59.5, 150.0, 60.0), atol=1e-9)
    # and the resized content lies where the mapping says: the white block spans those letterbox pixels.
    cols = np.flatnonzero(lb.image[round(90 * r), :, 0] > 200)
    assert abs(cols[0] - 100 * r) <= 1 and abs(cols[-1] + 1 - 250 * r) <= 1


def test_letterbox_is_bgr():
    img = np.zeros((10, 10, 3), dtype=np.uint8)
    img[..., 0] = 200  # red
    lb = letterbox(img)
    assert lb.image[5, 5, 2] == 200 and lb.image[5, 5, 0] == 0


def test_nms_keeps_the_best_of_overlapping_boxes_and_drops_weak_ones():
    boxes = np.array([[0, 0, 100, 100], [5, 5, 105, 105], [200, 200, 260, 300], [300, 0, 340, 40]], float)
    scores = np.array([0.7, 0.9, 0.5, 0.1])
    assert nms(boxes, scores, iou=0.45, min_score=0.3).tolist() == [1, 2]
    assert nms(boxes, scores, iou=0.95, min_score=0.3).tolist() == [1, 0, 2]
    assert nms(boxes, np.zeros(4)).tolist() == []


def test_a_changed_or_missing_detector_file_is_refused(tmp_path):
    bad = tmp_path / "yolox_nano.onnx"
    shutil.copy(DETECTOR_FILE, bad)
    with bad.open("r+b") as f:
        f.seek(1000)
        byte = f.read(1)
        f.seek(1000)
        f.write(bytes([byte[0] ^ 1]))
    with pytest.raises(DetectorUnavailable, match="damaged"):
        load_detector(bad)
    with pytest.raises(DetectorUnavailable, match="not found"):
        load_detector(tmp_path / "missing.onnx")


def test_the_bundled_astronaut_gets_one_box_around_her():
    rgb = load_image(SKIMAGE / "astronaut.png", max_side=None).rgb
    dets = detect_persons(rgb)
    assert len(dets) == 1 and dets[0].score > 0.5
    x, y, w, h = dets[0].box
    # She fills the left two thirds of the portrait, head near the top, cut by the bottom edge.
    assert x < 40 and y < 60 and 300 < x + w < 400 and y + h > 480


@pytest.mark.parametrize("name", ["coffee.png", "chelsea.png", "coins.png"])
def test_photos_with_no_person_give_no_detection(name):
    assert detect_persons(load_image(SKIMAGE / name, max_side=None).rgb) == []
