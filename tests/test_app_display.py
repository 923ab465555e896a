"""The Projector and Light figures settings: every figure and skeleton a page shows follows them, on every page,
and they stay set while the user moves between pages."""
from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
from streamlit.testing.v1 import AppTest

from conftest import ROOT
from poseviz.core.schemas import LSP14
from poseviz.plots.skeleton import PROJECTOR_LINES, draw_skeleton, line_thickness
from poseviz.plots.theme import LIGHT_TEMPLATE, PROJECTOR_FONT, for_display


def test_for_display_enlarges_every_text_and_changes_no_data():
    from plotly.subplots import make_subplots

    fig = make_subplots(1, 2, subplot_titles=("a", "b"))
    fig.add_trace(go.Heatmap(z=[[1, 2], [3, 4]]), 1, 1)
    fig.update_layout(height=400, title="t")
    before = fig.to_plotly_json()["data"]
    out = for_display(go.Figure(fig), projector=True, light=True)
    assert out.layout.font.size == PROJECTOR_FONT and out.layout.title.font.size == PROJECTOR_FONT + 4
    assert [a.font.size for a in out.layout.annotations] == [PROJECTOR_FONT] * 2  # subplot titles
    for projector, font in ((False, 14), (True, PROJECTOR_FONT)):
        long = for_display(make_subplots(1, 3, subplot_titles=["efficientpose_rt: pass 2 (1/8 resolution, shown ×8)"] * 3),
                           projector=projector)
        widest = max(len(line) for a in long.layout.annotations for line in a.text.split("<br>"))
        assert widest * 0.58 * font <= 800 / 3  # three titles side by side fit the 1280-px window's main column
    assert out.layout.height == 500 and out.layout.template.layout.paper_bgcolor == "white"
    assert out.to_plotly_json()["data"] == before
    plain = for_display(go.Figure(fig))
    assert plain.layout.font.size is None and plain.layout.height == 400


def test_projector_skeletons_are_thicker():
    image = np.zeros((500, 500, 3), np.uint8)
    kp = np.array([[100.0, 100, 1]] * 14)
    kp[:, 0] = np.linspace(50, 450, 14)
    assert line_thickness(image, True) == round(line_thickness(image) * PROJECTOR_LINES)
    thin = (draw_skeleton(image, kp, LSP14) > 0).any(-1).sum()
    thick = (draw_skeleton(image, kp, LSP14, thickness=line_thickness(image, True)) > 0).any(-1).sum()
    assert thick > 1.8 * thin


def _fonts(at: AppTest) -> list:
    return [json.loads(c.proto.spec)["layout"].get("font", {}).get("size") for c in at.get("plotly_chart")]


def test_the_setting_reaches_every_figure_and_follows_the_user_across_pages():
    at = AppTest.from_file(str(ROOT / "app" / "main.py"), default_timeout=240).run()
    assert not at.exception and _fonts(at) and PROJECTOR_FONT not in _fonts(at)
    at.sidebar.toggle(key="display_projector").set_value(True).run()
    assert not at.exception and set(_fonts(at)) == {PROJECTOR_FONT}  # Explore: every figure
    at.switch_page("views/pooling_lab.py").run()
    assert not at.exception and at.sidebar.toggle(key="display_projector").value is True
    assert _fonts(at) and set(_fonts(at)) == {PROJECTOR_FONT}
    at.sidebar.toggle(key="display_light").set_value(True).run()
    templates = [json.loads(c.proto.spec)["layout"]["template"]["layout"].get("paper_bgcolor") for c in at.get("plotly_chart")]
    assert set(templates) == {"white"}, templates
    assert LIGHT_TEMPLATE == "plotly_white"


def test_colour_scales_are_dark_at_their_low_end_and_given_as_rgb():
    """Streamlit drew Inferno's hex stop "#000004" as bright lilac: every scale reaches the page as rgb() stops,
    and the belief scale starts (nearly) black, so "no belief" is the quietest colour."""
    from poseviz.plots.beliefs import COLORSCALE, belief_maps_figure
    from poseviz.plots.theme import rgb_colorscale

    assert COLORSCALE[0] == [0.0, "rgb(0, 0, 4)"] and all(c.startswith("rgb(") for _, c in COLORSCALE)
    fig = belief_maps_figure(np.zeros((64, 64, 3), np.uint8), np.random.default_rng(0).random((2, 16, 16)), ["a", "b"])
    scales = [t.colorscale for t in fig.data if t.type == "heatmap"]
    assert scales and all(all(not c.startswith("#") for _, c in s) for s in scales)
    for name in ("Viridis", "Turbo", "Gray"):
        assert all(c.startswith("rgb(") for _, c in rgb_colorscale(name))


def test_figure_downloads_follow_the_chosen_format():
    at = AppTest.from_file(str(ROOT / "app" / "main.py"), default_timeout=240).run()
    at.switch_page("views/pooling_lab.py").run()

    def formats():
        return {json.loads(c.proto.config)["toImageButtonOptions"]["format"] for c in at.get("plotly_chart")}

    assert formats() == {"png"}
    at.sidebar.radio(key="display_download_format").set_value("svg").run()
    assert not at.exception and formats() == {"svg"}
