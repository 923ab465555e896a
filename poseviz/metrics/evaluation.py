"""LSP evaluation: PCK@0.2 per joint and mean on ground-truth person boxes, with latency."""
from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from poseviz.core.geometry import CropTransform, crop_transform, warp_crop
from poseviz.data.lsp import LSPData, joints_box
from poseviz.inference.top_down import DEFAULT_ENLARGE, keypoints_from_heatmaps, model_crop, model_input_size, predict_crop, run_model
from poseviz.metrics.pck import PCKResult, lsp_head_size, lsp_torso_size, pck
from poseviz.training.dataset import load_images

__all__ = ["LSPEvaluation", "evaluate_lsp", "stage_pck", "stage_pck_results", "lsp_crops", "count_flops", "REFERENCES", "evaluate_coco_boxes",
           "Completeness", "completeness", "evaluate_coco_detected"]

REFERENCES = {"torso": lsp_torso_size, "head": lsp_head_size}


@dataclass(frozen=True)
class LSPEvaluation:
    """PCK result, predictions [N, 14, 3] in image pixels, median latency per crop (ms)."""

    pck: PCKResult
    predictions: np.ndarray
    indices: np.ndarray
    median_ms: float
    flip: bool


def evaluate_lsp(
    model: nn.Module,
    data: LSPData,
    indices: np.ndarray,
    flip: bool = False,
    method: str = "dark",
    alpha: float = 0.2,
    images: list[np.ndarray] | None = None,
    progress: bool = True,
    reference: str = "torso",
    boxes: np.ndarray | None = None,
    box_enlarge: float = DEFAULT_ENLARGE,
    refine: int = 0,
) -> LSPEvaluation:
    """PCK@α of ``model`` on ``indices`` of ``data`` (an ``LSPData`` or any ``PoseSet``), cropped
    from the ground-truth joints' box, one at a time — or, with ``boxes`` [N, 4] (x, y, w, h per index; NaN: the
    whole image, as the app does when no person is found), from those boxes enlarged by ``box_enlarge``, with
    ``refine`` re-crops around the confident joints (``poseviz.inference.refine``).

    ``reference``: "torso" (PCK, right shoulder → left hip) or "head" (PCKh, MPII-style head
    size, see ``poseviz.metrics.pck.lsp_head_size``; use ``alpha=0.5``). People whose reference
    joints are not annotated are not scored.
    """
    if reference not in REFERENCES:
        raise ValueError(f"unknown PCK reference {reference!r}; use one of {', '.join(REFERENCES)}")
    model.eval()
    w, h = model_input_size(model)
    preds, times = [], []
    for _, _, t, crop, img in lsp_crops(model, data, indices, images, progress, "evaluating", boxes, box_enlarge):
        t0 = time.perf_counter()
        if refine:
            from poseviz.inference.refine import refined_prediction

            kp = refined_prediction(model, img, predict_crop(model, crop, t, flip, method), refine, flip, method).keypoints
        else:
            out = run_model(model, crop[None], flip=flip)
            kp = keypoints_from_heatmaps(out.heatmaps.numpy(), [t], w / out.heatmaps.shape[-1], method)[0]
        times.append(time.perf_counter() - t0)
        preds.append(kp)
    pred = _in_lsp_layout(np.stack(preds), model)
    gt = data.joints[np.asarray(indices)]
    res = pck(pred, gt, REFERENCES[reference](gt), alpha)
    return LSPEvaluation(pck=res, predictions=pred, indices=np.asarray(indices),
                         median_ms=1000 * statistics.median(times), flip=flip)


def _in_lsp_layout(pred: np.ndarray, model: nn.Module) -> np.ndarray:
    """Keypoints of a model of another schema (an MPII-16 network) in LSP-14's layout, as the people are."""
    from poseviz.core.schemas import LSP14, map_keypoints
    from poseviz.inference.top_down import model_schema

    schema = model_schema(model)
    return pred if schema.name == LSP14.name else map_keypoints(pred, schema, LSP14, aliases=True)


def stage_pck(model: nn.Module, data: LSPData, indices: np.ndarray, method: str = "dark", alpha: float = 0.2,
              images: list[np.ndarray] | None = None, progress: bool = True, reference: str = "torso") -> dict[str, float]:
    """{stage name: PCK@α (%)} of every stage's own belief maps, on the crops ``evaluate_lsp`` scores (no flip):
    what intermediate supervision lets each stage do on its own. The last stage's value is ``evaluate_lsp``'s
    (``reference`` as there: "torso" or "head")."""
    results = stage_pck_results(model, data, indices, method, alpha, images, progress, reference)
    return {name: r.mean for name, r in results.items()}


