"""Belief-map figures: every stage of one joint, all joints of one stage, and their peaks."""
from __future__ import annotations

import base64

import cv2
import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from poseviz.core.heatmaps import decode, heatmap_to_input
from poseviz.plots.theme import TEMPLATE, rgb_colorscale

__all__ = ["stage_peaks", "overlay", "image_uri", "panel_layout", "belief_maps_figure", "joint_grid_figure", "belief_strip_image", "belief_tiles", "labelled_tile", "stage_peak_table"]

# Explicit rgb() stops: figures built without validation reach plotly.js with names unresolved (it knows only a
# few scale names, not Inferno), and Streamlit misdraws some hex stops (see ``rgb_colorscale``).
COLORSCALE = rgb_colorscale("Inferno")


def _upsample(heatmap: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    # cv2.resize maps pixel centres to pixel centres, matching PoseViz's heatmap convention.
    return cv2.resize(np.asarray(heatmap, dtype=np.float32), size, interpolation=cv2.INTER_LINEAR)


def overlay(crop: np.ndarray, heatmap: np.ndarray, opacity: float = 0.6, vmin: float = 0.0, vmax: float | None = None) -> np.ndarray:
    """RGB crop with a belief map [h, w] blended on top (inferno colour map), as uint8."""
    hm = _upsample(heatmap, (crop.shape[1], crop.shape[0]))
    vmax = float(hm.max()) if vmax is None else vmax
    norm = np.clip((hm - vmin) / max(vmax - vmin, 1e-6), 0, 1)
    colored = cv2.cvtColor(cv2.applyColorMap((norm * 255).astype(np.uint8), cv2.COLORMAP_INFERNO), cv2.COLOR_BGR2RGB)
    alpha = opacity * norm[..., None] ** 0.5  # faint belief stays see-through
    return (crop * (1 - alpha) + colored * alpha).astype(np.uint8)


def _scale(maps: np.ndarray, shared: bool) -> list[tuple[float, float]]:
    if shared:
        lo, hi = float(min(0.0, maps.min())), float(maps.max())
        return [(lo, hi)] * len(maps)
    return [(float(min(0.0, m.min())), float(m.max())) for m in maps]


def image_uri(rgb: np.ndarray, quality: int = 90) -> str:
    """An RGB uint8 image as a JPEG data URI: one short string per panel instead of an
    H×W×3 array Plotly would validate and serialise number by number."""
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
    return "data:image/jpeg;base64," + base64.b64encode(buf.tobytes()).decode("ascii")


def panel_layout(n: int, cols: int, w: int, h: int, titles: list[str], hgap: float = 0.02, vgap: float = 0.08) -> dict:
    """Layout of ``n`` image panels (``cols`` per row), each with its own 1:1 axes and a title.

    Built by hand rather than with ``make_subplots``, whose per-property validation cost
    ~10 ms per panel on a laptop CPU and made a 14-panel grid take 150 ms.
    """
    rows = -(-n // cols)
    cw = (1 - (cols - 1) * hgap) / cols
    ch = (1 - (rows - 1) * vgap) / rows
    layout: dict = {"annotations": []}
    for i in range(n):
        r, c = divmod(i, cols)
        x0 = min(max(c * (cw + hgap), 0.0), 1.0)
        x1 = min(x0 + cw, 1.0)
        y1 = min(max(1 - r * (ch + vgap), 0.0), 1.0)
        y0 = max(y1 - ch, 0.0)
        sfx = "" if i == 0 else str(i + 1)
        layout[f"xaxis{sfx}"] = dict(domain=[x0, x1], range=[-0.5, w - 0.5], showticklabels=False, showgrid=False,
                                     zeroline=False, constrain="domain", anchor=f"y{sfx}")
        layout[f"yaxis{sfx}"] = dict(domain=[y0, y1], range=[h - 0.5, -0.5], showticklabels=False, showgrid=False,
                                     zeroline=False, constrain="domain", scaleanchor=f"x{sfx}", anchor=f"x{sfx}")
        layout["annotations"].append(dict(text=titles[i], x=(x0 + x1) / 2, y=y1, xref="paper", yref="paper",
                                          xanchor="center", yanchor="bottom", showarrow=False, font=dict(size=14)))
    return layout


MAX_STAGE_COLUMNS = 4  # more stages wrap onto a second row rather than shrink below ~300 px


def _background(crop: np.ndarray, photo: np.ndarray | None) -> tuple[np.ndarray, dict]:
    """The picture under the maps and where its pixel centres lie in crop pixels: a view ``f`` times larger has
    its pixel i centred at (i + ½)/f − ½, so it covers exactly the crop's extent."""
    if photo is None:
        return crop, {}
    fx, fy = photo.shape[1] / crop.shape[1], photo.shape[0] / crop.shape[0]
    return photo, dict(x0=0.5 / fx - 0.5, dx=1 / fx, y0=0.5 / fy - 0.5, dy=1 / fy)


def belief_maps_figure(
    crop: np.ndarray,
    maps: np.ndarray,
    titles: list[str],
    opacity: float = 0.6,
    shared_scale: bool = True,
    columns: int | None = None,
    peaks: np.ndarray | None = None,
    photo: np.ndarray | None = None,
) -> go.Figure:
    """Belief maps [S, h, w] over the crop side by side, with hover values and a colour bar.

    Axes are crop pixels; colour is the belief (network output, unitless). Each panel is
    the crop blended with its map (``overlay``); a transparent heatmap at the map's own
    resolution carries the hover values and the colour bar. ``peaks`` [S, 2] marks each
    map's decoded maximum in crop pixels. ``photo``: the same region at a higher resolution
    (``Prediction.photo_view``), drawn instead of the network's crop, axes unchanged.
    """
    maps = np.asarray(maps, dtype=np.float32)
    s = len(maps)
    cols = columns or min(s, MAX_STAGE_COLUMNS)
    rows = int(np.ceil(s / cols))
    h, w = crop.shape[:2]
    background, placement = _background(crop, photo)
    stride_x, stride_y = w / maps.shape[-1], h / maps.shape[-2]
    scales = _scale(maps, shared_scale)
    data: list[dict] = []
    for i, m in enumerate(maps):
        sfx = "" if i == 0 else str(i + 1)
        axes = dict(xaxis=f"x{sfx}", yaxis=f"y{sfx}")
        lo, hi = scales[i]
        data.append(dict(type="image", source=image_uri(overlay(background, m, opacity, lo, hi)), hoverinfo="skip",
                         **placement, **axes))
        data.append(dict(
            type="heatmap", z=np.round(m, 4), x0=stride_x / 2 - 0.5, dx=stride_x, y0=stride_y / 2 - 0.5, dy=stride_y,
            zmin=lo, zmax=hi, colorscale=COLORSCALE, opacity=0.0, showscale=i == s - 1,
            # Each map on its own scale: the bar says what a colour means in every panel, relative to its own peak.
            colorbar=dict(title=dict(text="belief"), thickness=12) if shared_scale else dict(
                title=dict(text="belief,<br>each map<br>to its peak"), thickness=12, tickmode="array",
                tickvals=[lo, (lo + hi) / 2, hi], ticktext=["0" if lo == 0 else "its min", "halfway", "peak"]),
            hovertemplate="x=%{x:.0f} px<br>y=%{y:.0f} px<br>belief=%{z:.3f}<extra>" + titles[i] + "</extra>", **axes,
        ))
        if peaks is not None:
            data.append(dict(type="scatter", x=[float(peaks[i, 0])], y=[float(peaks[i, 1])], mode="markers",
                             marker=dict(symbol="x", size=10, color="#00e5ff"), showlegend=False,
                             hovertemplate="peak (%{x:.1f}, %{y:.1f}) px<extra></extra>", **axes))
    layout = panel_layout(s, cols, w, h, list(titles))
    # Rows tall enough for panels readable on a projector: ≥ 300 px for a stage strip of up to four
    # panels in a wide page, ≥ 200 px tiles in the all-joints grid.
    layout.update(height=max(340, (340 if cols <= MAX_STAGE_COLUMNS else 250) * rows), margin=dict(l=5, r=5, t=35, b=5),
                  template=pio.templates[TEMPLATE],  # an object: _validate=False below would not resolve a name
                  plot_bgcolor="rgba(0,0,0,0)")
    return go.Figure(data=data, layout=layout, _validate=False)



def square_panels(fig: go.Figure, n: int, w: int, h: int) -> None:
    """Give each of ``n`` image subplots its own 1:1 aspect (each y axis anchored to its own x axis)."""
    for i in range(1, n + 1):
        sfx = "" if i == 1 else str(i)
        fig.layout[f"xaxis{sfx}"].update(showticklabels=False, showgrid=False, zeroline=False, range=[-0.5, w - 0.5], constrain="domain")
        fig.layout[f"yaxis{sfx}"].update(showticklabels=False, showgrid=False, zeroline=False, range=[h - 0.5, -0.5],
                                         scaleanchor=f"x{sfx}", constrain="domain")


def joint_grid_figure(crop: np.ndarray, heatmaps: np.ndarray, joint_names: list[str], opacity: float = 0.6, columns: int = 5,
                      photo: np.ndarray | None = None) -> go.Figure:
    """All joints' belief maps [K, h, w] of one stage over the crop, each on its own scale."""
    return belief_maps_figure(crop, heatmaps, list(joint_names), opacity, shared_scale=False, columns=columns, photo=photo)


def labelled_tile(rgb: np.ndarray, title: str, tile: int) -> np.ndarray:
    """``rgb`` resized to ``tile`` px square (nearest neighbour: map cells stay visible) under a dark title bar."""
    t = cv2.resize(rgb, (tile, tile), interpolation=cv2.INTER_NEAREST)
    t = cv2.copyMakeBorder(t, 28, 4, 4, 4, cv2.BORDER_CONSTANT, value=(20, 20, 20))
    cv2.putText(t, title, (8, 20), cv2.FONT_HERSHEY_SIMPLEX, min(0.5, tile / 320), (240, 240, 240), 1, cv2.LINE_AA)
    return t


def belief_tiles(crop: np.ndarray, maps: np.ndarray, titles: list[str], opacity: float = 0.6,
                 shared_scale: bool = True, tile: int = 256) -> list[np.ndarray]:
    """One titled RGB tile per belief map [S, h, w] over the crop (tile + 8 px wide, tile + 32 px high)."""
    scales = _scale(np.asarray(maps, dtype=np.float32), shared_scale)
    return [labelled_tile(overlay(crop, m, opacity, lo, hi), f"{title}  max {m.max():.2f}", tile)
            for m, title, (lo, hi) in zip(maps, titles, scales)]


def belief_strip_image(crop: np.ndarray, maps: np.ndarray, titles: list[str], opacity: float = 0.6,
                       shared_scale: bool = True, tile: int = 256) -> np.ndarray:
    """The same strip as ``belief_maps_figure`` as one RGB image (for PNG download)."""
    return np.hstack(belief_tiles(crop, maps, titles, opacity, shared_scale, tile))


def stage_peaks(maps: np.ndarray, stride: float, method: str = "dark") -> np.ndarray:
    """One joint's decoded peak in every stage: maps [S, h, w] → [S, 3] (x, y in crop px, peak belief)."""
    coords, maxvals = decode(np.asarray(maps)[:, None], method=method, dark_blur_kernel=3 if method == "dark" else 0)
    return np.column_stack([heatmap_to_input(coords[:, 0], stride), maxvals[:, 0]])


def stage_peak_table(maps: np.ndarray, stride: float, names: list[str], method: str = "dark",
                     members: bool = False) -> list[dict]:
    """Per stage, for display: the joint's decoded peak (crop px), peak belief and how far it moved
    since the previous stage (from ``stage_peaks``). With ``members`` (an ensemble: the maps are its members'
    and, last, their mean, not stages in sequence) each row says how far it lies from the mean instead."""
    peaks = stage_peaks(maps, stride, method)
    xy, maxvals = peaks[:, :2], peaks[:, 2:]
    rows = []
    for i, name in enumerate(names):
        row = {"member" if members else "stage": name, "peak x (crop px)": round(float(xy[i, 0]), 1),
               "peak y (crop px)": round(float(xy[i, 1]), 1), "peak belief": round(float(maxvals[i, 0]), 3)}
        if members:
            last = i == len(names) - 1
            row["from the mean (crop px)"] = None if last else round(float(np.linalg.norm(xy[i] - xy[-1])), 1)
        else:
            row["moved (crop px)"] = round(float(np.linalg.norm(xy[i] - xy[i - 1])), 1) if i else None
        rows.append(row)
    return rows
