"""A model's scores on the three evaluation sources, as ``eval`` prints them and the cards state them:

- ``lsp``: PCK@0.2 (torso) on LSP test images 1001–2000 (14 joints);
- ``coco``: OKS-AP with ground-truth boxes on a COCO keypoint file (default: the COCO sample in the
  data root's ``coco-mini``), on the 12 body joints LSP-14 shares with COCO-17;
- ``mpii``: PCKh@0.5 on the 200 MPII people of the validation split (head size: 0.6 × √2 ×
  neck→head-top, see ``poseviz.metrics.pck.lsp_head_size``; this MPII copy carries no head boxes).
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from torch import nn

from poseviz.core.errors import PoseVizInputError
from poseviz.data.root import data_root

__all__ = ["SOURCES", "score_sources", "coco_sample_paths"]

SOURCES = ("lsp", "coco", "mpii")


def coco_sample_paths(root: str | Path | None = None) -> tuple[Path, Path]:
    """(annotation JSON, images folder) of the COCO sample under the data root."""
    base = data_root(root) / "coco-mini"
    return base / "annotations" / "person_keypoints_train2017.json", base / "train2017"


def _check(limit: int | None, alpha: float) -> None:
    if limit is not None and limit < 1:
        raise PoseVizInputError(f"--limit must be a whole number ≥ 1 (got {limit}); leave it out to use every image")
    if not (math.isfinite(alpha) and 0 < alpha <= 1):
        raise PoseVizInputError(f"--alpha must be a number in (0, 1] (got {alpha})")


BOX_KINDS = ("joints", "gt", "detected")
_BOX_WORDS = {"joints": {"lsp": "", "mpii": ""}, "gt": {"lsp": "", "mpii": ", MPII's own box"},
              "detected": {"lsp": ", detected boxes on the LSP image", "mpii": ", detected boxes"}}


def _box_args(boxes: str, subset, people, idx, refine: int) -> dict:
    """``evaluate_lsp`` keywords for the detected boxes of ``people[idx]`` (the joints' box otherwise)."""
    if boxes != "detected":
        return {}
    from poseviz.inference.yolox import BOX_ENLARGE
    from poseviz.training.dataset import load_images
    from poseviz.training.detector_boxes import person_detector_boxes

    from poseviz.data.poseset import PoseSet

    sub = subset if subset is not None else PoseSet("lsp", tuple(people.image_path(int(i)) for i in idx),
                                                    people.joints[np.asarray(idx)], np.asarray(idx))
    det = person_detector_boxes(sub, load_images(people, idx), None, progress=False)
    return {"boxes": det, "box_enlarge": BOX_ENLARGE, "refine": refine}


def score_sources(model: nn.Module, sources: tuple[str, ...] = SOURCES, root: str | Path | None = None,
                  flip: bool = False, method: str = "dark", alpha: float = 0.2, limit: int | None = None,
                  coco_json: str | Path | None = None, coco_images: str | Path | None = None,
                  mpii_root: str | Path | None = None, progress: bool = True, boxes: str = "joints",
                  refine: int = 0) -> dict:
    """{source: figures} for each source asked for (see the module docstring).

    ``limit`` caps the people per source (quick checks); ``alpha`` is LSP's PCK threshold.
    ``mpii_root``: a folder in the MPII layout (``annotations.json`` + ``images/``) whose every person
    is scored, instead of the validation people.
    ``boxes``: where each person is cropped from. "joints": the ground-truth joints' box (LSP, MPII; how the
    training crops are cut) and COCO's annotated box; "gt": the dataset's own person box (COCO's box, MPII's
    scale × 200 px square; LSP has none: its joints' box); "detected": the person detector's box on the image (for
    COCO the standard protocol: every detection, AP over all people; for LSP and MPII the detection matching the
    person, else the whole image), as a user's photo is cropped. ``refine``: refinement passes (detected only).
    Raises ``PoseVizInputError`` naming what is missing when a source's data is absent.
    """
    from poseviz.data.lsp import load_lsp, lsp_split
    from poseviz.data.mix import load_split, parse_mix
    from poseviz.data.paths import resolve_inside
    from poseviz.io.coco import load_coco
    from poseviz.io.images import load_image
    from poseviz.metrics import STAT_NAMES
    from poseviz.metrics.evaluation import evaluate_coco_boxes, evaluate_lsp

    _check(limit, alpha)
    if boxes not in BOX_KINDS:
        raise PoseVizInputError(f"unknown box kind {boxes!r}; use one of {', '.join(BOX_KINDS)}")
    unknown = [s for s in sources if s not in SOURCES]
    if unknown:
        raise PoseVizInputError(f"unknown evaluation source {unknown[0]!r}; sources: {', '.join(SOURCES)}")
    out: dict = {}
    cut = slice(None, limit)
    if "lsp" in sources:
        data = load_lsp(data_root(root) / "lsp")
        idx = lsp_split("test", len(data))[cut]
        ev = evaluate_lsp(model, data, idx, flip=flip, method=method, alpha=alpha, progress=progress,
                          **_box_args(boxes, data.subset(idx) if hasattr(data, "subset") else None, data, idx, refine))
        out["lsp"] = {"metric": f"PCK@{alpha:g}" + _BOX_WORDS[boxes]["lsp"], "people": int(len(idx)), "mean": round(ev.pck.mean, 2),
                      "per_joint": ev.pck.per_joint, "median_ms": round(ev.median_ms, 2)}
    if "coco" in sources:
        default_json, default_images = coco_sample_paths(root)
        js, images = Path(coco_json or default_json), Path(coco_images or default_images)
        if not js.is_file():
            raise PoseVizInputError(f"COCO keypoint file not found: {js} (give --coco-json, or fetch the COCO sample)")
        gt = load_coco(js)
        if limit:
            keep = {im["id"] for im in gt.images[:limit]}
            gt = type(gt)({**gt.dataset, "images": [im for im in gt.images if im["id"] in keep],
                           "annotations": [a for a in gt.annotations if a["image_id"] in keep]})
        loader = lambda im: load_image(resolve_inside(images, gt.file_name(im["id"])), max_side=None).rgb  # noqa: E731
        if boxes == "detected":
            from poseviz.metrics.evaluation import evaluate_coco_detected

            ev, results = evaluate_coco_detected(model, gt, loader, flip=flip, refine=refine, progress=progress)
            out["coco"] = {"metric": "OKS-AP, detected boxes (YOLOX-Nano), 12 body joints", "people": len(results),
                           "images": len(gt.images), **{k: round(float(v), 4) for k, v in zip(STAT_NAMES, ev.stats)}}
        else:
            ev, results, parts = evaluate_coco_boxes(model, gt, loader, flip=flip, progress=progress)
            out["coco"] = {"metric": "OKS-AP, ground-truth boxes, 12 body joints", "people": len(results),
                           "images": len({r["image_id"] for r in results}),
                           **{k: round(float(v), 4) for k, v in zip(STAT_NAMES, ev.stats)}, **parts.as_dict()}
    if "mpii" in sources:
        from poseviz.data.mpii import load_mpii

        people = load_mpii(mpii_root) if mpii_root else load_split(parse_mix("mpii:1"), root).validation["mpii"]
        idx = np.arange(len(people))[cut]
        extra = {}
        if boxes == "gt":
            from poseviz.data.mpii import mpii_person_boxes

            extra = {"boxes": mpii_person_boxes(people.subset(idx), mpii_root)}
        elif boxes == "detected":
            extra = _box_args(boxes, people.subset(idx), people, idx, refine)
        ev = evaluate_lsp(model, people, idx, flip=flip, method=method, alpha=0.5, progress=progress, reference="head", **extra)
        out["mpii"] = {"metric": "PCKh@0.5 (" + (f"{Path(mpii_root).name}" if mpii_root else "validation split") + ")" + _BOX_WORDS[boxes]["mpii"], "people": int(len(idx)), "mean": round(ev.pck.mean, 2),
                       "per_joint": ev.pck.per_joint}
    return out