def stage_pck_results(model: nn.Module, data: LSPData, indices: np.ndarray, method: str = "dark", alpha: float = 0.2,
                      images: list[np.ndarray] | None = None, progress: bool = True,
                      reference: str = "torso") -> dict[str, PCKResult]:
    """``stage_pck`` with each stage's whole ``PCKResult`` (per-person correct joints, for confidence intervals)."""
    model.eval()
    w, _ = model_input_size(model)
    per_stage: list[list[np.ndarray]] = []
    names: list[str] = []
    for _, _, t, crop, _ in lsp_crops(model, data, indices, images, progress, "stages"):
        with torch.no_grad():
            out = run_model(model, crop[None])
        names = list(out.stage_names)
        if not per_stage:
            per_stage = [[] for _ in names]
        for s, maps in enumerate(out.stages):
            per_stage[s].append(keypoints_from_heatmaps(maps.numpy(), [t], w / maps.shape[-1], method)[0])
    gt = data.joints[np.asarray(indices)]
    ref = REFERENCES[reference](gt)
    return {name: pck(np.stack(p), gt, ref, alpha) for name, p in zip(names, per_stage)}


def lsp_crops(model: nn.Module, data: LSPData, indices: np.ndarray, images: list[np.ndarray] | None = None,
              progress: bool = True, desc: str = "crops", boxes: np.ndarray | None = None,
              box_enlarge: float = DEFAULT_ENLARGE) -> Iterator[tuple[int, np.ndarray, CropTransform, np.ndarray, np.ndarray]]:
    """(index, ground-truth joints, crop transform, crop, image) for each image, cropped as at evaluation:
    the joints' box enlarged by ``DEFAULT_ENLARGE`` at the model's input size, no augmentation; or, with
    ``boxes`` [N, 4] (one per index; a NaN row: the whole image), that box enlarged by ``box_enlarge``."""
    from poseviz.inference.person_boxes import whole_image_box

    images = images if images is not None else load_images(data, indices)
    w, h = model_input_size(model)
    for n, (img, idx) in enumerate(tqdm(list(zip(images, indices)), desc=desc, disable=not progress, leave=False)):
        gt = data.joints[int(idx)]
        if boxes is None:
            c, s = model_crop(model, joints_box(gt))
        elif np.isfinite(boxes[n]).all():
            c, s = model_crop(model, tuple(boxes[n]), box_enlarge)
        else:
            c, s = model_crop(model, whole_image_box(img.shape[1], img.shape[0]))
        t = crop_transform(c, s, (w, h))
        yield int(idx), gt, t, warp_crop(img, t), img


def count_flops(model: nn.Module) -> float:
    """Multiply-accumulates ×2 of one forward at the model's input size, in GFLOPs (torch's counter)."""
    from torch.utils.flop_counter import FlopCounterMode

    w, h = model_input_size(model)
    model.eval()
    with torch.no_grad(), FlopCounterMode(display=False) as fc:
        model(torch.zeros(1, 3, h, w))
    return fc.get_total_flops() / 1e9


# COCO boxes outline the whole body; the models crop the *joints'* box × 1.3. On COCO people
# with ≥ 12 labelled joints the box's longer side is a median 1.22 × the joints' extent, so
# 1.3 / 1.22 ≈ 1.07 gives the crop the framing the models were trained on.
COCO_BOX_ENLARGE = 1.07


