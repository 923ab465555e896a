"""The one Plotly look every figure shares (app, notebooks, model cards): dark, because the app is dark and a
projector shows light-on-dark maps with more contrast."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

__all__ = ["TEMPLATE", "image_figure", "zoomed"]

TEMPLATE = "plotly_dark"


def image_figure(rgb: np.ndarray, title: str, height: int = 480) -> go.Figure:
    """An RGB image as a titled figure with pixel axes, at least ``height`` px tall (readable on a projector)."""
    h, w = rgb.shape[:2]
    fig = go.Figure(go.Image(z=rgb, hovertemplate="x=%{x} px<br>y=%{y} px<extra></extra>"))
    fig.update_layout(template=TEMPLATE, title=title, height=max(height, 400), width=max(height, 400) * w / h + 40,
                      margin=dict(l=40, r=10, t=45, b=35), xaxis_title="x (px)", yaxis_title="y (px)")
    return fig


def zoomed(rgb: np.ndarray, factor: int) -> np.ndarray:
    """``rgb`` enlarged ``factor`` times by repeating pixels (a small crop made big enough to click on)."""
    return np.repeat(np.repeat(rgb, factor, axis=0), factor, axis=1)
