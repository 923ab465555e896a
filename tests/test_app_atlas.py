"""The Failure atlas page on a small atlas made in the test: summaries equal the library's, filters narrow the
people, a person opens in Explore with the same model and box, and no atlas gives the command to make one."""
from __future__ import annotations

import numpy as np
from streamlit.testing.v1 import AppTest

from conftest import ROOT
from test_atlas import _dataset

from poseviz.atlas import browse, build_atlas, spec_from


def _app(monkeypatch, root) -> AppTest:
    monkeypatch.setenv("POSEVIZ_DATA", str(root))
    at = AppTest.from_file(str(ROOT / "app" / "main.py"), default_timeout=240).run()
    return at.switch_page("views/atlas.py").run()


def test_without_an_atlas_the_page_gives_the_command(tmp_path, monkeypatch):
    at = _app(monkeypatch, tmp_path)
    assert not at.exception, at.exception
    assert any("No atlas" in i.value for i in at.info)
    assert any("python -m poseviz atlas" in c.value for c in at.code)


def test_the_page_summarises_filters_and_opens_a_person_in_explore(tmp_path, monkeypatch):
    path, folder = _dataset(tmp_path)
    out = tmp_path / "root" / browse.ATLASES / "fixture"
    build_atlas(spec_from(path, ["cpm_lsp", "hrnet_lsp"], images=folder), out, progress=False)
    atlas = browse.load(out)
    at = _app(monkeypatch, tmp_path / "root")
    assert not at.exception, at.exception
    shown = at.dataframe[0].value
    assert list(shown.model) == ["cpm_lsp", "hrnet_lsp"]
    assert np.allclose(shown["mean OKS"], browse.summary(atlas)["mean OKS"])
    for mean, ci in zip(shown["mean OKS"], shown["mean OKS 95 % CI"]):  # the interval over people holds the mean
        lo, hi = (float(x) for x in ci.split(" – "))
        assert lo <= mean + 5e-4 and mean - 5e-4 <= hi and lo < hi
    everyone = len(browse.filter_people(atlas, browse.Filters(model="cpm_lsp")))
    assert any(f"{everyone} people" in h.value for h in at.subheader)
    at.sidebar.selectbox(key="atlas_class").set_value("good").run()
    good = browse.filter_people(atlas, browse.Filters(model="cpm_lsp", error_class="good"))
    assert any(f"Worst first: {len(good)} people" in h.value for h in at.subheader)
    thumbs = [e for e in at.main if type(e).__name__ == "Image"] or at.get("image")
    assert len(thumbs) == min(len(good), 12), thumbs  # one thumbnail per person shown
    first = good.iloc[0]
    at.button(key=f"atlas_x_{first.person}").click().run()
    assert not at.exception, at.exception
    assert at.sidebar.radio(key="img_source").value == "Frozen frame"
    assert at.sidebar.selectbox(key="model").value == "cpm_lsp"
    person = next(sb for sb in at.sidebar.selectbox if "Whole image" in sb.options)
    assert person.value == "Type a box (pixels)"
    from poseviz.atlas.rows import page_box

    rgb_w, rgb_h = [(im["width"], im["height"]) for im in __import__("json").load(open(path))["images"]
                    if im["file_name"] == first.file_name][0]
    want = [int(round(v)) for v in page_box(first.box, first.box_enlarge, rgb_w, rgb_h)]
    got = [at.sidebar.number_input(key=f"person_{k}").value for k in "xywh"]
    assert got == want


def test_the_atlas_compare_request_selects_its_models_in_a_widget_of_its_own():
    at = AppTest.from_file(str(ROOT / "app" / "views" / "compare.py"), default_timeout=240)
    at.session_state["cmp_request"] = (7, ["cpm_lsp", "hrnet_lsp"])
    at.run()
    assert not at.exception, at.exception
    chosen = at.sidebar.multiselect(key="cmp_models_7")
    assert chosen.value == ["cpm_lsp", "hrnet_lsp"]
    assert list(at.dataframe[-1].value["model"]) == ["cpm_lsp", "hrnet_lsp"]
