"""PoseViz — Streamlit entry point: routing only (each page lives in app/views/)."""
import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # pages import the shared app.state module
    sys.path.insert(0, str(ROOT))

# An emoji icon: a ":material/…" page icon is fetched from a font server, which a classroom may not reach.
st.set_page_config(page_title="PoseViz", page_icon="🧍", layout="wide")

VIEWS = Path(__file__).parent / "views"
pages = [
    st.Page(VIEWS / "explore.py", title="Explore belief maps", icon=":material/local_fire_department:", default=True),
    st.Page(VIEWS / "compare.py", title="Compare models", icon=":material/compare:"),
    st.Page(VIEWS / "receptive_field.py", title="Receptive field", icon=":material/center_focus_strong:"),
    st.Page(VIEWS / "nonlocal_attention.py", title="Non-local attention", icon=":material/hub:"),
    st.Page(VIEWS / "pooling_lab.py", title="Pooling laboratory", icon=":material/grid_view:"),
    st.Page(VIEWS / "oks_lab.py", title="OKS laboratory", icon=":material/straighten:"),
    st.Page(VIEWS / "occlusion.py", title="Occlusion explorer", icon=":material/visibility_off:"),
    st.Page(VIEWS / "atlas.py", title="Failure atlas", icon=":material/travel_explore:"),
    st.Page(VIEWS / "dense.py", title="Dense correspondence", icon=":material/texture:"),
    st.Page(VIEWS / "paf.py", title="Part affinity fields", icon=":material/moving:"),
    st.Page(VIEWS / "live.py", title="Live camera", icon=":material/videocam:"),
    st.Page(VIEWS / "video.py", title="Video file", icon=":material/movie:"),
    st.Page(VIEWS / "data.py", title="Data", icon=":material/database:"),
]
from app.display import display_settings_ui  # noqa: E402  (after the path set-up above)
from poseviz.data.root import data_root, development_data  # noqa: E402

display_settings_ui()  # before the page: a page that stops early must not drop the session's display settings

if data_root() == development_data():
    st.sidebar.caption("Data: the development data beside the checkout (see the Data page).")
st.navigation(pages).run()
