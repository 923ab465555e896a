"""Candidates from the detector, the default rule, the refinement pass, and ``predict`` without ``--box``."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
import torch

from poseviz.core.preprocess import MEAN, STD
from poseviz.data.lsp import joints_box
from poseviz.inference.person_boxes import DETECTOR, PersonCandidate, default_person, person_candidates, prominence
from poseviz.inference.refine import refined_prediction
from poseviz.inference.top_down import predict_person
from poseviz.inference.yolox import BOX_ENLARGE
from poseviz.models import PoseOutput

ROOT = Path(__file__).resolve().parents[1]


def _cand(box, score=0.8):
    return PersonCandidate(tuple(float(v) for v in box), score, DETECTOR)


def test_prominence_prefers_a_large_confident_central_person():
    w, h = 1000, 600
    big_centre, big_edge, small_centre = _cand((400, 150, 200, 300)), _cand((0, 0, 200, 300)), _cand((470, 250, 60, 100))
    weak = _cand((400, 150, 200, 300), score=0.3)
    assert prominence(big_centre, w, h) > prominence(big_edge, w, h) > 0
    assert prominence(big_centre, w, h) > prominence(small_centre, w, h)
    assert prominence(big_centre, w, h) == pytest.approx(prominence(weak, w, h) * 0.8 / 0.3)


def test_candidates_come_ordered_by_prominence_and_the_first_is_the_default(monkeypatch):
    from poseviz.inference import yolox
    from poseviz.inference.detect import Detection

    dets = [Detection((0.0, 0.0, 100.0, 200.0), 0.95), Detection((350.0, 100.0, 300.0, 450.0), 0.7),
            Detection((800.0, 400.0, 50.0, 80.0), 0.9)]
    monkeypatch.setattr(yolox, "detect_persons", lambda rgb: dets)
    cands = person_candidates(np.zeros((600, 1000, 3), np.uint8))
    assert [c.box for c in cands] == [dets[1].box, dets[0].box, dets[2].box]
    assert default_person(cands) == 0 and all(c.source == DETECTOR for c in cands)
    assert default_person([]) is None


def test_without_the_detector_the_older_finders_are_used(monkeypatch):
    from poseviz.inference import person_boxes, yolox

    def broken(rgb):
        raise yolox.DetectorUnavailable("gone")

    monkeypatch.setattr(yolox, "detect_persons", broken)
    monkeypatch.setattr(person_boxes, "detect_people", lambda rgb: [])
    assert person_candidates(np.zeros((64, 64, 3), np.uint8)) == []


def test_a_detector_box_is_cropped_at_the_calibrated_framing():
    c = _cand((100, 50, 200, 400))
    x, y, w, h = c.crop_box
    assert (x + w / 2, y + h / 2) == pytest.approx((200, 250))
    assert h * 1.3 == pytest.approx(400 * BOX_ENLARGE)  # cropped with DEFAULT_ENLARGE = 1.3, framed as BOX_ENLARGE
    assert PersonCandidate((1, 2, 3, 4), 1.0, "HOG").crop_box == (1, 2, 3, 4)


class IdealNet(torch.nn.Module):
    """Finds joint k where the crop shows a dot of green level 10 + 15 k (red 255): an ideal pose network.

    Bilinear warping blends a dot with the black background, scaling red and green alike, so green / red
    still names the joint at a dot's edge."""

    def __init__(self):
        super().__init__()
        self.config = SimpleNamespace(schema="lsp14", input_size=(128, 128))
        self.stride = 4

    def forward(self, x):
        rgb = (x * torch.from_numpy(STD)[:, None, None] + torch.from_numpy(MEAN)[:, None, None]) * 255
        r, g = rgb[:, 0].clamp(min=0), rgb[:, 1].clamp(min=0)
        ident = g / r.clamp(min=1) * 255
        ids = torch.tensor([10 + 15 * k for k in range(14)], dtype=torch.float32)[None, :, None, None]
        maps = (r[:, None] / 255) * torch.exp(-((ident[:, None] - ids) / 3) ** 2)
        maps = torch.nn.functional.max_pool2d(maps, 4)
        return PoseOutput(stages=[maps], stage_names=["output"])


