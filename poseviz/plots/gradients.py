"""The gradient each stage's parameters receive under intermediate supervision and under a last-stage loss."""
from __future__ import annotations

import plotly.graph_objects as go

from poseviz.plots.theme import TEMPLATE, series_colour

__all__ = ["stage_gradients_figure"]


def stage_gradients_figure(rows: list[dict], title: str = "") -> go.Figure:
    """Grouped bars: RMS gradient (log scale) per stage, one colour per loss (rows of ``stage_gradient_norms``)."""
    fig = go.Figure()
    for i, loss in enumerate(dict.fromkeys(r["loss"] for r in rows)):
        mine = [r for r in rows if r["loss"] == loss]
        fig.add_trace(go.Bar(x=[r["parameters of"] for r in mine], y=[r["RMS gradient"] for r in mine], name=loss,
                             marker_color=series_colour(i), hovertemplate="%{x}: %{y:.2e}<extra>" + loss + "</extra>"))
    fig.update_layout(template=TEMPLATE, barmode="group", height=400, title=title, yaxis_type="log",
                      xaxis_title="the stage whose parameters receive the gradient",
                      yaxis_title="RMS gradient of its parameters (log scale)", legend=dict(orientation="h", y=-0.25),
                      margin=dict(l=60, r=20, t=60, b=50))
    return fig
