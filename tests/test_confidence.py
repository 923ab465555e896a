"""The person-confidence gate, re-checked on the shipped weights."""
from __future__ import annotations

import numpy as np
import pytest

from poseviz.inference.confidence import PERSON_BELIEF_THRESHOLD, confidence_message, is_confident, person_belief
from poseviz.models import zoo


def test_gate_arithmetic():
    kp = np.zeros((14, 3))
    kp[:, 2] = 0.05
    assert person_belief(kp) == pytest.approx(0.05) and not is_confident(kp)
    assert "No confident person here" in confidence_message(kp) and "0.050" in confidence_message(kp)
    kp[:, 2] = 0.3
    assert is_confident(kp) and confidence_message(kp) is None


@pytest.mark.devdata
@pytest.mark.parametrize("name", zoo.shipped_models(None))
def test_real_people_pass_and_a_blank_image_fails(name):
    from poseviz.data.lsp import joints_box
    from poseviz.data.mix import DEFAULT_MIX, load_split, parse_mix
    from poseviz.inference.top_down import predict_person
    from poseviz.models.fast_inference import for_inference
    from poseviz.models.pretrained import load_pretrained
    from poseviz.training.dataset import load_images

    model = for_inference(load_pretrained(name))
    people = load_split(parse_mix(DEFAULT_MIX)).validation["mpii"]
    idx = np.arange(0, 200, 2)
    images = load_images(people, idx)
    beliefs = [person_belief(predict_person(model, img, joints_box(people.joints[i])).keypoints) for img, i in zip(images, idx)]
    assert np.mean(np.array(beliefs) >= PERSON_BELIEF_THRESHOLD) >= 0.97
    grey = np.full((200, 200, 3), 128, np.uint8)
    assert not is_confident(predict_person(model, grey, (0, 0, 200, 200)).keypoints)
