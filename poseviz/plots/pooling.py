"""Pooling-laboratory figures: input, output, what was selected, what unpooling recovers, where gradient flows."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from poseviz.plots.theme import TEMPLATE, rgb_colorscale

__all__ = ["pooling_figure", "adaptive_windows_figure"]


def pooling_figure(panels: dict[str, np.ndarray]) -> go.Figure:
    """One heatmap per named 2-D array, each with its own colour bar; axes in that array's pixels."""
    n = len(panels)
    # Each colour bar sits in the gap after its panel, clear of the next panel's y tick labels.
    fig = make_subplots(rows=1, cols=n, subplot_titles=list(panels), horizontal_spacing=0.14)
    for i, (name, arr) in enumerate(panels.items(), start=1):
        arr = np.asarray(arr, dtype=np.float64)
        x_end = fig.layout[f"xaxis{'' if i == 1 else i}"].domain[1]
        fig.add_trace(go.Heatmap(z=arr, colorscale=rgb_colorscale("Gray") if i == 1 else rgb_colorscale("Inferno"), showscale=True,
                                 colorbar=dict(x=x_end + 0.005, xanchor="left", len=0.8, thickness=8),
                                 hovertemplate="x=%{x}<br>y=%{y}<br>%{z:.3f}<extra>" + name + "</extra>"), row=1, col=i)
        sfx = "" if i == 1 else str(i)
        fig.layout[f"yaxis{sfx}"].update(autorange="reversed", scaleanchor=f"x{sfx}", constrain="domain")
        fig.layout[f"xaxis{sfx}"].update(constrain="domain", title="x (px)")
    fig.update_layout(template=TEMPLATE, height=320, margin=dict(l=5, r=5, t=35, b=5))
    return fig


def adaptive_windows_figure(pytorch: list[tuple[int, int]], formula: list[tuple[int, int]], in_size: int) -> go.Figure:
    """Bars of each output cell's input window: PyTorch's adaptive windows against the fixed-kernel formula."""
    fig = go.Figure()
    for row, (name, wins, color) in enumerate((("PyTorch adaptive", pytorch, "#ff8c00"), ("stride/kernel formula", formula, "#00bcd4"))):
        for i, (a, b) in enumerate(wins):
            fig.add_trace(go.Scatter(x=[a - 0.5, b - 0.5], y=[row * 1.0 + i * 0.08] * 2, mode="lines", line=dict(color=color, width=6),
                                     name=name, showlegend=i == 0, hovertemplate=f"{name}: output {i} ← input [{a}, {b})<extra></extra>"))
    fig.update_layout(template=TEMPLATE, height=230, xaxis=dict(title="input position (px)", range=[-1, in_size]),
                      yaxis=dict(showticklabels=False), margin=dict(l=5, r=5, t=10, b=5))
    return fig
