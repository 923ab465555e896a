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


def test_a_category_without_joint_names_is_read_as_coco_17_and_results_score():
    doc = _doc()
    assert "keypoints" not in doc["categories"][0]
    gt = load_coco(doc)
    assert gt.dataset["categories"][0]["keypoints"][0] == "nose" and gt.num_joints == 17
    res = validate_results([{"image_id": 7, "keypoints": doc["annotations"][0]["keypoints"], "score": 1.0}], gt)
    assert res[0]["category_id"] == 1
    doc = _doc()
    for a in doc["annotations"]:
        a["keypoints"] = a["keypoints"][:42]  # 14 joints and no names: nothing says which
    with pytest.raises(PoseVizInputError, match="'keypoints' has 42 values, expected 51"):
        load_coco(doc)


@pytest.mark.parametrize("names, pattern", [([1, 2, 3], "joint names as strings"), ([{"a": 1}], "joint names as strings"),
                                            (["x" * 65], "1–64 characters"), (["a", "a"], "names a joint twice")])
def test_joint_names_that_are_not_names_are_refused(names, pattern):
    doc = _doc()
    doc["categories"][0]["keypoints"] = names
    with pytest.raises(PoseVizInputError, match=pattern):
        load_coco(doc)


@pytest.mark.parametrize("field, value, pattern", [
    ("keypoints", 1e12, "beyond the ±100000 px"), ("area", 3e9 * 10, "'area' must be a number from 0"),
    ("area", 1e30, "'area' must be a number from 0"), ("bbox", [0, 0, 1e12, 5], "within ±100000 px")])
def test_coordinates_and_areas_no_image_can_have_are_refused(field, value, pattern):
    doc = _doc()
    a = doc["annotations"][0]
    if field == "keypoints":
        a["keypoints"][0] = value
    else:
        a[field] = value
    with pytest.raises(PoseVizInputError, match=pattern):
        load_coco(doc)


@pytest.mark.parametrize("name, pattern", [(7, "got a int"), (["a.jpg"], "got a list of 1"), ("x" * 5_000_000, "list|str of 5000000"),
                                           ("a\0.jpg", "without control characters"), ("", "1–255")])
def test_file_names_must_be_plain_bounded_strings(name, pattern):
    doc = _doc()
    doc["images"][0]["file_name"] = name
    with pytest.raises(PoseVizInputError, match=pattern) as exc:
        load_coco(doc)
    assert len(str(exc.value)) < 300  # a 5 MB name never reaches a message or a log line whole


def test_a_missing_file_name_is_said_when_the_pixels_are_needed():
    doc = _doc()
    del doc["images"][0]["file_name"]
    gt = load_coco(doc)
    with pytest.raises(PoseVizInputError, match="image 7 has no 'file_name'"):
        gt.file_name(7)


def test_the_laboratory_runs_a_model_on_the_first_whole_images_up_to_its_cap():
    doc = _doc(3)
    doc["images"] += [{"id": 8, "file_name": "b.jpg"}, {"id": 9, "file_name": "c.jpg"}]
    for i, iid in enumerate((8, 8, 9)):
        a = dict(doc["annotations"][0], id=10 + i, image_id=iid)
        doc["annotations"].append(a)
    gt = load_coco(doc)  # 3 people in image 7, 2 in image 8, 1 in image 9
    head, left = gt.first_people(5)
    assert [im["id"] for im in head.images] == [7, 8] and len(head.annotations) == 5 and left == 1
    assert gt.first_people(6) == (gt, 0)
    head, left = gt.first_people(1)  # never an empty laboratory: the first image whole
    assert [im["id"] for im in head.images] == [7] and left == 3
