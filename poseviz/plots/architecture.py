"""Top-down against bottom-up: what a pose costs as the number of people in the photo grows."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from poseviz.explain.architecture import PeopleCost
from poseviz.plots.theme import TEMPLATE, series_colour

__all__ = ["people_cost_figure"]


def people_cost_figure(cost: PeopleCost, top_down: str, bottom_up: str, max_people: int = 20) -> go.Figure:
    """Measured time (ms) of one photo with 1…``max_people`` people: the detector plus one crop per person against
    one bottom-up pass (its grouping taken as constant), and where the two lines cross."""
    n = np.arange(1, max_people + 1)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=n, y=cost.top_down_ms(n), mode="lines+markers", name=f"top-down: detector + {top_down} per person",
                             line=dict(color=series_colour(0), width=3)))
    fig.add_trace(go.Scatter(x=n, y=np.full(len(n), cost.bottom_up_ms), mode="lines", name=f"bottom-up: one {bottom_up} pass",
                             line=dict(color=series_colour(1), width=3, dash="dash")))
    cross = cost.crossing()
    if 1 <= cross <= max_people:
        fig.add_trace(go.Scatter(x=[cross], y=[cost.bottom_up_ms], mode="markers+text", text=[f"{cross:.1f} people"],
                                 textposition="top left", marker=dict(size=12, color="white"), name="where they cross"))
    fig.update_layout(template=TEMPLATE, height=420, margin=dict(l=60, r=20, t=60, b=50),
                      title="time for one photo, measured on this machine", xaxis_title="people in the photo",
                      yaxis_title="time (ms)", legend=dict(orientation="h", y=-0.25))
    return fig
