"""Every refused COCO input names the annotation and the field."""
import copy
import json

import pytest

from conftest import COCO_GT, NO_DEVDATA
from poseviz.core.errors import PoseVizInputError
from poseviz.io.coco import load_coco, load_results, save_coco


@pytest.fixture()
def raw():
    if not COCO_GT.is_file():
        pytest.skip(NO_DEVDATA)
    return json.loads(COCO_GT.read_text())


def _first(raw):
    return raw["annotations"][0]


def test_round_trip_keeps_what_pycocotools_reads(coco_gt, tmp_path):
    path = tmp_path / "copy.json"
    save_coco(coco_gt, path)
    again = load_coco(path)
    assert again.dataset == coco_gt.dataset
    cg = again.to_pycocotools()
    assert len(cg.getAnnIds()) == len(coco_gt.annotations) == 172


def test_missing_iscrowd_becomes_zero(raw):
    del _first(raw)["iscrowd"]
    assert load_coco(raw).annotations[0]["iscrowd"] == 0


@pytest.mark.parametrize(
    "mutate, pattern",
    [
        (lambda a: a.__setitem__("keypoints", a["keypoints"][:-3]), r"annotation {id}: field 'keypoints' has 48 values, expected 51"),
        (lambda a: a.__setitem__("area", -5.0), r"annotation {id}: field 'area' must be a number from 0"),
        (lambda a: a.__setitem__("image_id", 987654321), r"annotation {id}: field 'image_id' refers to unknown image 987654321"),
        (lambda a: a.__setitem__("num_keypoints", a["num_keypoints"] + 1), r"annotation {id}: field 'num_keypoints' is \d+ but \d+ keypoints"),
        (lambda a: a["keypoints"].__setitem__(0, "x"), r"annotation {id}: field 'keypoints' value 0 \(joint 0\)"),
        (lambda a: a["keypoints"].__setitem__(3, float("nan")), r"annotation {id}: field 'keypoints' value 3 \(joint 1\)"),
        (lambda a: a["keypoints"].__setitem__(2, 7), r"annotation {id}: field 'keypoints' has visibility 7"),
        (lambda a: a.__setitem__("bbox", [0, 0, -1, 3]), r"annotation {id}: field 'bbox'"),
    ],
)
def test_bad_annotation_is_refused_with_its_id_and_field(raw, mutate, pattern):
    ann = _first(raw)
    mutate(ann)
    with pytest.raises(PoseVizInputError, match=pattern.format(id=ann["id"])):
        load_coco(raw)


def test_annotation_id_zero_is_refused(raw):
    _first(raw)["id"] = 0
    with pytest.raises(PoseVizInputError, match="annotation 0: field 'id' must not be 0"):
        load_coco(raw)


def test_duplicate_annotation_id_is_refused(raw):
    raw["annotations"][1]["id"] = raw["annotations"][0]["id"]
    with pytest.raises(PoseVizInputError, match="used by more than one annotation"):
        load_coco(raw)


@pytest.mark.parametrize("content, pattern", [(b"", "is empty"), (b"{not json", "not valid JSON"), (b"[1, 2]", "must hold a JSON object"),
                                              (b'{"images": []}', "'annotations' is missing")])
def test_unreadable_files_are_refused(tmp_path, content, pattern):
    p = tmp_path / "x.json"
    p.write_bytes(content)
    with pytest.raises(PoseVizInputError, match=pattern):
        load_coco(p)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(PoseVizInputError, match="not found"):
        load_coco(tmp_path / "nope.json")


def test_results_are_validated(coco_gt):
    good = [{"image_id": coco_gt.images[0]["id"], "keypoints": [1.0] * 51, "score": 0.5}]
    assert load_results(copy.deepcopy(good), coco_gt)[0]["category_id"] == 1
    with pytest.raises(PoseVizInputError, match="result 0: field 'score'"):
        load_results([{**good[0], "score": None}], coco_gt)
    with pytest.raises(PoseVizInputError, match="result 0: field 'image_id'"):
        load_results([{**good[0], "image_id": -4}], coco_gt)
    with pytest.raises(PoseVizInputError, match="result 0: field 'keypoints' has 3 values"):
        load_results([{**good[0], "keypoints": [1, 2, 3]}], coco_gt)
