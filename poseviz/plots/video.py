"""A joint through a video: its position and its peak belief over time, with confidence drops marked."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from poseviz.plots.theme import TEMPLATE

__all__ = ["trajectory_figure"]


def trajectory_figure(times: np.ndarray, keypoints: np.ndarray, drops: np.ndarray, joint_name: str,
                      current_s: float | None = None) -> go.Figure:
    """Two panels over time (s): the joint's x and y (px, the file's pixels) and its peak belief, with the
    frames where the belief drops (``drops``, boolean [N]) marked; ``current_s`` draws the scrubber's frame.

    keypoints [N, 3]: one joint's (x, y, peak belief) per analysed frame.
    """
    t = np.asarray(times, dtype=float)
    kp = np.asarray(keypoints, dtype=float)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=[f"{joint_name}: position", f"{joint_name}: peak belief"])
    fig.add_trace(go.Scatter(x=t, y=kp[:, 0], name="x (px)", mode="lines", line=dict(color="#4fc3f7")), row=1, col=1)
    fig.add_trace(go.Scatter(x=t, y=kp[:, 1], name="y (px)", mode="lines", line=dict(color="#ffb74d")), row=1, col=1)
    fig.add_trace(go.Scatter(x=t, y=kp[:, 2], name="peak belief", mode="lines", line=dict(color="#e0e0e0")), row=2, col=1)
    d = np.asarray(drops, dtype=bool)
    fig.add_trace(go.Scatter(x=t[d], y=kp[d, 2], name=f"belief drop ({int(d.sum())} frames)", mode="markers",
                             marker=dict(color="#ef5350", size=8, symbol="x")), row=2, col=1)
    if current_s is not None:
        fig.add_vline(x=current_s, line=dict(color="#66bb6a", width=2, dash="dot"))
    fig.update_yaxes(title_text="px (y down)", row=1, col=1)
    fig.update_yaxes(title_text="belief", range=[0, max(1.0, float(np.nanmax(kp[:, 2])) if len(kp) else 1.0)], row=2, col=1)
    fig.update_xaxes(title_text="time in the video (s)", row=2, col=1)
    fig.update_layout(template=TEMPLATE, height=480, margin=dict(l=60, r=20, t=40, b=45),
                      legend=dict(orientation="h", y=-0.18))
    return fig
