"""Part-affinity-field figures: each stage's PAF of a limb as arrows next to its belief maps,
and multi-person results with one colour per person."""
from __future__ import annotations

import colorsys

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from poseviz.core.schemas import KeypointSchema
from poseviz.plots.beliefs import COLORSCALE, _upsample, overlay, square_panels
from poseviz.plots.skeleton import draw_skeleton
from poseviz.plots.theme import TEMPLATE

__all__ = ["arrow_segments", "paf_stages_figure", "people_image", "person_colors"]


def person_colors(n: int) -> list[tuple[int, int, int]]:
    """``n`` well-separated RGB colours (golden-ratio hues)."""
    return [tuple(int(255 * c) for c in colorsys.hsv_to_rgb((0.08 + i * 0.618) % 1.0, 0.75, 1.0)) for i in range(n)]


def arrow_segments(paf: np.ndarray, stride: float, scale: float | None = None, min_norm: float = 0.1,
                   step: int = 1) -> tuple[list, list, list]:
    """Arrows of a PAF [2, h, w] in input pixels as one polyline (None-separated) + arrow-head lines.

    Returns (xs, ys, norms): cells whose vector is shorter than ``min_norm`` are skipped;
    a unit vector is drawn ``scale`` px long (default: one cell).
    """
    scale = stride * 0.9 if scale is None else scale
    xs, ys, norms = [], [], []
    _, h, w = paf.shape
    for gy in range(0, h, step):
        for gx in range(0, w, step):
            vx, vy = float(paf[0, gy, gx]), float(paf[1, gy, gx])
            n = np.hypot(vx, vy)
            if n < min_norm:
                continue
            x0, y0 = (gx + 0.5) * stride - 0.5, (gy + 0.5) * stride - 0.5
            x1, y1 = x0 + vx * scale, y0 + vy * scale
            # arrow head: two short strokes at ±150° from the direction
            ang = np.arctan2(vy, vx)
            hl = 0.35 * scale * min(n, 1.0)
            hx1, hy1 = x1 + hl * np.cos(ang + 2.6), y1 + hl * np.sin(ang + 2.6)
            hx2, hy2 = x1 + hl * np.cos(ang - 2.6), y1 + hl * np.sin(ang - 2.6)
            xs += [x0, x1, hx1, None, x1, hx2, None]
            ys += [y0, y1, hy1, None, y1, hy2, None]
            norms.append(n)
    return xs, ys, norms


def paf_stages_figure(image: np.ndarray, beliefs: list[np.ndarray], pafs: list[np.ndarray], limb: tuple[int, int],
                      limb_name: str, stride: float, opacity: float = 0.6, min_norm: float = 0.1,
                      stage_names: list[str] | tuple[str, ...] | None = None) -> go.Figure:
    """Per stage (columns): top, the belief maps of the limb's two joints (their maximum) over
    the image; bottom, that limb's PAF as arrows (length ∝ field magnitude, unitless ≤ 1).

    beliefs: per stage [K, h, w]; pafs: per stage the limb's field [2, h, w]; axes in network-input pixels.
    stage_names: a title per column (default "stage 1", "stage 2", …).
    """
    s = len(beliefs)
    h, w = image.shape[:2]
    a, b = limb
    names = list(stage_names) if stage_names else [f"stage {i + 1}" for i in range(s)]
    titles = [f"{n}: beliefs" for n in names] + [f"{n}: PAF {limb_name}" for n in names]
    fig = make_subplots(rows=2, cols=s, subplot_titles=titles, horizontal_spacing=0.02, vertical_spacing=0.07)
    for i in range(s):
        m = np.maximum(beliefs[i][a], beliefs[i][b])
        top = max(1.0, float(m.max()))
        # The image blended with the map as the stage strips draw it (zero belief leaves the photo as it
        # is), and an invisible heatmap on top for hover values and a colour bar that matches the blend.
        fig.add_trace(go.Image(z=overlay(image, m, opacity, 0.0, top), hoverinfo="skip"), row=1, col=i + 1)
        fig.add_trace(go.Heatmap(z=_upsample(m, (w, h)), zmin=0, zmax=top, colorscale=COLORSCALE, opacity=0.0,
                                 showscale=(i == s - 1), colorbar=dict(title="belief", thickness=12, len=0.45, y=0.78),
                                 hovertemplate="x=%{x} px, y=%{y} px<br>belief=%{z:.2f}<extra></extra>"), row=1, col=i + 1)
    for i in range(s):
        fig.add_trace(go.Image(z=(image * 0.5).astype(np.uint8), hoverinfo="skip"), row=2, col=i + 1)
        paf = pafs[i]
        xs, ys, norms = arrow_segments(paf, stride, min_norm=min_norm)
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color="#00e5ff", width=1.5), hoverinfo="skip",
                                 showlegend=False, name=f"PAF stage {i + 1}"), row=2, col=i + 1)
    square_panels(fig, 2 * s, w, h)
    fig.update_layout(height=520, margin=dict(l=5, r=5, t=35, b=5), template=TEMPLATE)
    return fig


