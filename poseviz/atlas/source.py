"""What an atlas runs over: a dataset's annotated people, read leniently (a bad annotation is a row, not a stop).

A dataset is named (``coco-val2017``, ``coco-mini``, ``lsp``, ``mpii`` under the data root) or given as a COCO
keypoint file with its images folder (CrowdPose- and OCHuman-style files are COCO keypoint files too).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from poseviz.core.errors import PoseVizInputError
from poseviz.data.root import dataset_dir
from poseviz.io.coco import CocoKeypoints, _read_json, validate_coco

__all__ = ["NAMED", "Person", "AtlasSource", "open_source"]

# named datasets: (annotation file, images folder) under the dataset's folder; LSP and MPII are converted
NAMED = {
    "coco-val2017": ("annotations/person_keypoints_val2017.json", "val2017"),
    "coco-mini": ("annotations/person_keypoints_train2017.json", "train2017"),
    "lsp": None,
    "mpii": None,
}


@dataclass(frozen=True)
class Person:
    """One annotation to run every model on; ``problem`` says why it cannot be (then it becomes an error row)."""

    ann_id: int
    image_id: int
    file_name: str
    ann: dict = field(hash=False, compare=False)
    problem: str = ""


@dataclass
class AtlasSource:
    """A dataset's people in a fixed order (image id, then annotation id), its ground truth and where its images are."""

    name: str
    gt: CocoKeypoints  # the valid annotations
    images: Path
    people: list[Person]
    digest: str  # SHA-256 of the annotations as read: an atlas records it and refuses to mix datasets

    def image_path(self, file_name: str) -> Path:
        from poseviz.data.paths import resolve_inside

        return resolve_inside(self.images, file_name)

    def others(self, person: Person) -> list[dict]:
        """The other valid annotations of the person's image (for swaps and the crowd index)."""
        return [a for a in self.gt.annotations_of(person.image_id) if a["id"] != person.ann_id]


def _lenient(data: dict) -> tuple[CocoKeypoints, list[Person]]:
    """Validate annotation by annotation: the valid ones form the ground truth, the others become people
    with a ``problem`` (the message names the field)."""
    if not isinstance(data, dict) or not isinstance(data.get("images"), list) or not isinstance(data.get("annotations"), list):
        raise PoseVizInputError("a COCO keypoint file must hold an object with 'images' and 'annotations' lists")
    base = validate_coco({"images": data["images"], "annotations": [], "categories": data.get("categories")})
    images = {im["id"]: im for im in base.dataset["images"]}
    cats = base.dataset["categories"]
    good, people = [], []
    for n, ann in enumerate(data["annotations"]):
        aid = ann.get("id") if isinstance(ann, dict) else None
        iid = ann.get("image_id") if isinstance(ann, dict) else None
        im = images.get(iid) if isinstance(iid, int) else None
        try:
            one = validate_coco({"images": [im] if im else [], "annotations": [ann], "categories": cats})
            good.append(one.dataset["annotations"][0])
            people.append(Person(int(aid), int(iid), one.file_name(int(iid)), good[-1]))
        except PoseVizInputError as exc:
            people.append(Person(aid if isinstance(aid, int) else -(n + 1), iid if isinstance(iid, int) else -1,
                                 str(im.get("file_name", "")) if im else "", {}, str(exc)))
    gt = validate_coco({"images": base.dataset["images"], "annotations": good, "categories": cats})
    people.sort(key=lambda p: (p.image_id, p.ann_id))
    return gt, people


def _lsp_like(name: str, root: Path) -> tuple[dict, Path]:
    from poseviz.data.lsp import load_lsp
    from poseviz.data.lsp_coco import lsp_as_coco
    from poseviz.data.mpii import load_mpii

    data = load_lsp(root) if name == "lsp" else load_mpii(root)
    # LSP: the standard test split (1001–2000); MPII: every person (its training images; models trained here
    # held out their validation people only)
    indices = np.arange(1000, 2000) if name == "lsp" else np.arange(len(data))
    return lsp_as_coco(data, indices).dataset, root / "images"


def open_source(dataset: str, images: str | Path | None = None, root: str | Path | None = None,
                limit: int | None = None) -> AtlasSource:
    """The people of ``dataset``: a name of ``NAMED`` (under the data root ``root``) or a COCO keypoint JSON path
    with ``images`` its images folder. ``limit`` keeps the first people (for a quick look)."""
    if dataset in NAMED:
        folder = dataset_dir(dataset, root)
        if not folder.is_dir():
            raise PoseVizInputError(f"{dataset} is not in the data root: fetch it with `python -m poseviz data fetch "
                                    f"{dataset}` or give a COCO keypoint file and --images")
        if NAMED[dataset] is None:
            data, image_dir = _lsp_like(dataset, folder)
        else:
            ann, sub = NAMED[dataset]
            data, image_dir = _read_json(folder / ann, "COCO annotation file"), folder / sub
    else:
        path = Path(dataset)
        if not path.is_file():
            raise PoseVizInputError(f"{dataset}: neither a dataset name ({', '.join(NAMED)}) nor a COCO keypoint file")
        if images is None:
            raise PoseVizInputError("a COCO keypoint file needs --images, the folder of its images")
        data, image_dir = _read_json(path, "COCO annotation file"), Path(images)
    if not image_dir.is_dir():
        raise PoseVizInputError(f"the images folder {image_dir.name!r} does not exist")
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
    gt, people = _lenient(data)
    # COCO scores neither crowd regions nor people with no labelled joint
    people = [p for p in people if p.problem or (not p.ann.get("iscrowd") and p.ann["num_keypoints"] > 0)]
    if limit is not None:
        people = people[:limit]
    if not people:
        raise PoseVizInputError(f"{dataset} has no annotated people to run the models on")
    return AtlasSource(dataset, gt, image_dir, people, digest)
