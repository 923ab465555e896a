"""One atlas row: one annotated person through one model, joint by joint and stage by stage.

Per joint (the joints the model shares with the annotations, by name): ground truth and visibility, the
prediction and its belief, the error in pixels and over the person's scale √area (OKS's s), the OKS term and the
error class of Ronchi & Perona's taxonomy (``poseviz.explain.oks_errors``). Per stage: each stage's own decoded
peak belief and error, so a row says whether refinement helped or hurt that person. Per person: its size, the
CrowdPose crowd index, and optionally how much greying one patch lowers its worst joint's belief.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from torch import nn

from poseviz.core.schemas import KeypointSchema, joint_mapping
from poseviz.explain.oks_errors import classify_errors, gt_schema, mirror_permutation
from poseviz.inference.top_down import DEFAULT_ENLARGE, keypoints_from_heatmaps, model_schema, predict_person
from poseviz.metrics.evaluation import COCO_BOX_ENLARGE
from poseviz.metrics.oks import oks, oks_terms

__all__ = ["ModelView", "model_view", "crowd_index", "match_detection", "person_row", "error_row", "OCCLUSION_GRID",
           "page_box", "gt_is_coco"]

OCCLUSION_GRID = 8  # the worst joint's occlusion probe: an 8 × 8 grid of grey patches over the crop


@dataclass(frozen=True)
class ModelView:
    """How one model's joints line up with the annotations' (``gt_index`` into the annotation's joints,
    ``model_index`` into the model's), with the kept joints' names and OKS sigmas."""

    name: str
    model: nn.Module
    joints: tuple[str, ...]
    gt_index: np.ndarray
    model_index: np.ndarray
    sigmas: np.ndarray
    flip_perm: np.ndarray


def model_view(name: str, model: nn.Module, gt_schema_: KeypointSchema) -> ModelView:
    """The joints ``model`` shares with annotations of ``gt_schema_``, in the annotations' order."""
    pairs = sorted(joint_mapping(model_schema(model), gt_schema_), key=lambda p: p[1])
    joints = tuple(gt_schema_.joints[j] for _, j in pairs)
    gt_index = np.array([j for _, j in pairs])
    return ModelView(name, model, joints, gt_index, np.array([i for i, _ in pairs]), gt_schema_.sigma_array[gt_index],
                     mirror_permutation(list(joints)))


def crowd_index(ann: dict, others: list[dict]) -> float:
    """CrowdPose's crowd index of one person (Li et al., CVPR 2019): the other people's labelled joints inside
    its box over its own labelled joints."""
    own = np.asarray(ann["keypoints"], dtype=np.float64).reshape(-1, 3)
    n_own = int((own[:, 2] > 0).sum())
    x, y, w, h = ann["bbox"]
    inside = 0
    for o in others:
        kp = np.asarray(o["keypoints"], dtype=np.float64).reshape(-1, 3)
        lab = kp[:, 2] > 0
        inside += int((lab & (kp[:, 0] >= x) & (kp[:, 0] <= x + w) & (kp[:, 1] >= y) & (kp[:, 1] <= y + h)).sum())
    return inside / n_own if n_own else float("nan")


def match_detection(bbox, detections: list) -> tuple[int | None, float]:
    """The detection (``PersonCandidate``) overlapping the annotated box most, if IoU ≥ 0.5: (index, IoU)."""
    from poseviz.training.detector_boxes import box_iou

    if not detections:
        return None, 0.0
    iou = box_iou(np.asarray(bbox, float), np.array([d.box for d in detections], float))[0]
    best = int(np.argmax(iou))
    return (best, float(iou[best])) if iou[best] >= 0.5 else (None, float(iou[best]))


def _base(source_name: str, person, model_name: str) -> dict:
    return {"dataset": source_name, "image_id": int(person.image_id), "ann_id": int(person.ann_id),
            "file_name": person.file_name, "model": model_name}


def error_row(source_name: str, person, model_name: str, error: str) -> dict:
    """A row for a person that could not be run (bad image or annotation): the error, no figures."""
    return {**_base(source_name, person, model_name), "error": error[:500]}


def _gt_of(ann: dict, view: ModelView) -> np.ndarray:
    return np.asarray(ann["keypoints"], dtype=np.float64).reshape(-1, 3)[view.gt_index]


def person_row(source_name: str, person, others: list[dict], view: ModelView, rgb: np.ndarray, box_source: str,
               box: tuple[float, float, float, float] | None, crowd: float, gt_is_coco: bool, flip: bool = False,
               occlusion: bool = False) -> dict:
    """The row of ``person`` (annotation ``person.ann``) through ``view.model``. ``box``: the person box to crop
    (an annotated box when ``box_source`` is "gt", the matched detection's crop box when "detector"); None when
    the detector missed the person, which scores OKS 0 with every labelled joint a miss."""
    ann = person.ann
    gt = _gt_of(ann, view)
    area = float(ann["area"]) or float(ann["bbox"][2] * ann["bbox"][3])
    scale = math.sqrt(max(area, 1e-9))
    labelled = gt[:, 2] > 0
    row = {**_base(source_name, person, view.name), "error": "", "box_source": box_source,
           "area": area, "size_px": scale, "crowd_index": crowd, "num_labelled": int(labelled.sum()),
           "joints": list(view.joints), "gt_x": gt[:, 0].tolist(), "gt_y": gt[:, 1].tolist(),
           "gt_v": gt[:, 2].astype(int).tolist()}
    k = len(view.joints)
    # COCO's annotated boxes are framed as the evaluation frames them; joints' and detector boxes as in training
    enlarge = COCO_BOX_ENLARGE if (gt_is_coco and box_source == "gt") else DEFAULT_ENLARGE
    row["box_enlarge"] = enlarge
    if box is None or not labelled.any():
        # missed by the detector: OKS 0, every labelled joint a miss; no joint this model shares is labelled:
        # COCO ignores the person (OKS undefined)
        nan = [float("nan")] * k
        return {**row, "box": [float("nan")] * 4 if box is None else [float(v) for v in box],
                "oks": 0.0 if labelled.any() else float("nan"), "score": float("nan"), "pred_x": nan, "pred_y": nan,
                "belief": nan, "err_px": nan, "err_norm": nan, "ks": [0.0 if v else float("nan") for v in labelled],
                "error_class": ["miss" if v else "" for v in labelled], "stage_names": [], "stage_peak": [],
                "stage_err_norm": [], "worst_joint": "", "occlusion_drop": float("nan")}
    pred = predict_person(view.model, rgb, box, flip=flip, enlarge=enlarge)
    kp = pred.keypoints[view.model_index]
    err = np.where(labelled, np.linalg.norm(kp[:, :2] - gt[:, :2], axis=-1), np.nan)
    other_kps = [(_gt_of(o, view), float(o["area"])) for o in others]
    classes = classify_errors(kp, gt, area, view.sigmas, view.flip_perm, other_kps)
    stage_peak, stage_err = [], []
    for maps in pred.output.stages:
        m = maps.detach().cpu().numpy()
        s_kp = keypoints_from_heatmaps(m, [pred.transform], pred.crop.shape[1] / m.shape[-1])[0][view.model_index]
        stage_peak.append(s_kp[:, 2].tolist())
        stage_err.append((np.where(labelled, np.linalg.norm(s_kp[:, :2] - gt[:, :2], axis=-1), np.nan) / scale).tolist())
    worst = int(np.nanargmax(np.where(labelled, err, -1.0)))
    drop = _occlusion_drop(view, pred, worst) if occlusion else float("nan")
    return {**row, "box": [float(v) for v in box], "oks": oks(gt, kp, area, view.sigmas), "score": float(kp[:, 2].mean()),
            "pred_x": kp[:, 0].tolist(), "pred_y": kp[:, 1].tolist(), "belief": kp[:, 2].tolist(),
            "err_px": err.tolist(), "err_norm": (err / scale).tolist(),
            "ks": oks_terms(gt, kp, area, view.sigmas).tolist(), "error_class": [c or "" for c in classes],
            "stage_names": list(pred.stage_names), "stage_peak": stage_peak, "stage_err_norm": stage_err,
            "worst_joint": view.joints[worst], "occlusion_drop": drop}


def _occlusion_drop(view: ModelView, pred, worst: int) -> float:
    """The largest fall of the worst joint's final belief peak when one patch of an 8 × 8 grid is greyed, as a
    fraction of its clean peak (captum's Occlusion; ``poseviz.explain.occlusion``)."""
    from poseviz.explain.occlusion import occlusion_sensitivity

    joint = int(view.model_index[worst])
    window = max(pred.crop.shape[0] // OCCLUSION_GRID, 1)
    sens = occlusion_sensitivity(view.model, pred.crop, joint, window=window, stride=window)
    peak = float(pred.output.stages[-1][0, joint].max())
    return float(sens.max() / peak) if peak > 0 else float("nan")


def gt_is_coco(source) -> bool:
    """Whether the annotations are COCO-17 (their boxes are then framed as COCO's, not as joints' boxes)."""
    return gt_schema(source.gt).name == "coco17"


def page_box(box, enlarge: float, width: int, height: int) -> tuple[float, float, float, float]:
    """The box to give the app's pages (which crop a box × ``DEFAULT_ENLARGE``) for the crop an atlas row was
    predicted from (its ``box`` × its ``box_enlarge``), clipped to the image."""
    x, y, w, h = (float(v) for v in box)
    f = enlarge / DEFAULT_ENLARGE
    cx, cy, w, h = x + w / 2, y + h / 2, w * f, h * f
    x0, y0 = max(cx - w / 2, 0.0), max(cy - h / 2, 0.0)
    x1, y1 = min(cx + w / 2, float(width)), min(cy + h / 2, float(height))
    return x0, y0, max(x1 - x0, 1.0), max(y1 - y0, 1.0)
