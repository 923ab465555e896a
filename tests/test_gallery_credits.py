"""Every bundled gallery photo carries its credit: under the photo in the app (CC BY / BY-SA require it) and in
the README."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT
from poseviz.gallery import gallery_photos

PHOTOS = gallery_photos()


def test_every_photo_has_a_credit_and_the_readme_lists_it():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(PHOTOS) == 10
    for p in PHOTOS:
        assert p.credit.startswith("Photo: ") and " · via " in p.credit
        assert p.credit in readme, p.label


@pytest.mark.parametrize("photo", PHOTOS, ids=lambda p: p.label)
def test_the_app_shows_each_photos_credit_under_it(photo):
    at = AppTest.from_file(str(ROOT / "app" / "views" / "pooling_lab.py"), default_timeout=240).run()
    at.sidebar.selectbox(key="img_gallery").set_value(photo.label).run()
    assert not at.exception
    assert photo.credit in [c.value for c in at.sidebar.caption]
