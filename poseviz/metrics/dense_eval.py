"""How well a chart head reproduces the skeleton-derived charts on LSP test crops.

Scores: per-part IoU of the part index I (background excluded from the mean) and the mean
absolute U/V error in chart units (0..1) on pixels where predicted and true part agree.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from poseviz.core.dense import PARTS, DenseTargets, dense_targets
from poseviz.core.heatmaps import input_to_heatmap
from poseviz.core.preprocess import to_tensor
from poseviz.data.lsp import LSPData
from poseviz.inference.top_down import model_input_size
from poseviz.metrics.evaluation import lsp_crops

__all__ = ["ChartScores", "chart_scores", "evaluate_dense", "SIDELESS"]


# Parts with the side dropped ("right upper arm" → "upper arm"): a chart that finds a limb but
# mirrors its side scores here and not in the per-part IoU.
SIDELESS = tuple(dict.fromkeys(p.removeprefix("right ").removeprefix("left ") for p in PARTS))
_TO_SIDELESS = np.array([SIDELESS.index(p.removeprefix("right ").removeprefix("left ")) for p in PARTS])


@dataclass(frozen=True)
class ChartScores:
    """part_iou [P] (NaN where a part is absent from both), mean IoU over body parts, the same with
    left/right merged, and the U/V mean abs error; ``per_image`` keeps each image's sums (part intersections
    [n, P], unions [n, P], U/V error sum and pixel count [n, 2]) for confidence intervals."""

    part_iou: np.ndarray
    miou: float
    uv_error: float
    miou_sideless: float = float("nan")
    per_image: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def as_dict(self) -> dict:
        return {"miou": round(100 * self.miou, 2), "miou_sideless": round(100 * self.miou_sideless, 2),
                "uv_error": round(float(self.uv_error), 4),
                "part_iou": {p: (None if np.isnan(v) else round(100 * float(v), 1)) for p, v in zip(PARTS, self.part_iou)}}

    def intervals(self, resamples: int = 2000, seed: int = 0, level: float = 0.95) -> dict[str, tuple[float, float]]:
        """Percentile bootstrap intervals over the images of the mean IoU (%) and the U/V error: the images are
        resampled and the pooled sums recomputed, as the scores themselves pool them."""
        from poseviz.metrics.bootstrap import _percentile_interval

        inter, union, err = self.per_image
        idx = np.random.default_rng(seed).integers(0, len(inter), (resamples, len(inter)))
        with np.errstate(invalid="ignore", divide="ignore"):
            iou = inter[idx].sum(1) / union[idx].sum(1)  # NaN where a part is absent from the whole draw
            miou = np.nanmean(iou[:, 1:], axis=1)
        uv = err[idx, 0].sum(1) / np.maximum(err[idx, 1].sum(1), 1)
        return {"miou": _percentile_interval(100 * miou, level), "uv_error": _percentile_interval(uv, level)}


def _image_sums(pred_i: np.ndarray, pred_u: np.ndarray, pred_v: np.ndarray, t: DenseTargets):
    inter = np.array([np.logical_and(pred_i == p, t.I == p).sum() for p in range(len(PARTS))], dtype=np.float64)
    union = np.array([np.logical_or(pred_i == p, t.I == p).sum() for p in range(len(PARTS))], dtype=np.float64)
    agree = (pred_i == t.I) & (t.I > 0)
    err = np.array([(np.abs(pred_u - t.U) + np.abs(pred_v - t.V))[agree].sum() / 2, agree.sum()], dtype=np.float64)
    return inter, union, err


def chart_scores(pred: list[tuple[np.ndarray, np.ndarray, np.ndarray]], targets: list[DenseTargets]) -> ChartScores:
    """Scores of predicted charts (I, U, V) against targets of the same grid, pooled over images."""
    sums = [_image_sums(i, u, v, t) for (i, u, v), t in zip(pred, targets)]
    inter, union, err = (np.stack(a) for a in zip(*sums))
    s_inter, s_union = np.zeros(len(SIDELESS)), np.zeros(len(SIDELESS))
    for (i, _, _), t in zip(pred, targets):
        a, b = _TO_SIDELESS[i], _TO_SIDELESS[t.I]
        for p in range(len(SIDELESS)):
            s_inter[p] += np.logical_and(a == p, b == p).sum()
            s_union[p] += np.logical_or(a == p, b == p).sum()
    total_i, total_u = inter.sum(0), union.sum(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        iou = np.where(total_u > 0, total_i / total_u, np.nan)
        s_iou = np.where(s_union > 0, s_inter / s_union, np.nan)
    return ChartScores(iou, float(np.nanmean(iou[1:])), err[:, 0].sum() / max(err[:, 1].sum(), 1),
                       float(np.nanmean(s_iou[1:])), (inter, union, err))


@torch.inference_mode()
def evaluate_dense(model: nn.Module, data: LSPData, indices: np.ndarray, images: list[np.ndarray] | None = None,
                   progress: bool = True) -> ChartScores:
    """Chart scores of a DensePose-style zoo model on LSP crops (ground-truth boxes, no augmentation)."""
    model.eval()
    w = model_input_size(model)[0]
    preds, targets = [], []
    for _, gt, tf, crop, _ in lsp_crops(model, data, indices, images, progress, "charts"):
        out = model(to_tensor(crop))
        index, u, v = (a[0].numpy() for a in out.dense.charts())
        stride = w / index.shape[-1]
        targets.append(dense_targets(input_to_heatmap(tf.to_crop(gt[:, :2]), stride), index.shape))
        preds.append((index, u, v))
    return chart_scores(preds, targets)
