"""OKS-laboratory figures: tolerance circles on the image, per-joint terms, OKS-vs-error curves, PR curves."""
from __future__ import annotations

import cv2
import numpy as np
import plotly.graph_objects as go

from poseviz.explain.oks_errors import ERROR_TYPES, oks_curve
from poseviz.metrics.coco_eval import OKS_THRESHOLDS, RECALL_THRESHOLDS
from poseviz.metrics.oks import tolerance_radius
from poseviz.plots.theme import TEMPLATE

__all__ = ["ERROR_COLORS", "oks_instance_image", "oks_terms_figure", "oks_curves_figure", "pr_curve_figure", "TOLERANCE_LEVELS"]

ERROR_COLORS = {"good": "#2ecc71", "jitter": "#f1c40f", "inversion": "#e67e22", "swap": "#9b59b6", "miss": "#e74c3c", None: "#7f8c8d"}
TOLERANCE_LEVELS = (0.5, 0.75, 0.95)


def _rgb(hex_color: str) -> tuple[int, int, int]:
    return tuple(int(hex_color[i:i + 2], 16) for i in (1, 3, 5))


def oks_instance_image(image: np.ndarray, gt: np.ndarray, pred: np.ndarray, area: float, sigmas: np.ndarray,
                       errors: list, zoom_box: tuple[float, float, float, float] | None = None) -> np.ndarray:
    """Each labelled joint with circles where its OKS term is 0.5, 0.75 and 0.95, the prediction and the error vector.

    Circle radius r = s·k·√(−2 ln t), s² = area, k = 2σ. Colours give the error type.
    """
    out = image.copy()
    scale = 1.0
    if zoom_box is not None:
        x, y, w, h = zoom_box
        pad = 0.25 * max(w, h)
        x0, y0 = int(max(0, x - pad)), int(max(0, y - pad))
        x1, y1 = int(min(image.shape[1], x + w + pad)), int(min(image.shape[0], y + h + pad))
        if x1 - x0 < 1 or y1 - y0 < 1:  # a box lying outside its image: show the whole image
            x0, y0, x1, y1 = 0, 0, image.shape[1], image.shape[0]
        out = out[y0:y1, x0:x1].copy()
        gt = gt.copy()
        pred = pred.copy()
        gt[:, :2] -= (x0, y0)
        pred[:, :2] -= (x0, y0)
        scale = 480 / max(out.shape[:2])
        out = cv2.resize(out, (max(1, round(out.shape[1] * scale)), max(1, round(out.shape[0] * scale))))
    s16 = 16 * scale
    for j in range(len(gt)):
        if gt[j, 2] <= 0:
            continue
        c = _rgb(ERROR_COLORS[errors[j]])
        g = (int(gt[j, 0] * s16), int(gt[j, 1] * s16))
        p = (int(pred[j, 0] * s16), int(pred[j, 1] * s16))
        for t in TOLERANCE_LEVELS:
            r = int(tolerance_radius(area, sigmas[j], t) * s16)
            cv2.circle(out, g, r, (255, 255, 255) if t == 0.5 else (170, 170, 170), 1, cv2.LINE_AA, 4)
        cv2.arrowedLine(out, g, p, c, 2, cv2.LINE_AA, 4, 0.15)
        cv2.circle(out, g, 48, (255, 255, 255), -1, cv2.LINE_AA, 4)
        cv2.circle(out, p, 56, c, -1, cv2.LINE_AA, 4)
    return out


def oks_terms_figure(names: list[str], terms: np.ndarray, errors: list, oks: float) -> go.Figure:
    """Bar chart of each joint's OKS term, coloured by error type, with the instance's OKS as a line."""
    fig = go.Figure(go.Bar(x=list(names), y=np.nan_to_num(terms), marker_color=[ERROR_COLORS[e] for e in errors],
                           text=[e or "unlabelled" for e in errors], hovertemplate="%{x}: %{y:.3f} (%{text})<extra></extra>"))
    fig.add_hline(y=oks, line_dash="dash", annotation_text=f"OKS {oks:.3f}")
    fig.update_layout(template=TEMPLATE, height=300, yaxis=dict(title="OKS term exp(−d²/2s²k²)", range=[0, 1.05]),
                      margin=dict(l=10, r=10, t=20, b=10))
    return fig


def oks_curves_figure(names: list[str], sigmas: np.ndarray, area: float, max_px: float | None = None) -> go.Figure:
    """OKS term against pixel error for each joint type at this instance's scale (s² = area)."""
    max_px = max_px or float(3 * np.sqrt(area) * 2 * max(sigmas))
    d = np.linspace(0, max_px, 200)
    fig = go.Figure()
    seen = set()
    for name, s in zip(names, sigmas):
        key = name.replace("left_", "").replace("right_", "")
        if key in seen:
            continue
        seen.add(key)
        fig.add_trace(go.Scatter(x=d, y=oks_curve(d, area, s), name=f"{key} (σ={s:.3f})", mode="lines"))
    for t in TOLERANCE_LEVELS:
        fig.add_hline(y=t, line_dash="dot", line_color="#888")
    fig.update_layout(template=TEMPLATE, height=320, xaxis_title="pixel error (px)", yaxis_title="OKS term",
                      margin=dict(l=10, r=10, t=20, b=10))
    return fig


def pr_curve_figure(precision: np.ndarray) -> go.Figure:
    """Precision–recall curves (area "all") at OKS 0.5, 0.75 and averaged over 0.50:0.95; precision [T, R, A]."""
    fig = go.Figure()
    p = precision[:, :, 0]
    for label, row in (("OKS 0.50", p[0]), ("OKS 0.75", p[int(np.argmin(np.abs(OKS_THRESHOLDS - 0.75)))]), ("mean 0.50:0.95", p.mean(0))):
        fig.add_trace(go.Scatter(x=RECALL_THRESHOLDS, y=np.maximum(row, 0), name=label, mode="lines"))
    fig.update_layout(template=TEMPLATE, height=320, xaxis_title="recall", yaxis_title="precision",
                      yaxis_range=[0, 1.02], margin=dict(l=10, r=10, t=20, b=10))
    return fig


def error_totals_figure(totals: dict[str, int]) -> go.Figure:
    """Bar chart of error-type totals over the dataset."""
    fig = go.Figure(go.Bar(x=list(ERROR_TYPES), y=[totals[e] for e in ERROR_TYPES], marker_color=[ERROR_COLORS[e] for e in ERROR_TYPES]))
    fig.update_layout(template=TEMPLATE, height=280, yaxis_title="predicted joints", margin=dict(l=10, r=10, t=20, b=10))
    return fig
