"""Non-local attention figures: per-query maps over the crop, entropy, and the query average."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from poseviz.plots.beliefs import _upsample, square_panels
from poseviz.plots.theme import TEMPLATE, rgb_colorscale

__all__ = ["attention_maps_figure", "grid_to_crop"]


def grid_to_crop(cell: tuple[int, int], crop_size: tuple[int, int], hw: tuple[int, int]) -> tuple[float, float]:
    """Centre of attention-grid cell (column, row) in crop pixels."""
    w, h = crop_size
    gh, gw = hw
    return ((cell[0] + 0.5) * w / gw - 0.5, (cell[1] + 0.5) * h / gh - 0.5)


def attention_maps_figure(crop: np.ndarray, maps: list[np.ndarray], titles: list[str], queries: list[tuple[int, int] | None],
                          hw: tuple[int, int], opacity: float = 0.65, colorbar_title: str = "attention weight",
                          top: list[list[tuple[int, int, float]]] | None = None, height: int | None = None) -> go.Figure:
    """Grid maps [h, w] upsampled over the crop; ``queries`` marked with a cross, top-k positions with circles.
    ``height`` (px) overrides the default of 300 px per row of up to five panels."""
    n = len(maps)
    cols = min(n, 5)
    rows = int(np.ceil(n / cols))
    h, w = crop.shape[:2]
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles, horizontal_spacing=0.02, vertical_spacing=0.08)
    for i, m in enumerate(maps):
        r, c = i // cols + 1, i % cols + 1
        up = _upsample(m, (w, h))
        fig.add_trace(go.Image(z=crop, hoverinfo="skip"), row=r, col=c)
        fig.add_trace(go.Heatmap(z=up, colorscale=rgb_colorscale("Viridis"), opacity=opacity, showscale=i == n - 1,
                                 colorbar=dict(title=colorbar_title, thickness=12),
                                 hovertemplate="x=%{x} px<br>y=%{y} px<br>%{z:.4f}<extra></extra>"), row=r, col=c)
        if queries[i] is not None:
            qx, qy = grid_to_crop(queries[i], (w, h), hw)
            fig.add_trace(go.Scatter(x=[qx], y=[qy], mode="markers", marker=dict(symbol="x", size=12, color="#ff4d4d"),
                                     showlegend=False, hovertemplate="query<extra></extra>"), row=r, col=c)
        if top is not None and top[i]:
            pts = [grid_to_crop((cx, cy), (w, h), hw) for cx, cy, _ in top[i]]
            fig.add_trace(go.Scatter(x=[p[0] for p in pts], y=[p[1] for p in pts], mode="markers",
                                     marker=dict(symbol="circle-open", size=12, color="#ffffff"), showlegend=False,
                                     hovertemplate="top-k<extra></extra>"), row=r, col=c)
    square_panels(fig, n, w, h)
    # one or two maps get ≥ 400-px panels (readable on a projector); grids of up to five per row, 300 px
    fig.update_layout(template=TEMPLATE, height=height or (460 if n <= 2 else 300 * rows), margin=dict(l=5, r=5, t=35, b=5))
    return fig
