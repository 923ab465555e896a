"""The OKS laboratory: score a model person by person, and say what kind of error each joint is.

Error taxonomy of Ronchi & Perona (ICCV 2017), per predicted joint of a detection matched
to a ground-truth person, with ks = that joint's OKS term:
  good (ks ≥ 0.85) · jitter (0.5 ≤ ks < 0.85) · inversion (ks < 0.5 but ≥ 0.5 against the
  same person's left/right counterpart) · swap (ks < 0.5 for its own person, ≥ 0.5 against
  a joint of another annotated person in the image) · miss (none of these).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import numpy as np
from torch import nn
from tqdm.auto import tqdm

from poseviz.core.errors import PoseVizInputError
from poseviz.core.schemas import COCO17, LSP14, KeypointSchema, joint_mapping
from poseviz.inference.top_down import model_schema, predict_person
from poseviz.io.coco import CocoKeypoints
from poseviz.metrics.oks import oks_terms

__all__ = ["MAX_LAB_PEOPLE", "checked_sigmas", "instances_as_results", "joint_table", "informative_instance", "ERROR_TYPES", "Instance", "gt_schema", "classify_errors", "restrict_dataset", "predict_dataset", "instances_table", "instances_csv", "instances_from_results", "mirror_permutation", "score_instance", "error_totals",
           "oks_curve"]

ERROR_TYPES = ("good", "jitter", "inversion", "swap", "miss")
# People a model is run on in one go in the OKS laboratory: a few seconds to a minute on a laptop CPU, by model.
MAX_LAB_PEOPLE = 300


def checked_sigmas(values) -> np.ndarray:
    """Per-joint OKS sigmas as float64, refused with a message unless every one is a positive number."""
    sigmas = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(sigmas) & (sigmas > 0)):
        raise PoseVizInputError("every sigma must be a positive number")
    return sigmas


def oks_curve(distances: np.ndarray, area: float, sigma: float) -> np.ndarray:
    """A joint's OKS term as a function of pixel error at an instance's scale: exp(−d²/(2·area·(2σ)²))."""
    d = np.asarray(distances, dtype=np.float64)
    return np.exp(-(d**2) / (2.0 * area * (2.0 * sigma) ** 2))


def classify_errors(pred: np.ndarray, gt: np.ndarray, area: float, sigmas: np.ndarray, flip_perm: np.ndarray,
                    others: list[tuple[np.ndarray, float]] = ()) -> list[str | None]:
    """Error type of each predicted joint [K] (None where the ground truth is unlabelled).

    pred [K, ≥2], gt [K, 3], area = s², others: (keypoints [K, 3], area) of the other
    annotated people in the same image.
    """
    own = oks_terms(gt, pred, area, sigmas)
    flipped_gt = gt[flip_perm]
    inv = oks_terms(flipped_gt, pred, area, sigmas[flip_perm])
    out: list[str | None] = []
    for j in range(len(gt)):
        if gt[j, 2] <= 0:
            out.append(None)
        elif own[j] >= 0.85:
            out.append("good")
        elif own[j] >= 0.5:
            out.append("jitter")
        elif flipped_gt[j, 2] > 0 and inv[j] >= 0.5:
            out.append("inversion")
        elif any(_near_other(pred[j], o_kp, o_area, sigmas[j]) for o_kp, o_area in others):
            out.append("swap")
        else:
            out.append("miss")
    return out


def _near_other(p: np.ndarray, kps: np.ndarray, area: float, sigma: float) -> bool:
    lab = kps[:, 2] > 0
    if not lab.any():
        return False
    d2 = ((kps[lab, :2] - p[:2]) ** 2).sum(-1)
    return bool((np.exp(-d2 / (2 * area * (2 * sigma) ** 2)) >= 0.5).any())


def gt_schema(gt: CocoKeypoints) -> KeypointSchema:
    """The schema of an annotation file: COCO-17, or LSP-14 (``poseviz.data.lsp_coco``), by joint names."""
    names = list(gt.dataset["categories"][0].get("keypoints") or COCO17.joints)
    for schema in (COCO17, LSP14):
        if names == list(schema.joints):
            return schema
    raise PoseVizInputError(f"the OKS laboratory reads COCO-17 or LSP-14 annotations; these have {len(names)} "
                            f"keypoints named {', '.join(names[:4])}…")


def restrict_dataset(gt: CocoKeypoints, schema: KeypointSchema) -> tuple[dict, np.ndarray, list[int]]:
    """Ground truth cut down to the joints ``schema`` shares with it (12 for an LSP-14 model on
    COCO-17, all 14 on LSP-14).

    Returns (dataset dict, sigmas of the kept joints, annotation indices kept). num_keypoints
    is recomputed, so people with no shared labelled joint become "ignored", as COCO does.
    """
    src = gt_schema(gt)
    pairs = joint_mapping(schema, src)
    keep = sorted(j for _, j in pairs)
    if not keep:
        raise PoseVizInputError(f"the model's joints ({schema.name}) share none with the annotations ({src.name})")
    data = {k: v for k, v in gt.dataset.items() if k != "annotations"}
    data["categories"] = [dict(c, keypoints=[src.joints[j] for j in keep]) for c in gt.dataset["categories"]]
    anns = []
    for a in gt.annotations:
        kp = np.asarray(a["keypoints"], dtype=np.float64).reshape(-1, 3)[keep]
        anns.append(dict(a, keypoints=kp.ravel().tolist(), num_keypoints=int((kp[:, 2] > 0).sum())))
    data["annotations"] = anns
    return data, src.sigma_array[keep], keep


@dataclass
class Instance:
    """One annotated person and the model's prediction for it (keypoints in the restricted COCO order)."""

    ann_id: int
    image_id: int
    gt: np.ndarray  # [K, 3]
    pred: np.ndarray  # [K, 3] x, y, belief
    area: float
    bbox: tuple[float, float, float, float]
    oks: float = float("nan")
    terms: np.ndarray = field(default_factory=lambda: np.zeros(0))
    errors: list = field(default_factory=list)


