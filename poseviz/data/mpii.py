"""MPII Human Pose training people as shipped in the data root's ``mpii/`` folder.

``annotations.json`` = ``{"joints": [16 names], "people": [{"image", "joints": [[x, y] | null] × 16, …}]}``
with ``null`` for a joint that is not annotated. MPII-16 maps onto LSP-14 by name, with MPII's
upper neck as LSP's neck; pelvis and thorax have no LSP counterpart and are dropped.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from poseviz.core.errors import PoseVizInputError
from poseviz.core.schemas import LSP14, MPII16
from poseviz.data.poseset import PoseSet
from poseviz.data.root import dataset_dir

__all__ = ["load_mpii", "mpii_to_lsp", "MPII_TO_LSP", "mpii_scales", "mpii_person_boxes"]

# LSP-14 joint ← MPII-16 joint (by name; "neck" is MPII's "upper_neck").
MPII_TO_LSP = tuple(MPII16.index("upper_neck" if j == "neck" else j) for j in LSP14.joints)


def mpii_to_lsp(joints16: list) -> np.ndarray:
    """One person's 16 MPII joints (``[x, y]`` or ``None``) → [14, 3] LSP-14 (x, y, v); v = 0 for ``None``."""
    out = np.zeros((LSP14.num_joints, 3))
    for k, src in enumerate(MPII_TO_LSP):
        xy = joints16[src]
        if xy is not None:
            out[k] = (float(xy[0]), float(xy[1]), 2.0)
    return out


def load_mpii(root: str | Path | None = None) -> PoseSet:
    """Read an MPII folder (``annotations.json`` + ``images/``) into a ``PoseSet`` (one person per image).

    Raises ``PoseVizInputError`` naming the field for a wrong layout. ``root`` defaults to
    ``<data root>/mpii``.
    """
    root = Path(root) if root is not None else dataset_dir("mpii")
    path = root / "annotations.json"
    if not path.is_file():
        raise PoseVizInputError(f"MPII annotations not found: {path}")
    try:
        doc = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PoseVizInputError(f"{path.name} is not valid JSON: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("people"), list):
        raise PoseVizInputError(f"{path.name}: expected an object with a 'people' list")
    names = doc.get("joints")
    if names is not None and tuple(names) != tuple(MPII16.joints) and tuple(names) != _MPII_SHORT:
        raise PoseVizInputError(f"{path.name}: 'joints' must list MPII's 16 joints in MPII order, got {names}")
    paths, joints = [], []
    for n, person in enumerate(doc["people"]):
        if not isinstance(person, dict) or "image" not in person or "joints" not in person:
            raise PoseVizInputError(f"{path.name}: person {n} needs 'image' and 'joints'")
        j = person["joints"]
        if not isinstance(j, list) or len(j) != 16 or any(
            x is not None and not (isinstance(x, list) and len(x) == 2 and all(isinstance(c, (int, float)) for c in x)) for x in j
        ):
            raise PoseVizInputError(f"{path.name}: person {n}: 'joints' must be 16 entries of [x, y] or null")
        name = str(person["image"])
        if Path(name).name != name:
            raise PoseVizInputError(f"{path.name}: person {n}: image {name!r} must be a plain file name")
        paths.append(root / "images" / name)
        joints.append(mpii_to_lsp(j))
    arr = np.stack(joints) if joints else np.zeros((0, LSP14.num_joints, 3))
    if not np.isfinite(arr).all():
        raise PoseVizInputError(f"{path.name}: non-finite joint coordinates")
    return PoseSet("mpii", tuple(paths), arr, np.arange(len(paths)))


_MPII_SHORT = ("r_ankle", "r_knee", "r_hip", "l_hip", "l_knee", "l_ankle", "pelvis", "thorax", "upper_neck",
               "head_top", "r_wrist", "r_elbow", "r_shoulder", "l_shoulder", "l_elbow", "l_wrist")


def mpii_scales(people: PoseSet, root: str | Path | None = None) -> np.ndarray:
    """MPII's person scale (person height / 200 px, in the image's pixels) of each person of ``people`` (read
    from ``annotations.json`` by image name; NaN where it has none)."""
    root = Path(root) if root is not None else dataset_dir("mpii")
    doc = json.loads((root / "annotations.json").read_text())
    by_name = {str(p["image"]): p.get("scale") for p in doc["people"]}
    return np.array([float(by_name.get(Path(p).name) or np.nan) for p in people.paths])


def mpii_person_boxes(people: PoseSet, root: str | Path | None = None) -> np.ndarray:
    """MPII's standard person box of each person, [N, 4] (x, y, w, h): a square of side scale × 200 px.

    This copy keeps MPII's scale but not its rough person centre (``objpos``); the box is centred on the
    annotated joints' extent instead, which favours the box a little. NaN rows where the scale is missing."""
    scales = mpii_scales(people, root)
    out = np.full((len(people), 4), np.nan)
    for i, (j, s) in enumerate(zip(people.joints, scales)):
        lab = j[j[:, 2] > 0, :2]
        if len(lab) and np.isfinite(s) and s > 0:
            c = (lab.min(0) + lab.max(0)) / 2
            out[i] = (c[0] - 100 * s, c[1] - 100 * s, 200 * s, 200 * s)
    return out
