"""DensePose-style chart figures: part colours, U and V iso-contours over the image, raw I/U/V channels."""
from __future__ import annotations

import cv2
import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from poseviz.core.dense import PARTS
from poseviz.plots.beliefs import square_panels
from poseviz.plots.theme import TEMPLATE, rgb_colorscale

__all__ = ["PART_COLORS", "part_image", "chart_figure", "chart_channels_figure", "upsample_charts"]

# background + 10 parts; paired sides share a hue family (right = cooler, left = warmer)
PART_COLORS = (
    (0, 0, 0), (230, 200, 60), (120, 120, 200), (40, 120, 220), (60, 180, 240), (230, 90, 40), (250, 150, 70),
    (40, 160, 90), (90, 210, 140), (200, 60, 140), (240, 120, 200),
)


def upsample_charts(index: np.ndarray, u: np.ndarray, v: np.ndarray, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Charts on the network grid → image size (W, H): I by nearest neighbour, U/V bilinear, NaN on background."""
    w, h = size
    i_up = cv2.resize(index.astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST)
    u_up = cv2.resize(u.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    v_up = cv2.resize(v.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    bg = i_up == 0
    u_up[bg] = np.nan
    v_up[bg] = np.nan
    return i_up, u_up, v_up


def part_image(crop: np.ndarray, index: np.ndarray, opacity: float = 0.6) -> np.ndarray:
    """The crop with each pixel tinted by its part colour (background left as it is)."""
    i_up = cv2.resize(index.astype(np.uint8), (crop.shape[1], crop.shape[0]), interpolation=cv2.INTER_NEAREST)
    colours = np.asarray(PART_COLORS, np.float32)[i_up]
    alpha = opacity * (i_up > 0)[..., None]
    return (crop * (1 - alpha) + colours * alpha).astype(np.uint8)


def chart_figure(crop: np.ndarray, index: np.ndarray, u: np.ndarray, v: np.ndarray, opacity: float = 0.6,
                 levels: int = 10) -> go.Figure:
    """Three panels over the crop, as DensePose draws its results: parts, U iso-lines, V iso-lines.

    Axes are crop pixels; U and V are chart coordinates (0..1, unitless), drawn every 1/levels.
    """
    h, w = crop.shape[:2]
    i_up, u_up, v_up = upsample_charts(index, u, v, (w, h))
    names = np.asarray(PARTS, dtype=object)[i_up]
    fig = make_subplots(rows=1, cols=3, subplot_titles=["part index I", "U (along the part)", "V (across the part)"],
                        horizontal_spacing=0.02)
    fig.add_trace(go.Image(z=part_image(crop, index, opacity), customdata=names[..., None],
                           hovertemplate="x=%{x} px, y=%{y} px<br>%{customdata[0]}<extra></extra>"), row=1, col=1)
    for col, (z, label) in enumerate(((u_up, "U"), (v_up, "V")), start=2):
        fig.add_trace(go.Image(z=(crop * 0.55).astype(np.uint8), hoverinfo="skip"), row=1, col=col)
        fig.add_trace(go.Contour(z=z, zmin=0, zmax=1, contours=dict(start=0, end=1, size=1 / levels, coloring="lines"),
                                 colorscale=rgb_colorscale("Turbo"), line=dict(width=2), showscale=(col == 3), connectgaps=False,
                                 colorbar=dict(title="chart coord.", thickness=12),
                                 hovertemplate=f"x=%{{x}} px, y=%{{y}} px<br>{label}=%{{z:.2f}}<extra></extra>"), row=1, col=col)
    _part_legend(fig)
    square_panels(fig, 3, w, h)
    fig.update_layout(height=380, margin=dict(l=5, r=5, t=35, b=5), template=TEMPLATE,
                      legend=dict(orientation="h", y=-0.05, title_text="parts:"))
    return fig


def _part_legend(fig: go.Figure) -> None:
    """One legend entry per part in its colour (the image panel itself cannot carry a legend)."""
    for name, rgb in zip(PARTS[1:], PART_COLORS[1:]):
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=name, showlegend=True,
                                 marker=dict(size=12, symbol="square", color=f"rgb{tuple(rgb)}")), row=1, col=1)


def chart_channels_figure(index: np.ndarray, u: np.ndarray, v: np.ndarray) -> go.Figure:
    """The raw channels on the network grid: I (part colours), U and V (0..1), with hover values."""
    h, w = index.shape
    fig = make_subplots(rows=1, cols=3, subplot_titles=[f"I ({h}×{w} grid)", "U", "V"], horizontal_spacing=0.02)
    rgb = np.asarray(PART_COLORS, np.uint8)[index]
    fig.add_trace(go.Image(z=rgb, customdata=np.asarray(PARTS, dtype=object)[index][..., None],
                           hovertemplate="cell (%{x}, %{y})<br>%{customdata[0]}<extra></extra>"), row=1, col=1)
    for col, z in ((2, u), (3, v)):
        zz = np.where(index > 0, z, np.nan)
        fig.add_trace(go.Heatmap(z=zz, zmin=0, zmax=1, colorscale=rgb_colorscale("Turbo"), showscale=(col == 3),
                                 colorbar=dict(title="chart coord.", thickness=12),
                                 hovertemplate="cell (%{x}, %{y})<br>%{z:.2f}<extra></extra>"), row=1, col=col)
    _part_legend(fig)
    square_panels(fig, 3, w, h)
    fig.update_layout(height=350, margin=dict(l=5, r=5, t=35, b=5), template=TEMPLATE,
                      legend=dict(orientation="h", y=-0.05, title_text="parts:"))
    return fig