def predict_dataset(model: nn.Module, gt: CocoKeypoints, image_loader, flip: bool = False, progress: bool = True,
                    limit: int | None = None, progress_callback=None) -> tuple[list[Instance], dict, np.ndarray]:
    """Run ``model`` on every non-crowd annotated person (its ground-truth box) → instances with OKS and error types.

    ``image_loader(image_dict) -> RGB array`` at the annotation's pixel scale; ``progress_callback(fraction)``,
    if given, is called before each person (for a UI progress bar). Returns (instances, restricted dataset, sigmas).
    """
    schema = model_schema(model)
    data, sigmas, keep = restrict_dataset(gt, schema)
    src_for = {j: i for i, j in joint_mapping(schema, gt_schema(gt))}
    src_idx = [src_for[j] for j in keep]
    kept_names = data["categories"][0]["keypoints"]
    flip_perm = mirror_permutation(kept_names)
    anns = [a for a in data["annotations"] if not a["iscrowd"] and a["num_keypoints"] > 0]
    if limit:
        anns = anns[:limit]
    by_image: dict[int, list[dict]] = {}
    for a in data["annotations"]:
        by_image.setdefault(a["image_id"], []).append(a)
    images = {im["id"]: im for im in data["images"]}
    cache: dict[int, np.ndarray] = {}
    out = []
    for n, a in enumerate(tqdm(anns, desc="predicting", disable=not progress, leave=False)):
        if progress_callback is not None:
            progress_callback(n / max(len(anns), 1))
        if a["image_id"] not in cache:
            cache.clear()
            cache[a["image_id"]] = image_loader(images[a["image_id"]])
        rgb = cache[a["image_id"]]
        x, y, w, h = a["bbox"]
        if w < 2 or h < 2:
            continue
        pred = predict_person(model, rgb, (x, y, w, h), flip=flip).keypoints[src_idx]
        g = np.asarray(a["keypoints"], dtype=np.float64).reshape(-1, 3)
        others = [(np.asarray(o["keypoints"], dtype=np.float64).reshape(-1, 3), o["area"]) for o in by_image[a["image_id"]] if o["id"] != a["id"]]
        inst = Instance(a["id"], a["image_id"], g, pred, float(a["area"]), tuple(a["bbox"]))
        score_instance(inst, sigmas, flip_perm, others)
        out.append(inst)
    return out, data, sigmas


def mirror_permutation(names: list[str]) -> np.ndarray:
    """Index of each joint's left/right counterpart (itself for centre joints) within ``names``."""
    return np.array([names.index(_mirror(n)) if _mirror(n) in names else i for i, n in enumerate(names)])


def _mirror(name: str) -> str:
    if name.startswith("left_"):
        return "right_" + name[5:]
    if name.startswith("right_"):
        return "left_" + name[6:]
    return name


def score_instance(inst: Instance, sigmas: np.ndarray, flip_perm: np.ndarray, others=()) -> Instance:
    """Fill an instance's per-joint OKS terms, its OKS and its error types (after an edit, too)."""
    inst.terms = oks_terms(inst.gt, inst.pred, inst.area, sigmas)
    lab = inst.gt[:, 2] > 0
    inst.oks = float(np.nanmean(inst.terms[lab])) if lab.any() else float("nan")
    inst.errors = classify_errors(inst.pred, inst.gt, inst.area, sigmas, flip_perm, list(others))
    return inst


