"""Attribution maps over a crop: which pixels a joint's belief depends on."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from poseviz.explain.occlusion import attribution_display
from poseviz.plots.beliefs import _upsample, overlay, square_panels
from poseviz.plots.theme import TEMPLATE, rgb_colorscale

__all__ = ["attribution_figure"]


def attribution_figure(crop: np.ndarray, maps: dict[str, np.ndarray], title: str = "") -> go.Figure:
    """One titled panel per attribution map (``{title: map}``, any resolution), each over the crop and scaled by
    ``attribution_display`` (1 = its 98th percentile), with one shared colour bar."""
    fig = make_subplots(rows=1, cols=len(maps), subplot_titles=list(maps), horizontal_spacing=0.03)
    h, w = crop.shape[:2]
    for i, attribution in enumerate(maps.values(), start=1):
        shown = attribution_display(attribution)
        fig.add_trace(go.Image(z=overlay(crop, shown, 0.75, 0.0, 1.0), hoverinfo="skip"), row=1, col=i)
        # An invisible heatmap carries the values for hovering and the colour bar.
        fig.add_trace(go.Heatmap(z=_upsample(shown, (w, h)),
                                 colorscale=rgb_colorscale("Inferno"), opacity=0.0, zmin=0, zmax=1, showscale=i == len(maps),
                                 colorbar=dict(title="share of the<br>98th percentile", thickness=12),
                                 hovertemplate="x=%{x} px<br>y=%{y} px<br>%{z:.2f}<extra></extra>"), row=1, col=i)
    square_panels(fig, len(maps), w, h)
    fig.update_layout(template=TEMPLATE, title=title, height=420, margin=dict(l=5, r=5, t=60, b=5))
    return fig