@dataclass(frozen=True)
class Completeness:
    """Mean OKS of each person's prediction against its own annotation, split by how much of the
    person is labelled: whole (at least 4 of the arms' 6 joints and 4 of the legs' 6) or partial
    (cut by the image edge, hidden, or an upper body alone)."""

    mean_oks_whole: float
    mean_oks_partial: float
    people_whole: int
    people_partial: int

    def as_dict(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def completeness(annotations: list[dict], results: list[dict], joint_names: list[str], sigmas: np.ndarray) -> Completeness:
    """``Completeness`` of predictions ``results`` paired one to one with ``annotations`` (restricted
    layout, joints named ``joint_names``). NaN where a group has nobody."""
    from poseviz.core.schemas import joints_of
    from poseviz.metrics.oks import oks

    arms, legs = list(joints_of(joint_names, "arms")), list(joints_of(joint_names, "legs"))
    whole, partial = [], []
    for a, r in zip(annotations, results, strict=True):
        g = np.asarray(a["keypoints"], dtype=np.float64).reshape(-1, 3)
        d = np.asarray(r["keypoints"], dtype=np.float64).reshape(-1, 3)
        value = oks(g, d, a["area"], np.asarray(sigmas))
        labelled = g[:, 2] > 0
        (whole if labelled[arms].sum() >= 4 and labelled[legs].sum() >= 4 else partial).append(value)
    mean = lambda v: float(np.mean(v)) if v else float("nan")  # noqa: E731
    return Completeness(mean(whole), mean(partial), len(whole), len(partial))


def evaluate_coco_boxes(model: nn.Module, gt, image_loader, flip: bool = False, progress: bool = True) -> tuple:
    """Top-down COCO keypoint AP/AR with ground-truth person boxes, on the joints the model's
    schema shares with COCO-17 (12 for LSP-14), scored with the core metric (= pycocotools).

    ``gt``: ``CocoKeypoints``; ``image_loader(image_dict) -> RGB`` at annotation scale. Every
    non-crowd person with a shared labelled joint is cropped from its box; the detection score is
    the mean peak belief. Returns (``CocoEvalResult``, results in the restricted layout,
    ``Completeness``: mean OKS of whole and of partial people).
    """
    from poseviz.core.schemas import joint_mapping
    from poseviz.explain.oks_errors import gt_schema, restrict_dataset
    from poseviz.inference.top_down import model_schema, predict_person
    from poseviz.metrics import coco_keypoint_eval

    schema = model_schema(model)
    data, sigmas, keep = restrict_dataset(gt, schema)
    src_for = {j: i for i, j in joint_mapping(schema, gt_schema(gt))}
    src_idx = [src_for[j] for j in keep]
    people: dict[int, list[dict]] = {}
    for a in data["annotations"]:
        if not a.get("iscrowd") and a["num_keypoints"] > 0 and a["bbox"][2] > 0 and a["bbox"][3] > 0:
            people.setdefault(a["image_id"], []).append(a)
    results, annotations = [], []
    for im in tqdm([im for im in data["images"] if im["id"] in people], desc="COCO boxes", disable=not progress, leave=False):
        rgb = image_loader(im)
        for a in people[im["id"]]:
            annotations.append(a)
            kp = predict_person(model, rgb, tuple(a["bbox"]), flip=flip, enlarge=COCO_BOX_ENLARGE).keypoints[src_idx]
            results.append({"image_id": im["id"], "category_id": 1,
                            "keypoints": np.column_stack([kp[:, :2], np.ones(len(kp))]).ravel().tolist(),
                            "score": float(kp[:, 2].mean())})
    names = data["categories"][0]["keypoints"]
    return coco_keypoint_eval(data, results, sigmas), results, completeness(annotations, results, names, sigmas)


def evaluate_coco_detected(model: nn.Module, gt, image_loader, flip: bool = False, refine: int = 0,
                           progress: bool = True) -> tuple:
    """Top-down COCO keypoint AP/AR as the standard protocol runs it: the person detector's boxes on every image
    (``poseviz.inference.person_boxes``, cropped at the training framing), each person predicted, AP over all
    annotated people on the joints the model shares with COCO-17. A result's score is the detector's score × the
    mean peak belief (as mmpose rescores). Returns (``CocoEvalResult``, results in the restricted layout)."""
    from poseviz.core.schemas import joint_mapping
    from poseviz.explain.oks_errors import gt_schema, restrict_dataset
    from poseviz.inference.people import predict_everyone
    from poseviz.inference.top_down import model_schema
    from poseviz.metrics import coco_keypoint_eval

    schema = model_schema(model)
    data, sigmas, keep = restrict_dataset(gt, schema)
    src_for = {j: i for i, j in joint_mapping(schema, gt_schema(gt))}
    src_idx = [src_for[j] for j in keep]
    results = []
    for im in tqdm(data["images"], desc="COCO, detected boxes", disable=not progress, leave=False):
        for p in predict_everyone(model, image_loader(im), flip=flip, refine=refine):
            kp = p.prediction.keypoints[src_idx]
            results.append({"image_id": im["id"], "category_id": 1,
                            "keypoints": np.column_stack([kp[:, :2], np.ones(len(kp))]).ravel().tolist(),
                            "score": float(p.candidate.score * kp[:, 2].mean())})
    return coco_keypoint_eval(data, results, sigmas), results
