"""COCO keypoint JSON: load, validate, save — compatible with pycocotools.

Validation names the annotation id and the field at fault, so a user can fix the file.
Missing ``iscrowd`` becomes 0 and a missing ``num_keypoints`` is computed; anything
else wrong is refused with ``PoseVizInputError``.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from poseviz.core.errors import PoseVizInputError
from poseviz.core.schemas import COCO17
from poseviz.io.input_bytes import read_input_bytes

__all__ = ["CocoKeypoints", "coco_result", "load_coco", "validate_coco", "save_coco", "load_results", "validate_results", "MAX_JSON_BYTES"]

MAX_JSON_BYTES = 200 * 1024 * 1024
# Matching and per-instance browsing grow with people per image; COCO's most crowded keypoint
# image has 20 annotated people. These bounds keep one file from holding a server for minutes.
MAX_PEOPLE_PER_IMAGE = 100
MAX_ANNOTATIONS = 50_000
MAX_RESULTS = 200_000
# No photo PoseViz reads is larger (its pixel limit); a coordinate beyond is a typo or an attack on the drawing code.
MAX_COORD = 100_000.0
MAX_FILE_NAME = 255  # characters: a file system's own limit on one name
MAX_JOINT_NAME = 64


@dataclass(frozen=True)
class CocoKeypoints:
    """A validated COCO keypoint dataset (the JSON dict) with quick look-ups."""

    dataset: dict
    notes: tuple[str, ...] = ()  # what loading filled in (e.g. areas taken from boxes), to tell the user

    @property
    def images(self) -> list[dict]:
        return self.dataset["images"]

    @property
    def annotations(self) -> list[dict]:
        return self.dataset["annotations"]

    @property
    def num_joints(self) -> int:
        return len(self.dataset["categories"][0].get("keypoints", [])) or COCO17.num_joints

    def image(self, image_id: int) -> dict:
        for im in self.images:
            if im["id"] == image_id:
                return im
        raise KeyError(f"no image with id {image_id}")

    def file_name(self, image_id: int) -> str:
        """The image's ``file_name``; ``PoseVizInputError`` when the file does not give one."""
        name = self.image(image_id).get("file_name")
        if name is None:
            raise PoseVizInputError(f"image {image_id} has no 'file_name', so its pixels cannot be found")
        return name

    def first_people(self, max_people: int) -> tuple["CocoKeypoints", int]:
        """The whole images from the start of the file holding at most ``max_people`` annotated people (at least
        the first image's), and how many people were left out; the file itself when it is small enough."""
        counts: dict = {}
        for a in self.annotations:
            counts[a["image_id"]] = counts.get(a["image_id"], 0) + (a["num_keypoints"] > 0 and not a["iscrowd"])
        total, kept, people = sum(counts.values()), [], 0
        if total <= max_people:
            return self, 0
        for im in self.images:
            n = counts.get(im["id"], 0)
            if kept and people + n > max_people:
                break
            kept.append(im)
            people += n
        ids = {im["id"] for im in kept}
        data = {**self.dataset, "images": kept, "annotations": [a for a in self.annotations if a["image_id"] in ids]}
        return CocoKeypoints(data, self.notes), total - people

    def annotations_of(self, image_id: int) -> list[dict]:
        """All person annotations of one image."""
        return [a for a in self.annotations if a["image_id"] == image_id]

    def keypoints(self, ann: dict) -> np.ndarray:
        """[K, 3] (x, y, v) of an annotation."""
        return np.asarray(ann["keypoints"], dtype=np.float64).reshape(-1, 3)

    def to_pycocotools(self) -> Any:
        """A ``pycocotools.coco.COCO`` over the same data (quietly)."""
        import contextlib
        import io

        from pycocotools.coco import COCO

        coco = COCO()
        coco.dataset = json.loads(json.dumps(self.dataset))
        with contextlib.redirect_stdout(io.StringIO()):
            coco.createIndex()
        return coco