def informative_instance(instances: list[Instance]) -> int:
    """Index of the instance best suited to open the laboratory with: the most labelled joints,
    then the largest area (the worst instance is often a tiny person with one labelled joint,
    whose OKS is 0 whatever one edits)."""
    if not instances:
        raise ValueError("no instances")
    return max(range(len(instances)), key=lambda i: (int((instances[i].gt[:, 2] > 0).sum()), instances[i].area))


def instances_table(instances: list[Instance]) -> list[dict]:
    """Per-instance rows (worst OKS first) with error counts, for browsing and CSV export."""
    rows = []
    for i in sorted(instances, key=lambda t: t.oks):
        counts = {e: sum(1 for x in i.errors if x == e) for e in ERROR_TYPES}
        rows.append({"annotation": i.ann_id, "image": i.image_id, "OKS": round(i.oks, 4), "area (px²)": round(i.area, 1), **counts})
    return rows


def instances_csv(instances: list[Instance]) -> str:
    """The per-instance table as CSV text."""
    rows = instances_table(instances)
    buf = io.StringIO()
    if rows:
        w = csv.DictWriter(buf, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return buf.getvalue()


def error_totals(instances: list[Instance]) -> dict[str, int]:
    """Dataset totals of each error type."""
    return {e: sum(x == e for i in instances for x in i.errors) for e in ERROR_TYPES}


def instances_from_results(gt: CocoKeypoints, results: list[dict], sigmas: np.ndarray | None = None) -> tuple[list[Instance], dict, np.ndarray]:
    """Instances from a COCO results list (validated): each annotated person gets the detection of
    its image with the highest OKS against it (none → all joints at 0, scored as misses)."""
    from poseviz.metrics.oks import oks_matrix

    names = gt.dataset["categories"][0].get("keypoints") or list(COCO17.joints)
    sig = gt_schema(gt).sigma_array if sigmas is None else np.asarray(sigmas, dtype=np.float64)
    if len(sig) != gt.num_joints:
        raise PoseVizInputError(f"{gt.num_joints} keypoints per person but {len(sig)} sigmas")
    flip_perm = mirror_permutation(list(names))
    by_image: dict[int, list[np.ndarray]] = {}
    for r in results:
        by_image.setdefault(r["image_id"], []).append(np.asarray(r["keypoints"], dtype=np.float64).reshape(-1, 3))
    anns_by_image: dict[int, list[dict]] = {}
    for a in gt.annotations:
        anns_by_image.setdefault(a["image_id"], []).append(a)
    out = []
    for a in gt.annotations:
        if a["iscrowd"] or a["num_keypoints"] == 0:
            continue
        g = np.asarray(a["keypoints"], dtype=np.float64).reshape(-1, 3)
        dets = by_image.get(a["image_id"], [])
        if dets:
            scores = oks_matrix(np.stack(dets), g[None], np.array([a["area"]]), np.array([a["bbox"]]), sig)[:, 0]
            pred = dets[int(np.argmax(scores))].copy()
        else:
            pred = np.zeros_like(g)
        others = [(np.asarray(o["keypoints"], dtype=np.float64).reshape(-1, 3), o["area"]) for o in anns_by_image[a["image_id"]] if o["id"] != a["id"]]
        inst = Instance(a["id"], a["image_id"], g, pred, float(a["area"]), tuple(a["bbox"]))
        out.append(score_instance(inst, sig, flip_perm, others))
    return out, gt.dataset, sig


def instances_as_results(instances: list[Instance]) -> list[dict]:
    """One COCO result per instance (the model's prediction, score = mean peak belief), for AP."""
    return [{"image_id": i.image_id, "category_id": 1, "score": float(i.pred[:, 2].mean()),
             "keypoints": np.column_stack([i.pred[:, :2], np.ones(len(i.pred))]).ravel().tolist()} for i in instances]


def joint_table(inst: Instance, names: list[str], sigmas: np.ndarray, levels: tuple[float, ...]) -> list[dict]:
    """Per joint of one instance: the tolerance radius at each OKS level (px), its error (px), its
    OKS term and error type; an unlabelled joint has no position to be wrong about (None)."""
    from poseviz.metrics.oks import tolerance_radius

    rows = []
    for j, (name, sigma) in enumerate(zip(names, sigmas)):
        labelled = inst.gt[j, 2] > 0
        rows.append({"joint": name, **{f"radius at {t} (px)": round(float(tolerance_radius(inst.area, sigma, t)), 2) for t in levels},
                     "error (px)": round(float(np.linalg.norm(inst.pred[j, :2] - inst.gt[j, :2])), 2) if labelled else None,
                     "term": round(float(inst.terms[j]), 4) if labelled else None,
                     "type": inst.errors[j] or "unlabelled"})
    return rows
