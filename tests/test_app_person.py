"""The app's person choice: the detector's people as candidates, the default first, and "no person" said."""
from __future__ import annotations

import cv2
from streamlit.testing.v1 import AppTest

from conftest import ROOT

VIEWS = ROOT / "app" / "views"


def _upload(tmp_path, rgb, name="photo.png") -> AppTest:
    path = tmp_path / name
    cv2.imwrite(str(path), rgb[..., ::-1])
    at = AppTest.from_file(str(VIEWS / "explore.py"), default_timeout=180).run()
    at.sidebar.radio(key="img_source").set_value("Upload").run()
    at.file_uploader(key="img_upload").set_value((path.name, path.read_bytes(), "image/png")).run()
    return at


def _person_box(at: AppTest):
    return next(sb for sb in at.sidebar.selectbox if "Whole image" in sb.options)


def test_a_photo_with_no_person_gives_no_candidate_and_the_page_says_so(tmp_path):
    from skimage import data

    at = _upload(tmp_path, data.coffee())
    assert not at.exception, at.exception
    person = _person_box(at)
    assert person.value == "Whole image" and person.options[0] == "Whole image"  # no candidate at all
    assert any("No person found" in w.value for w in at.sidebar.warning)


def test_the_group_photo_defaults_to_the_detectors_most_prominent_person(tmp_path):
    from poseviz.gallery import PHOTOS_DIR
    from poseviz.inference.person_boxes import default_person, person_candidates

    rgb = cv2.imread(str(PHOTOS_DIR / "10_apollo11-crew-group.jpg"))[..., ::-1].copy()
    at = _upload(tmp_path, rgb)
    assert not at.exception, at.exception
    person = _person_box(at)
    cands = person_candidates(rgb)
    assert len(cands) == 3 and default_person(cands) == 0
    assert person.value.startswith("1: detector person, score") and person.options[:3] == [
        f"{i + 1}: detector person, score {c.score:.2f} ({c.box[2]:.0f}×{c.box[3]:.0f} px)" for i, c in enumerate(cands)]
    assert not any("No person found" in w.value for w in at.sidebar.warning)


def test_the_image_and_person_chosen_on_one_page_are_those_of_every_page(tmp_path):
    """Upload on Explore, pick the second person, open Compare, the Pooling lab and Data (no image widgets),
    then Occlusion: the same photo and person each time, without a Streamlit warning."""
    from poseviz.gallery import PHOTOS_DIR

    photo = PHOTOS_DIR / "10_apollo11-crew-group.jpg"
    at = AppTest.from_file(str(ROOT / "app" / "main.py"), default_timeout=240).run()
    at.sidebar.radio(key="img_source").set_value("Upload").run()
    at.file_uploader(key="img_upload").set_value(("crew.jpg", photo.read_bytes(), "image/jpeg")).run()
    person = _person_box(at)
    second = person.options[1]
    assert second.startswith("2:"), person.options
    person.set_value(second).run()
    for page in ("views/compare.py", "views/pooling_lab.py", "views/data.py", "views/occlusion.py"):
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        assert not [w.value for w in at.warning if "Session State API" in w.value], page
        if page.endswith("data.py"):
            continue
        assert at.sidebar.radio(key="img_source").value == "Upload", page
        assert any("crew.jpg" in c.value for c in at.sidebar.caption), page
        if not page.endswith("pooling_lab.py"):  # the pooling lab takes a whole image, no person
            assert _person_box(at).value == second, page