def _dotted_image():
    rng = np.random.default_rng(3)
    img = np.zeros((600, 800, 3), np.uint8)
    joints = np.column_stack([rng.uniform(300, 480, 14), rng.uniform(150, 450, 14), np.full(14, 2.0)])
    for k, (x, y, _) in enumerate(joints):
        cv2.circle(img, (round(x), round(y)), 6, (255, 10 + 15 * k, 0), -1)
    return img, np.round(joints)


def test_the_refinement_pass_converges_to_the_training_framing_on_an_ideal_network():
    img, joints = _dotted_image()
    model = IdealNet()
    x, y, w, h = joints_box(joints)
    loose = (x - 0.4 * w, y - 0.1 * h, 1.7 * w, 1.6 * h)  # a user's loose, off-centre box
    first = predict_person(model, img, loose)
    assert np.abs(first.keypoints[:, :2] - joints[:, :2]).max() < 8  # every dot found, within a belief-map cell (~12 px)
    refined = refined_prediction(model, img, first, passes=3)
    ideal = predict_person(model, img, (x, y, w, h))
    side = ideal.transform.scale[0] * 200  # crop side in image px; the decoded joints move by under a cell's share
    np.testing.assert_allclose(refined.transform.center, ideal.transform.center, atol=0.02 * side)
    np.testing.assert_allclose(refined.transform.scale, ideal.transform.scale, rtol=0.03)
    assert abs(first.transform.scale[0] / ideal.transform.scale[0] - 1) > 0.3  # the first crop was not framed so
    assert np.abs(refined.keypoints[:, :2] - joints[:, :2]).max() <= np.abs(first.keypoints[:, :2] - joints[:, :2]).max() + 0.5
    assert refined_prediction(model, img, first, passes=0) is first


def test_refinement_keeps_the_crop_when_no_joint_is_confident():
    img = np.zeros((300, 300, 3), np.uint8)
    first = predict_person(IdealNet(), img, (50, 50, 100, 100))
    assert refined_prediction(IdealNet(), img, first, passes=3) is first


def _predict_json(*args: str) -> tuple[list, str]:
    res = subprocess.run([sys.executable, "-m", "poseviz", "predict", *args, "--json"], capture_output=True, text=True,
                         cwd=ROOT, timeout=240)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout), res.stderr


def test_predict_without_a_box_returns_every_detected_person_default_first():
    photo = ROOT / "poseviz" / "gallery" / "photos" / "10_apollo11-crew-group.jpg"
    people, _ = _predict_json(str(photo), "--model", "cpm_lsp")
    assert len(people) == 3
    assert [p["default"] for p in people] == [True, False, False]
    for p in people:
        assert set(p) >= {"image_id", "category_id", "keypoints", "score", "box", "detector_score", "default"}
        kp = np.array(p["keypoints"]).reshape(-1, 3)
        x, y, w, h = p["box"]
        assert len(kp) == 14 and 0.3 <= p["detector_score"] <= 1 and w > 100 and h > 200
        # each person's joints lie in (or near) its own box
        inside = (kp[:, 0] > x - 0.2 * w) & (kp[:, 0] < x + 1.2 * w) & (kp[:, 1] > y - 0.2 * h) & (kp[:, 1] < y + 1.2 * h)
        assert inside.mean() >= 0.85
    boxes = np.array([p["box"] for p in people])
    assert len({round(b[0] / 50) for b in boxes}) == 3  # three different people, not one thrice


def test_predict_on_a_photo_with_nobody_says_so(tmp_path):
    from skimage import data

    path = tmp_path / "coffee.png"
    cv2.imwrite(str(path), data.coffee()[..., ::-1])
    people, err = _predict_json(str(path), "--model", "cpm_lsp")
    assert people == [] and "No person found" in err