def people_image(rgb: np.ndarray, people: np.ndarray, schema: KeypointSchema) -> np.ndarray:
    """Every person's skeleton in its own colour, numbered in score order."""
    import cv2

    out = rgb
    for n, (kp, c) in enumerate(zip(people, person_colors(len(people)))):
        out = draw_skeleton(out, kp, schema, min_score=0.0, color=c)
        found = kp[:, 2] > 0
        if found.any():
            x, y = kp[found, 0].min(), kp[found, 1].min()
            cv2.putText(out, str(n + 1), (int(x), max(12, int(y) - 4)), cv2.FONT_HERSHEY_SIMPLEX, 0.6, c, 2, cv2.LINE_AA)
    return out


def skeleton_paf_figure(crop: np.ndarray, field: np.ndarray, stride: float, label: str, min_norm: float = 0.1) -> go.Figure:
    """One limb's part affinity field [2, h, w] of a single-person network (EfficientPose's pass 1) over its crop:
    left, the field's length |(x, y)| (unitless, ≤ about 1) blended on the crop; right, the field as arrows."""
    h, w = crop.shape[:2]
    mag = np.hypot(field[0], field[1])
    top = max(1.0, float(mag.max()))
    fig = make_subplots(rows=1, cols=2, subplot_titles=[f"pass 1: |PAF| {label}", f"pass 1: PAF {label} (arrows)"],
                        horizontal_spacing=0.1)
    fig.add_trace(go.Image(z=overlay(crop, mag, 0.6, 0.0, top), hoverinfo="skip"), row=1, col=1)
    fig.add_trace(go.Heatmap(z=_upsample(mag, (w, h)), zmin=0, zmax=top, colorscale=COLORSCALE, opacity=0.0,
                             colorbar=dict(title="|PAF|", thickness=10, x=0.455),
                             hovertemplate="x=%{x} px, y=%{y} px<br>|PAF|=%{z:.2f}<extra></extra>"), row=1, col=1)
    fig.add_trace(go.Image(z=(crop * 0.5).astype(np.uint8), hoverinfo="skip"), row=1, col=2)
    xs, ys, _ = arrow_segments(field, stride, min_norm=min_norm)
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color="#00e5ff", width=1.5), hoverinfo="skip",
                             showlegend=False), row=1, col=2)
    square_panels(fig, 2, w, h)
    fig.update_layout(height=440, margin=dict(l=5, r=5, t=35, b=5), template=TEMPLATE)
    return fig


def strongest_field(fields: np.ndarray) -> int:
    """Index of the limb whose field is longest anywhere, of pairs [2L, h, w] ((x, y) per limb): what to show first."""
    return int(np.argmax(np.hypot(fields[0::2], fields[1::2]).reshape(len(fields) // 2, -1).max(axis=1)))


def field_length(field: np.ndarray) -> float:
    """The longest vector of one limb's field [2, h, w]."""
    return float(np.hypot(field[0], field[1]).max())
