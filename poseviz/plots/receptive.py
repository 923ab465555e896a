"""Receptive-field figures: RF size vs depth, and the effective RF over an image."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from poseviz.explain.receptive_field import ERFResult, LayerRF
from poseviz.plots.beliefs import square_panels
from poseviz.plots.theme import TEMPLATE, rgb_colorscale, series_colour

__all__ = ["rf_growth_figure", "erf_figure", "rf_accuracy_figure"]


def rf_growth_figure(tables: dict[str, list[LayerRF]], input_size: int | None = None) -> go.Figure:
    """One line per model: theoretical RF size (px) against depth (conv/pool layers), stage outputs marked."""
    fig = go.Figure()
    # Networks with the same layers (the HRNet variants share a backbone) draw one line named for all of them:
    # three coinciding lines would show as one, with two of the names pointing at nothing.
    curves: dict[tuple, list[str]] = {}
    for name, rows in tables.items():
        curves.setdefault(tuple((r.depth, r.rf.size) for r in rows), []).append(name)
    merged = {" = ".join(names): tables[names[0]] for names in curves.values()}
    for n, (name, rows) in enumerate(merged.items()):
        fig.add_trace(go.Scatter(x=[r.depth for r in rows], y=[r.rf.size for r in rows], mode="lines", name=name,
                                 line=dict(color=series_colour(n), width=3),
                                 text=[r.name for r in rows], hovertemplate="%{text}<br>depth %{x}<br>RF %{y:.0f} px<extra>" + name + "</extra>"))
        st = [r for r in rows if r.stage_output]
        fig.add_trace(go.Scatter(x=[r.depth for r in st], y=[r.rf.size for r in st], mode="markers", showlegend=False,
                                 marker=dict(size=10, symbol="star", color=series_colour(n)), text=[r.name for r in st],
                                 hovertemplate="%{text}<br>RF %{y:.0f} px<extra>" + name + "</extra>"))
    sizes = [r.rf.size for rows in tables.values() for r in rows] + ([input_size] if input_size else [])
    depths = [r.depth for rows in tables.values() for r in rows] or [0]
    if input_size:
        # A trace, not add_hline: on a log axis add_hline reads y as an exponent (128 → 10¹²⁸).
        fig.add_trace(go.Scatter(x=[0, max(depths)], y=[input_size, input_size], mode="lines", name=f"input {input_size} px",
                                 line=dict(dash="dot", color="#aaaaaa"), hoverinfo="skip"))
    lo, hi = max(min(sizes, default=1.0), 1.0), max(max(sizes, default=10.0), 2.0)
    fig.update_layout(xaxis_title="depth (convolution and pooling layers on the longest path)",
                      yaxis_title="theoretical receptive field (input px, log scale)", yaxis_type="log",
                      yaxis_range=[np.log10(lo) - 0.05, np.log10(hi) + 0.1],
                      template=TEMPLATE, height=420, margin=dict(l=10, r=10, t=30, b=10))
    return fig


def erf_figure(crop: np.ndarray, results: list[ERFResult], titles: list[str], rf_sizes: list[float]) -> go.Figure:
    """Effective RFs (|gradient|, normalised per panel) over the crop, with the theoretical RF box and 50 %/90 % circles."""
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=len(results), subplot_titles=titles, horizontal_spacing=0.02)
    h, w = crop.shape[:2]
    t = np.linspace(0, 2 * np.pi, 90)
    for i, (res, size) in enumerate(zip(results, rf_sizes), start=1):
        g = res.gradient / max(res.gradient.max(), 1e-12)
        fig.add_trace(go.Image(z=crop, hoverinfo="skip"), row=1, col=i)
        fig.add_trace(go.Heatmap(z=g ** 0.5, colorscale=rgb_colorscale("Viridis"), opacity=0.7, showscale=i == len(results), zmin=0, zmax=1,
                                 colorbar=dict(title="√|∂y/∂x| (norm.)", thickness=12),
                                 hovertemplate="x=%{x} px<br>y=%{y} px<extra></extra>"), row=1, col=i)
        cx, cy = res.center
        half = (size - 1) / 2
        # A field larger than the crop would be drawn off the panel: its square is then clipped to the crop's border
        # (drawn, so the legend never names an invisible line) and the legend says so.
        x0, x1, y0, y1 = max(cx - half, -0.5), min(cx + half, w - 0.5), max(cy - half, -0.5), min(cy + half, h - 0.5)
        clipped = (x0, x1, y0, y1) != (cx - half, cx + half, cy - half, cy + half)
        fig.add_trace(go.Scatter(x=[x0, x1, x1, x0, x0], y=[y0, y0, y1, y1, y0], mode="lines",
                                 line=dict(color="#ff8c00", dash="dash", width=3 if clipped else 2),
                                 name=f"theoretical RF ({size:.0f} px{', beyond the crop: its edge' if clipped else ''})",
                                 hovertemplate=f"theoretical RF {size:.0f} px<extra></extra>", showlegend=True), row=1, col=i)
        for r, name, color in ((res.r50, "50 % of gradient", "#00e5ff"), (res.r90, "90 % of gradient", "#ffffff")):
            fig.add_trace(go.Scatter(x=cx + r * np.cos(t), y=cy + r * np.sin(t), mode="lines", line=dict(color=color, width=1),
                                     name=name, showlegend=i == 1), row=1, col=i)
    square_panels(fig, len(results), w, h)
    fig.update_layout(template=TEMPLATE, height=330, margin=dict(l=5, r=5, t=35, b=5), legend=dict(orientation="h"))
    return fig


def rf_accuracy_figure(stages: list[dict], input_size: int = 128) -> go.Figure:
    """Accuracy of each stage's own belief maps against its theoretical receptive field (``ablations.stage_rows``
    rows): the validation score and LSP test PCK@0.2, stages labelled, the crop size marked."""
    fig = go.Figure()
    x = [r["rf_px"] for r in stages]
    labels = [f"stage {r['stage']}" for r in stages]
    for key, name, dash in (("val_score", "validation score (LSP Extended PCK@0.2 + MPII PCKh@0.5) / 2", "solid"),
                            ("lsp_test_pck", "LSP test PCK@0.2 (final figure)", "dash")):
        y = [r[key] for r in stages]
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines+markers+text", name=name, text=labels, textposition="top center",
                                 line=dict(dash=dash), marker=dict(size=10),
                                 hovertemplate="%{text}<br>RF %{x:.0f} px<br>%{y:.1f} %<extra></extra>"))
    ys = [r[k] for r in stages for k in ("val_score", "lsp_test_pck")] or [0.0, 100.0]
    for x_line, name, color in ((input_size, f"crop size {input_size} px", "#aaaaaa"),
                                (2 * input_size, f"twice the crop ({2 * input_size} px): every position sees all of it", "#777777")):
        fig.add_trace(go.Scatter(x=[x_line, x_line], y=[min(ys) - 3, max(ys) + 3], mode="lines", name=name,
                                 line=dict(dash="dot", color=color), hoverinfo="skip"))
    fig.update_layout(xaxis_title="theoretical receptive field of the stage's belief maps (input px)",
                      yaxis_title="accuracy (%)", template=TEMPLATE, height=440, margin=dict(l=10, r=10, t=30, b=10),
                      legend=dict(orientation="h", y=-0.25))
    return fig
