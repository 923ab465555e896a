"""How the session's figures are shown: the Projector and Light figures settings (sidebar, on every page) and the
two calls pages show figures and skeletons through, so that every page follows them."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from poseviz.core.schemas import KeypointSchema
from poseviz.plots.skeleton import draw_skeleton, line_thickness
from poseviz.plots.theme import for_display

PROJECTOR_KEY, LIGHT_KEY, FORMAT_KEY = "display_projector", "display_light", "display_download_format"
DOWNLOAD_FORMATS = ("png", "svg")  # what a figure's camera button saves: a sharp picture or a vector for slides
# The page's own text grows with the figures': Streamlit sizes its text in rem.
_PROJECTOR_CSS = "<style>html { font-size: 125%; }</style>"


def projector() -> bool:
    """Whether the Projector setting is on in this session."""
    return bool(st.session_state.get(PROJECTOR_KEY, False))


def display_settings_ui() -> None:
    """The display settings, at the foot of the sidebar of every page (rendered by the app's entry point)."""
    box = st.sidebar.expander("Display", expanded=projector())
    box.toggle("Projector", key=PROJECTOR_KEY,
               help="Larger text in every figure and on the page, thicker skeletons, taller figures: readable from the back of a room.")
    box.toggle("Light figures", key=LIGHT_KEY, help="Figures on a white background (a bright room, a printed handout).")
    box.radio("Figure downloads", DOWNLOAD_FORMATS, key=FORMAT_KEY, horizontal=True, format_func=str.upper,
              help="What the camera button above each figure saves: PNG at twice the screen's resolution, or SVG (vector, for slides).")
    if projector():
        st.markdown(_PROJECTOR_CSS, unsafe_allow_html=True)


def chart(where, fig: go.Figure, **kwargs):
    """``where.plotly_chart`` of ``fig`` styled by the session's display settings (``where``: st or a column)."""
    styled = for_display(fig, projector(), bool(st.session_state.get(LIGHT_KEY, False)))
    # theme=None: the figure's own template and colour scales, not Streamlit's restyling of them (which put a red
    # band at the low end of the belief scale's colour bar)
    kwargs.setdefault("theme", None)
    fmt = st.session_state.get(FORMAT_KEY, DOWNLOAD_FORMATS[0])
    kwargs.setdefault("config", {"toImageButtonOptions": {"format": fmt, "scale": 2 if fmt == "png" else 1, "filename": "poseviz_figure"},
                                 "displaylogo": False})
    return where.plotly_chart(styled, **kwargs)


def skeleton(image: np.ndarray, keypoints: np.ndarray, schema: KeypointSchema, **kwargs) -> np.ndarray:
    """``draw_skeleton`` with lines as thick as the session's display settings ask."""
    kwargs.setdefault("thickness", line_thickness(image, projector()))
    return draw_skeleton(image, keypoints, schema, **kwargs)
