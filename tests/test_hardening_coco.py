"""COCO files a visitor may upload: missing areas, odd category ids, absurd ids, crowded images."""
from __future__ import annotations


import numpy as np
import pytest

from poseviz.core.errors import PoseVizInputError
from poseviz.io.coco import MAX_PEOPLE_PER_IMAGE, load_coco, validate_results


def _doc(n_people=2):
    anns = []
    for i in range(n_people):
        kp = np.zeros((17, 3))
        kp[:, :2] = 10 + i
        kp[:, 2] = 2
        anns.append({"id": i + 1, "image_id": 7, "category_id": 1, "keypoints": kp.ravel().tolist(),
                     "bbox": [0, 0, 20, 40], "area": 500.0, "iscrowd": 0})
    return {"images": [{"id": 7, "file_name": "a.jpg", "width": 100, "height": 100}], "annotations": anns,
            "categories": [{"id": 1, "name": "person"}]}


def test_missing_area_uses_the_box_and_says_so():
    doc = _doc()
    for a in doc["annotations"]:
        del a["area"]
    gt = load_coco(doc)
    assert gt.annotations[0]["area"] == 800.0
    assert gt.notes and "box area" in gt.notes[0] and gt.notes[0].startswith("2 annotations")
    assert load_coco(_doc()).notes == ()


@pytest.mark.parametrize("bad", [[1], {"id": 1}, "1"])
def test_result_category_must_be_an_integer(bad):
    gt = load_coco(_doc())
    res = [{"image_id": 7, "category_id": bad, "keypoints": [1.0] * 51, "score": 0.5}]
    with pytest.raises(PoseVizInputError, match="'category_id' must be an integer"):
        validate_results(res, gt)


def test_unknown_result_category_is_refused_not_scored_zero():
    gt = load_coco(_doc())
    with pytest.raises(PoseVizInputError, match="category the ground truth does not have"):
        validate_results([{"image_id": 7, "category_id": 3, "keypoints": [1.0] * 51, "score": 0.5}], gt)


@pytest.mark.parametrize("digits", [400, 5000])
def test_ids_with_hundreds_of_digits_are_refused(digits):
    doc = _doc()
    doc["annotations"][0]["id"] = 10 ** (digits - 1)
    with pytest.raises(PoseVizInputError, match="field 'id' is missing or not an integer|cannot handle"):
        load_coco(doc)
    import json

    text = json.dumps(_doc()).replace('"id": 1,', '"id": 1' + "0" * (digits - 1) + ",", 1)
    with pytest.raises(PoseVizInputError, match="field 'id' is missing or not an integer|too long to read"):
        load_coco(text.encode())


def test_crowded_image_is_refused_quickly():
    with pytest.raises(PoseVizInputError, match=f"at most {MAX_PEOPLE_PER_IMAGE} people per image"):
        load_coco(_doc(MAX_PEOPLE_PER_IMAGE + 1))
    assert len(load_coco(_doc(MAX_PEOPLE_PER_IMAGE)).annotations) == MAX_PEOPLE_PER_IMAGE


def test_instance_image_of_a_box_outside_its_image_is_the_whole_image():
    from poseviz.plots.oks import oks_instance_image

    img = np.zeros((50, 60, 3), np.uint8)
    gt = np.zeros((12, 3))
    gt[:, 2] = 2
    out = oks_instance_image(img, gt, gt.copy(), 100.0, np.full(12, 0.08), ["good"] * 12, zoom_box=(500, 500, 20, 20))
    assert out.shape[0] > 0 and out.shape[1] > 0 and out.shape[1] / out.shape[0] == 60 / 50
