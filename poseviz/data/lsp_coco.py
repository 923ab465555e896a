"""LSP annotations as a COCO keypoint dataset, so the OKS tools can score LSP too.

LSP has no segmentations, so a person's ``area`` (the OKS scale s²) is the area of the
tight box around its 14 joints — the convention of keypoint-only datasets converted to
COCO format. OKS on LSP is therefore comparable across models here, not with COCO's
absolute numbers. Sigmas are LSP-14's (``poseviz.core.schemas.LSP14``).
"""
from __future__ import annotations

import cv2
import numpy as np

from poseviz.core.errors import PoseVizInputError
from poseviz.core.schemas import LSP14
from poseviz.data.lsp import LSPData, joints_box
from poseviz.data.poseset import PoseSet
from poseviz.io.coco import CocoKeypoints, validate_coco

__all__ = ["lsp_as_coco"]


def _exact_size(path) -> tuple[int, int] | tuple[None, None]:
    img = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    return (img.shape[1], img.shape[0]) if img is not None else (None, None)


def lsp_as_coco(data: LSPData | PoseSet, indices: np.ndarray) -> CocoKeypoints:
    """The chosen LSP images (0-based indices) — or people of any LSP-14 ``PoseSet`` (LSP Extended,
    MPII) — as a validated COCO keypoint dataset.

    Image ids are the 1-based LSP numbers (im1001.jpg → id 1001); one person per image,
    annotation id = image id; visibility 2 = visible, 1 = labelled but occluded.
    """
    images, anns = [], []
    for i in np.asarray(indices, dtype=int):
        if not 0 <= i < len(data):
            raise PoseVizInputError(f"LSP index {i} is outside 0..{len(data) - 1}")
        path = data.image_path(int(i))
        w, h = _exact_size(path) if path.is_file() else (None, None)
        if w is None:
            raise PoseVizInputError(f"LSP image not found: {path}")
        kp = data.joints[i]
        x, y, bw, bh = joints_box(kp)
        images.append({"id": int(i) + 1, "file_name": path.name, "width": int(w), "height": int(h)})
        anns.append({"id": int(i) + 1, "image_id": int(i) + 1, "category_id": 1, "iscrowd": 0,
                     "keypoints": [round(float(v), 3) for v in kp.ravel()], "num_keypoints": int((kp[:, 2] > 0).sum()),
                     "bbox": [x, y, bw, bh], "area": float(bw * bh)})
    cat = {"id": 1, "name": "person", "supercategory": "person", "keypoints": list(LSP14.joints),
           "skeleton": [[a + 1, b + 1] for a, b in LSP14.skeleton]}
    return validate_coco({"images": images, "annotations": anns, "categories": [cat]}, num_joints=LSP14.num_joints)
