"""The default person on a photo: only whole-looking bottom-up people become candidates."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from poseviz.core.schemas import LSP14
from poseviz.inference.person_boxes import default_box, looks_whole
from poseviz.io.images import load_image


def _found(*names: str) -> np.ndarray:
    return np.array([n in names for n in LSP14.joints])


def test_a_candidate_needs_six_joints_two_on_the_legs_and_one_on_an_arm():
    names = LSP14.joints
    assert looks_whole(_found("head_top", "neck", "right_shoulder", "right_hip", "right_knee", "left_hip"), names)
    # Camera and hands: eight joints, none on the legs.
    assert not looks_whole(_found("head_top", "neck", "right_shoulder", "left_shoulder", "right_elbow", "left_elbow",
                                  "right_wrist", "left_wrist"), names)
    assert not looks_whole(_found("right_hip", "left_hip", "right_knee", "left_knee", "right_ankle", "left_ankle"), names)
    assert not looks_whole(_found("neck", "right_shoulder", "right_hip", "left_hip", "right_knee"), names)  # five


def test_on_the_bundled_cameraman_the_default_person_is_the_man_not_his_camera():
    import skimage.data

    from poseviz.inference.person_boxes import BOTTOM_UP_FINDER
    from poseviz.models.fast_inference import for_inference
    from poseviz.models.pretrained import load_pretrained

    from poseviz.inference.person_boxes import default_person, fallback_candidates

    rgb = load_image(Path(skimage.data.__file__).parent / "camera.png", max_side=None).rgb
    x, y, w, h = default_box(rgb, for_inference(load_pretrained(BOTTOM_UP_FINDER)))
    # The detector's box, cropped at the training framing: he stands in the left 300 px, from 60 px down to the bottom.
    assert 100 < x + w / 2 < 200 and 220 < y + h / 2 < 320 and w * h >= 0.3 * rgb.shape[0] * rgb.shape[1], (x, y, w, h)
    # The fallback finders (no detector) still choose him, not his camera.
    cands = fallback_candidates(rgb, for_inference(load_pretrained(BOTTOM_UP_FINDER)))
    chosen = default_person(cands)
    area = cands[chosen].area if chosen is not None else 0.59 * rgb.shape[0] * rgb.shape[1]  # else the whole image
    assert area >= 0.4 * rgb.shape[0] * rgb.shape[1]
