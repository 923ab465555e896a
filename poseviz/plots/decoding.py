"""Figures for heatmaps in and out: a Gaussian target and its profile, and each decoder's error across a pixel."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from poseviz.core.heatmaps import make_targets
from poseviz.plots.beliefs import COLORSCALE
from poseviz.plots.theme import TEMPLATE

__all__ = ["target_figure", "quantisation_figure"]

DECODER_COLOURS = {"argmax": "#ff7f0e", "quarter": "#2ca02c", "dark": "#56b4e9"}  # distinct on dark and light
DECODER_LABELS = {"argmax": "argmax", "quarter": "argmax + ¼ px (HRNet)", "dark": "DARK (Taylor step)"}


def target_figure(sigma: float, point: tuple[float, float] = (8.3, 7.6), size: int = 16,
                  compare: tuple[float, ...] = (1.0, 2.0, 3.0)) -> go.Figure:
    """Left: the training target of a joint at sub-pixel ``point`` (heatmap px) with standard deviation ``sigma``,
    on a ``size``² map. Right: the target's profile along x through the joint for each σ in ``compare`` (the chosen
    one bold), with the half-height line."""
    maps, _ = make_targets(np.array([[*point, 2.0]]), (size, size), sigma)
    fig = make_subplots(1, 2, subplot_titles=(f"target, σ = {sigma:g} heatmap px", "profile through the joint (y fixed)"),
                        horizontal_spacing=0.14)
    fig.add_trace(go.Heatmap(z=maps[0], zmin=0, zmax=1, colorscale=COLORSCALE, colorbar=dict(title="target", x=0.43, len=0.9),
                             hovertemplate="x=%{x} y=%{y}<br>target %{z:.3f}<extra></extra>"), 1, 1)
    fig.add_trace(go.Scatter(x=[point[0]], y=[point[1]], mode="markers", marker=dict(symbol="x", size=12, color="white"),
                             name="the joint (sub-pixel)"), 1, 1)
    xs = np.linspace(0, size - 1, 400)
    for s in sorted(set(compare) | {sigma}):
        fig.add_trace(go.Scatter(x=xs, y=np.exp(-((xs - point[0]) ** 2) / (2 * s**2)), mode="lines", name=f"σ = {s:g}",
                                 line=dict(width=4 if s == sigma else 1.5)), 1, 2)
    fig.add_hline(y=0.5, line=dict(dash="dot", color="grey"), row=1, col=2, annotation_text="half height",
                  annotation_position="bottom right")
    fig.update_yaxes(autorange="reversed", scaleanchor="x", title_text="y (heatmap px)", row=1, col=1)
    fig.update_xaxes(title_text="x (heatmap px)", row=1, col=1)
    fig.update_xaxes(title_text="x (heatmap px)", row=1, col=2)
    fig.update_yaxes(title_text="target value", range=[0, 1.05], row=1, col=2)
    fig.update_layout(template=TEMPLATE, height=440, margin=dict(l=60, r=20, t=60, b=50),
                      legend=dict(orientation="h", y=-0.2))
    return fig


def quantisation_figure(offsets: np.ndarray, errors: dict[str, np.ndarray], stride: float) -> go.Figure:
    """Each decoder's error (input px) on a perfect target as the joint moves across one heatmap pixel."""
    fig = go.Figure()
    for method, err in errors.items():
        fig.add_trace(go.Scatter(x=offsets, y=err, mode="lines+markers", name=DECODER_LABELS.get(method, method),
                                 line=dict(color=DECODER_COLOURS.get(method), width=3)))
    fig.update_layout(template=TEMPLATE, height=420, margin=dict(l=60, r=20, t=60, b=50),
                      title=f"decoding a perfect map at stride {stride:g}: what the grid costs",
                      xaxis_title="the joint's sub-pixel position (heatmap px past a pixel centre)",
                      yaxis_title="error (input px)", legend=dict(orientation="h", y=-0.25))
    return fig