def _read_json(source: str | Path | bytes | dict | list, what: str) -> Any:
    if isinstance(source, (dict, list)):
        try:
            return json.loads(json.dumps(source))  # our own copy; callers' objects stay untouched
        except ValueError as exc:  # an integer beyond Python's 4300-digit conversion limit
            raise PoseVizInputError(f"the {what} holds a value PoseViz cannot handle ({str(exc)[:80]})") from None
    raw, name = read_input_bytes(source, MAX_JSON_BYTES, what)
    if not raw.strip():
        raise PoseVizInputError(f"{name} is empty")
    try:
        return json.loads(raw, parse_constant=lambda c: float("nan"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PoseVizInputError(f"{name} is not valid JSON: {exc}") from None
    except ValueError as exc:  # a 5000-digit integer exceeds Python's conversion limit
        raise PoseVizInputError(f"{name} holds a number too long to read ({str(exc)[:60]})") from None
    except RecursionError:
        raise PoseVizInputError(f"{name} is nested too deeply to be a COCO file") from None


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _is_int(v: Any) -> bool:
    # Ids beyond 64 bits are refused: no dataset has them, and a 5000-digit int cannot even be printed.
    ok = isinstance(v, int) and not isinstance(v, bool) or (isinstance(v, float) and v.is_integer())
    return ok and abs(v) < 2**63


def _check_keypoints(kp: Any, k: int, where: str) -> None:
    if not isinstance(kp, list):
        raise PoseVizInputError(f"{where}: field 'keypoints' must be a list, got {type(kp).__name__}")
    if len(kp) != 3 * k:
        raise PoseVizInputError(f"{where}: field 'keypoints' has {len(kp)} values, expected {3 * k} ({k} joints × 3)")
    for i, v in enumerate(kp):
        if not _is_number(v):
            raise PoseVizInputError(f"{where}: field 'keypoints' value {i} (joint {i // 3}) is {str(v)[:40]!r}, not a finite number")
        if abs(v) > MAX_COORD:
            raise PoseVizInputError(f"{where}: field 'keypoints' value {i} (joint {i // 3}) is {v:g}, beyond the "
                                    f"±{MAX_COORD:g} px any image can have")


def _check_joint_names(cat: dict, num_joints: int | None) -> list[str]:
    """The category's joint names, checked; a category without any is read as COCO-17 (the only standard)."""
    names = cat.get("keypoints")
    if names is None:
        if num_joints not in (None, COCO17.num_joints):
            raise PoseVizInputError(f"category {cat['id']}: field 'keypoints' (the joint names) is missing")
        cat["keypoints"] = names = list(COCO17.joints)
    if not (isinstance(names, list) and names and len(names) <= 3 * COCO17.num_joints
            and all(isinstance(n, str) and 0 < len(n) <= MAX_JOINT_NAME for n in names)):
        raise PoseVizInputError(f"category {cat['id']}: field 'keypoints' must list the joint names as strings "
                                f"(1–{MAX_JOINT_NAME} characters each, at most {3 * COCO17.num_joints} joints)")
    if len(set(names)) != len(names):
        raise PoseVizInputError(f"category {cat['id']}: field 'keypoints' names a joint twice")
    return names


def _check_file_name(im: dict) -> None:
    name = im.get("file_name")
    if name is None:
        return  # scoring a results file needs no pixels; drawing asks ``CocoKeypoints.file_name``
    if not isinstance(name, str) or not 0 < len(name) <= MAX_FILE_NAME or any(ord(c) < 32 for c in name):
        shown = f"{type(name).__name__} of {len(name)} characters" if isinstance(name, (str, list)) else type(name).__name__
        raise PoseVizInputError(f"image {im['id']}: field 'file_name' must be a plain name of 1–{MAX_FILE_NAME} "
                                f"characters without control characters (got a {shown})")


def validate_coco(data: Any, num_joints: int | None = None) -> CocoKeypoints:
    """Validate a COCO keypoint dict in place of loading; see ``load_coco``."""
    if not isinstance(data, dict):
        raise PoseVizInputError(f"a COCO keypoint file must hold a JSON object, got {type(data).__name__}")
    for key in ("images", "annotations"):
        if not isinstance(data.get(key), list):
            raise PoseVizInputError(f"COCO file: top-level field {key!r} is missing or not a list")
    cats = data.get("categories")
    if cats is None:
        data["categories"] = cats = [{"id": 1, "name": "person", "supercategory": "person",
                                      "keypoints": list(COCO17.joints), "skeleton": [[a + 1, b + 1] for a, b in COCO17.skeleton]}]
    if not isinstance(cats, list) or not cats or not all(isinstance(c, dict) and _is_int(c.get("id")) for c in cats):
        raise PoseVizInputError("COCO file: 'categories' must be a non-empty list of objects with integer ids")
    names = _check_joint_names(cats[0], num_joints)
    for c in cats[1:]:
        if "keypoints" in c:
            _check_joint_names(c, None)
    if num_joints is None:
        num_joints = len(names)
    image_ids: set = set()
    for n, im in enumerate(data["images"]):
        if not isinstance(im, dict) or not _is_int(im.get("id")):
            raise PoseVizInputError(f"image entry {n}: field 'id' is missing or not an integer")
        for f in ("width", "height"):
            if f in im and not (_is_number(im[f]) and 0 < im[f] <= MAX_COORD):
                raise PoseVizInputError(f"image {im['id']}: field {f!r} must be a positive number up to {MAX_COORD:g}, "
                                        f"got {str(im[f])[:40]!r}")
        _check_file_name(im)
        image_ids.add(im["id"])
    cat_ids = {c["id"] for c in cats}
    if len(data["annotations"]) > MAX_ANNOTATIONS:
        raise PoseVizInputError(f"COCO file: {len(data['annotations'])} annotations, over the limit of {MAX_ANNOTATIONS}; split the file")
    per_image: dict = {}
    for ann in data["annotations"]:
        if isinstance(ann, dict) and _is_int(ann.get("image_id")):
            per_image[ann["image_id"]] = per_image.get(ann["image_id"], 0) + 1
    crowded = max(per_image.items(), key=lambda kv: kv[1], default=(None, 0))
    if crowded[1] > MAX_PEOPLE_PER_IMAGE:
        raise PoseVizInputError(f"image {crowded[0]} has {crowded[1]} annotations; PoseViz scores at most "
                                f"{MAX_PEOPLE_PER_IMAGE} people per image")
    boxed_areas = 0
    seen = set()
    for n, ann in enumerate(data["annotations"]):
        if not isinstance(ann, dict):
            raise PoseVizInputError(f"annotation entry {n} is not an object")
        aid = ann.get("id")
        if not _is_int(aid):
            raise PoseVizInputError(f"annotation entry {n}: field 'id' is missing or not an integer")
        where = f"annotation {aid}"
        if aid == 0:
            raise PoseVizInputError(f"{where}: field 'id' must not be 0 (pycocotools uses 0 for 'unmatched')")
        if aid in seen:
            raise PoseVizInputError(f"{where}: field 'id' is used by more than one annotation")
        seen.add(aid)
        if not _is_int(ann.get("image_id")) or ann["image_id"] not in image_ids:
            raise PoseVizInputError(f"{where}: field 'image_id' refers to unknown image {ann.get('image_id')!r}")
        if not _is_int(ann.get("category_id", cats[0]["id"])) or ann.get("category_id", cats[0]["id"]) not in cat_ids:
            raise PoseVizInputError(f"{where}: field 'category_id' refers to unknown category {ann.get('category_id')!r}")
        ann.setdefault("category_id", cats[0]["id"])
        _check_keypoints(ann.get("keypoints"), num_joints, where)
        vis = ann["keypoints"][2::3]
        bad_v = [v for v in vis if v not in (0, 1, 2)]
        if bad_v:
            raise PoseVizInputError(f"{where}: field 'keypoints' has visibility {bad_v[0]!r}; COCO uses 0, 1 or 2")
        if "bbox" in ann:
            b = ann["bbox"]
            if not (isinstance(b, list) and len(b) == 4 and all(_is_number(v) and abs(v) <= MAX_COORD for v in b)
                    and b[2] >= 0 and b[3] >= 0):
                raise PoseVizInputError(f"{where}: field 'bbox' must be [x, y, w, h] with w, h ≥ 0 and every value "
                                        f"within ±{MAX_COORD:g} px, got {str(b)[:80]}")
        else:
            raise PoseVizInputError(f"{where}: field 'bbox' is missing")
        if "area" not in ann:
            # CrowdPose-style files carry no area: OKS then uses the box's, as COCO's segment area would be absent too.
            ann["area"] = float(ann["bbox"][2] * ann["bbox"][3])
            boxed_areas += 1
        if not _is_number(ann["area"]) or not 0 <= ann["area"] <= MAX_COORD**2:
            raise PoseVizInputError(f"{where}: field 'area' must be a number from 0 to {MAX_COORD**2:g} px², "
                                    f"got {str(ann['area'])[:40]}")
        if "iscrowd" not in ann:
            ann["iscrowd"] = 0
        elif ann["iscrowd"] not in (0, 1):
            raise PoseVizInputError(f"{where}: field 'iscrowd' must be 0 or 1, got {ann['iscrowd']!r}")
        labelled = sum(1 for v in vis if v > 0)
        if "num_keypoints" not in ann:
            ann["num_keypoints"] = labelled
        elif not _is_int(ann["num_keypoints"]) or ann["num_keypoints"] != labelled:
            raise PoseVizInputError(f"{where}: field 'num_keypoints' is {ann['num_keypoints']!r} but {labelled} keypoints have visibility > 0")
    notes = (f"{boxed_areas} annotations have no 'area': OKS uses their box area (w × h) instead",) if boxed_areas else ()
    return CocoKeypoints(data, notes)


def load_coco(source: str | Path | bytes | dict, num_joints: int | None = None) -> CocoKeypoints:
    """Load and validate a COCO keypoint file (path, bytes or an already-parsed dict).

    Raises ``PoseVizInputError`` whose message names the annotation id and field at
    fault: keypoints of the wrong length or not numbers, missing or negative area,
    unknown image id, annotation id 0, ``num_keypoints`` disagreeing with visibilities.
    """
    return validate_coco(_read_json(source, "COCO annotation file"), num_joints)


def save_coco(data: CocoKeypoints | dict, path: str | Path) -> None:
    """Write a COCO keypoint dataset (or a results list) as JSON."""
    payload = data.dataset if isinstance(data, CocoKeypoints) else data
    Path(path).write_text(json.dumps(payload))


def validate_results(results: Any, gt: CocoKeypoints) -> list[dict]:
    """Validate a COCO keypoint results list against ``gt``; returns a copy."""
    if not isinstance(results, list):
        raise PoseVizInputError(f"a COCO results file must hold a JSON list, got {type(results).__name__}")
    if len(results) > MAX_RESULTS:
        raise PoseVizInputError(f"the results file holds {len(results)} detections, over the limit of {MAX_RESULTS}")
    image_ids = {im["id"] for im in gt.images}
    cat_ids = {c["id"] for c in gt.dataset["categories"]}
    k = gt.num_joints
    out = []
    for n, r in enumerate(results):
        where = f"result {n}"
        if not isinstance(r, dict):
            raise PoseVizInputError(f"{where} is not an object")
        if not _is_int(r.get("image_id")) or r["image_id"] not in image_ids:
            raise PoseVizInputError(f"{where}: field 'image_id' refers to image {r.get('image_id')!r}, not in the ground truth")
        _check_keypoints(r.get("keypoints"), k, where)
        if not _is_number(r.get("score")):
            raise PoseVizInputError(f"{where}: field 'score' is missing or not a finite number")
        cat = r.get("category_id", gt.dataset["categories"][0]["id"])
        if not _is_int(cat):
            raise PoseVizInputError(f"{where}: field 'category_id' must be an integer, got {type(cat).__name__} {str(cat)[:40]}")
        if cat not in cat_ids:
            raise PoseVizInputError(f"{where}: field 'category_id' is {cat}, a category the ground truth does not have "
                                    f"({', '.join(map(str, sorted(cat_ids)))}): it could never match")
        out.append({**r, "category_id": cat})
    return out


def load_results(source: str | Path | bytes | list, gt: CocoKeypoints) -> list[dict]:
    """Load and validate a COCO keypoint results file (a list of {image_id, keypoints, score})."""
    return validate_results(_read_json(source, "COCO results file"), gt)


def coco_result(keypoints: np.ndarray, image_id: int, score: float | None = None, category_id: int = 1) -> dict:
    """One COCO keypoint result {image_id, category_id, keypoints [x, y, s]*K, score} from [K, 3]."""
    kp = np.asarray(keypoints, dtype=np.float64)
    return {
        "image_id": int(image_id),
        "category_id": int(category_id),
        "keypoints": [round(float(v), 3) for v in kp.ravel()],
        "score": float(kp[:, 2].mean() if score is None else score),
    }
