"""Compare's per-joint disagreement: the largest distance between any two models' predictions of each joint."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from poseviz.plots.theme import TEMPLATE

__all__ = ["disagreement_figure"]


def disagreement_figure(joints: list[str], distance_px: np.ndarray, colours: dict[str, tuple[int, int, int]]) -> go.Figure:
    """One bar per joint (skeleton order, the joint's skeleton colour), height in image pixels; names upright so
    that long ones never run into each other."""
    fig = go.Figure(go.Bar(x=joints, y=distance_px, marker_color=[f"rgb{tuple(colours[j])}" for j in joints],
                           hovertemplate="%{x}: %{y:.1f} px<extra></extra>"))
    fig.update_layout(template=TEMPLATE, height=340, yaxis_title="max pairwise distance (px)", margin=dict(l=10, r=10, t=20, b=10),
                      xaxis=dict(title="joint", categoryorder="array", categoryarray=joints, tickangle=-90))
    return fig
