"""The one Plotly look every figure shares (app, notebooks, model cards): dark, because the app is dark and a
projector shows light-on-dark maps with more contrast."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

__all__ = ["SERIES_COLOURS", "series_colour", "rgb_colorscale", "TEMPLATE", "LIGHT_TEMPLATE", "PROJECTOR_FONT", "for_display", "image_figure", "zoomed"]

TEMPLATE = "plotly_dark"
LIGHT_TEMPLATE = "plotly_white"  # for a bright room or a printed handout
PROJECTOR_FONT = 20  # px: read from the back of a lecture room at 1280 × 800
MAIN_COLUMN_PX = 800  # the panels' share of the app's main column at a 1280-px window (beside a colour bar)
CHAR_WIDTH = 0.58  # a character's mean width in font sizes (Plotly's default sans-serif)


# Okabe-Ito's colour-blind-safe qualitative palette (no two alike on a projector), then two more.
SERIES_COLOURS = ("#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#ffffff", "#999999")


def series_colour(i: int) -> str:
    """The colour of the ``i``-th line or model of a figure: every series of a figure distinct."""
    return SERIES_COLOURS[i % len(SERIES_COLOURS)]


def rgb_colorscale(name: str) -> list[list]:
    """Plotly's named colour scale as explicit rgb() stops: Streamlit's front end misdraws some hex stops (Inferno's
    "#000004" came out bright lilac, at the very end of the scale that means "nothing")."""
    from plotly.colors import get_colorscale, hex_to_rgb

    return [[pos, f"rgb{hex_to_rgb(c)}" if c.startswith("#") else c] for pos, c in get_colorscale(name)]


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


def for_display(fig: go.Figure, projector: bool = False, light: bool = False) -> go.Figure:
    """``fig`` styled for where it is shown: ``projector`` enlarges every text (titles, axes, legends, colour bars,
    subplot titles) to ``PROJECTOR_FONT`` and the figure's height by a quarter, with room for the larger titles;
    ``light`` switches to the light template. The data and what they encode are untouched."""
    if light:
        fig.update_layout(template=LIGHT_TEMPLATE)
    _fit_subplot_titles(fig, PROJECTOR_FONT if projector else 14)
    if projector:
        margin = fig.layout.margin
        fig.update_layout(font=dict(size=PROJECTOR_FONT), title_font_size=PROJECTOR_FONT + 4,
                          margin=dict(t=(margin.t or 60) + 45, l=(margin.l or 60) + 15, b=(margin.b or 50) + 15))
        fig.update_annotations(font_size=PROJECTOR_FONT)  # subplot titles are annotations
        if fig.layout.height:
            fig.update_layout(height=round(fig.layout.height * 1.25))
    return fig


def _fit_subplot_titles(fig: go.Figure, font_px: int) -> None:
    """Wrap the subplot titles of each row so that neighbours never meet in the app's main column."""
    rows: dict[float, list] = {}
    for a in fig.layout.annotations:
        if a.xref == "paper" and a.yanchor == "bottom" and a.text:  # make_subplots' and panel_layout's titles
            rows.setdefault(round(a.y or 0.0, 3), []).append(a)
    for row in rows.values():
        width = max(8, int(MAIN_COLUMN_PX / len(row) / (CHAR_WIDTH * font_px)))
        for a in row:
            a.text = _wrapped(a.text, width)
    if any("<br>" in (a.text or "") for row in rows.values() for a in row):
        fig.update_layout(margin=dict(t=(fig.layout.margin.t or 60) + font_px + 4))  # room for the second line


def _wrapped(text: str | None, width: int) -> str | None:
    """``text`` broken at spaces into lines of about ``width`` characters (Plotly's <br>); markup is left alone."""
    if not text or len(text) <= width or "<br>" in text:
        return text
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "<br>".join([*lines, line])
