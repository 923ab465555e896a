"""Every app page driven by Streamlit's AppTest, asserting on values."""
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT

VIEWS = ROOT / "app" / "views"
TIMEOUT = 180


def _page(name: str) -> AppTest:
    at = AppTest.from_file(str(VIEWS / name), default_timeout=TIMEOUT)
    return at.run()


def test_main_routes_to_explore():
    at = AppTest.from_file(str(ROOT / "app" / "main.py"), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert at.title[0].value == "Explore belief maps"


def test_explore_shows_every_stage_and_a_table_of_peaks():
    from poseviz import zoo

    at = _page("explore.py")
    assert not at.exception, at.exception
    model = at.sidebar.selectbox(key="model").value
    n_stages = len(zoo.build(model)(__import__("torch").zeros(1, 3, 128, 128)).stages)
    table = at.dataframe[0].value
    assert len(table) == n_stages
    assert table["peak x (crop px)"].between(-1, 128).all()
    assert (table["peak belief"] > 0).all()
    # changing the joint changes the table, not the network run
    before = table.copy()
    at.selectbox[0].select("left_ankle").run()
    assert not at.exception
    assert not at.dataframe[0].value.equals(before)


def test_explore_reports_a_bad_upload_as_a_message():
    at = _page("explore.py")
    at.sidebar.radio(key="img_source").set_value("Upload").run()
    assert not at.exception
    assert any("Choose an image" in i.value for i in at.info)


def test_compare_page_lists_latency_per_model():
    at = _page("compare.py")
    assert not at.exception, at.exception
    chosen = at.sidebar.multiselect[0].value
    lat = at.dataframe[-1].value
    assert list(lat["model"]) == chosen
    assert (lat["inference (ms, incl. crop and decode)"] > 0).all()


def test_receptive_field_page_table_matches_the_walker():
    from poseviz import zoo
    from poseviz.receptive_field import stage_receptive_fields

    at = _page("receptive_field.py")
    assert not at.exception, at.exception
    name = at.selectbox(key="rf_model").value
    table = at.dataframe[0].value
    expected = [r.rf.size for r in stage_receptive_fields(zoo.build(name))]
    np.testing.assert_array_equal(table["RF (px)"].to_numpy(), expected)
    erf = at.dataframe[-1].value
    assert (erf["trained r90 (px)"] >= erf["trained r50 (px)"]).all()
