"""End to end: the real app in Debian's Chromium, driven by Playwright (no browser download)."""
import time

import pytest

from browser import CHROMIUM, CHROMIUM_ARGS, ensure_chromium, running_app
from conftest import LSP_ROOT, ROOT

pytestmark = pytest.mark.devdata  # every test here reads ../shared/data

ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture(scope="module")
def server():
    ensure_chromium()
    with running_app() as app:
        yield app.url


@pytest.fixture(scope="module")
def browser(server):
    """One Chromium for every test of the run."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = _launch(p)
        yield b
        b.close()


def _launch(p):
    return p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def _wait_idle(page, timeout_s: float = 120) -> None:
    """Streamlit shows a 'running' status widget while the script runs."""
    page.wait_for_timeout(800)
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if page.locator('[data-testid="stStatusWidget"]').count() == 0:
            return
        page.wait_for_timeout(300)
    raise TimeoutError("the script did not finish")


def test_upload_shows_every_stage_without_exceptions(server, browser):
    from poseviz.models import zoo

    ARTIFACTS.mkdir(exist_ok=True)
    if True:
        page = browser.new_page(viewport={"width": 1400, "height": 1800})
        page.goto(server)
        page.get_by_text("Explore belief maps").first.wait_for(timeout=60_000)
        _wait_idle(page)
        page.get_by_text("Upload", exact=True).click()
        page.locator('input[type="file"]').set_input_files(str(LSP_ROOT / "images" / "im1002.jpg"))
        _wait_idle(page)
        page.get_by_text("One joint, every stage").wait_for(timeout=60_000)
        _wait_idle(page)
        page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(ARTIFACTS / "explore.png"), full_page=True)
        assert page.locator('[data-testid="stException"]').count() == 0
        model = zoo.shipped_models()[0]
        n_stages = len(zoo.build(model)(__import__("torch").zeros(1, 3, 128, 128)).stages)
        # one subplot title per stage in the belief-map strip
        titles = page.locator(".js-plotly-plot").first.locator("text.annotation-text")
        assert titles.count() == n_stages
        page.close()


def _source_upload(page):
    """The image source's "Upload" choice (pages with other uploaders have "Upload" buttons too)."""
    return page.locator('[data-testid="stRadio"]').get_by_text("Upload", exact=True)


def _upload_in(page, path) -> None:
    _source_upload(page).click()
    page.locator('input[type="file"]').set_input_files(str(path))
    _wait_idle(page)


def _peak_table_text(page) -> str:
    """The page's prediction JSON (its code block, expanded first; st.dataframe draws on a canvas)."""
    page.get_by_text("One joint, every stage").wait_for(timeout=60_000)
    _wait_idle(page)
    expander = page.get_by_text("Predictions as COCO results JSON")
    if page.locator('[data-testid="stCode"]').count() == 0 or not page.locator('[data-testid="stCode"]').first.is_visible():
        expander.click()
    code = page.locator('[data-testid="stCode"]').first
    code.wait_for(timeout=30_000)
    text = code.text_content(timeout=30_000) or ""
    assert '"keypoints"' in text
    return text


def test_two_browser_pages_keep_their_own_images_and_big_uploads_get_a_message(server, browser, tmp_path):
    if True:
        a, b = browser.new_page(viewport={"width": 1400, "height": 1600}), browser.new_page(viewport={"width": 1400, "height": 1600})
        for page in (a, b):
            page.goto(server)
            page.get_by_text("Explore belief maps").first.wait_for(timeout=60_000)
            _wait_idle(page)
        _upload_in(a, LSP_ROOT / "images" / "im1040.jpg")
        table_a = _peak_table_text(a)
        _upload_in(b, LSP_ROOT / "images" / "im1041.jpg")
        table_b = _peak_table_text(b)
        assert table_a != table_b
        a.locator("body").press("r")  # rerun page a's script: it must still show its own image's result
        _wait_idle(a)
        assert _peak_table_text(a) == table_a
        assert a.get_by_text("im1040.jpg").count() >= 1 and a.get_by_text("im1041.jpg").count() == 0
        # over the configured 20 MB upload limit: Streamlit refuses it with a message
        big = tmp_path / "huge.png"
        big.write_bytes(b"\x89PNG" + b"\0" * (21 * 1024 * 1024))
        b.locator('input[type="file"]').set_input_files(str(big))
        b.get_by_text("must be 20").first.wait_for(timeout=30_000)
        assert b.locator('[data-testid="stException"]').count() == 0
        a.close()
        b.close()


def _settled_headings(page, main, timeout_s: float = 90) -> list[str]:
    """The "Every stage of …" headings once the script has finished and stayed finished for 2 s."""
    deadline, quiet_since = time.time() + timeout_s, None
    while time.time() < deadline:
        busy = page.locator('[data-testid="stStatusWidget"]').count() > 0
        heads = [h for h in main.locator("h3").all_inner_texts() if h.startswith("Every stage of")]
        if busy or not heads:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.time()
        elif time.time() - quiet_since > 2:
            return heads
        page.wait_for_timeout(250)
    raise TimeoutError("the page did not settle")


def test_compare_joint_box_shows_the_joint_the_figures_use_after_a_second_upload(server, browser):
    """Replacing an upload must not redraw a widget at its default on screen while the page keeps
    computing with the old value (the heading names what the figures use)."""
    if True:
        page = browser.new_page(viewport={"width": 1440, "height": 1800})
        page.goto(f"{server}/compare")
        page.get_by_text("Compare models").first.wait_for(timeout=60_000)
        _wait_idle(page)
        _upload_in(page, LSP_ROOT / "images" / "im1005.jpg")
        page.get_by_text("Every stage of right_ankle").wait_for(timeout=60_000)
        main = page.locator('[data-testid="stMain"]')
        joint_box = page.locator(".st-key-cmp_joint")
        joint_box.locator("input").first.click()
        page.keyboard.type("left_knee")
        page.keyboard.press("Enter")
        page.get_by_text("Every stage of left_knee").wait_for(timeout=60_000)
        for photo in ("im1010.jpg", "im1002.jpg"):
            page.locator('input[type="file"]').set_input_files(str(LSP_ROOT / "images" / photo))
            page.get_by_text(photo).first.wait_for(timeout=60_000)
            heading = _settled_headings(page, main)
            assert heading == ["Every stage of left_knee, one row per model"]
            shown = page.locator(".st-key-cmp_joint input").first.input_value()
            page.screenshot(path=str(ARTIFACTS / f"compare_after_{photo}.png"))
            assert "left_knee" in shown, f"the box shows {shown!r}, not the joint in use, after {photo}"
        joint_box.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "compare_after_second_upload.png"))
        assert page.locator('[data-testid="stException"]').count() == 0
        page.close()


# The seven players of the bundled "Football header" photo, boxed by hand (x0, y0, x1, y1 in the photo's pixels).
FOOTBALL_PLAYERS = [(5, 200, 185, 530), (150, 280, 320, 535), (245, 140, 365, 400), (310, 165, 430, 440),
                    (455, 240, 560, 500), (525, 255, 690, 500), (665, 245, 760, 475)]


def test_a_crowded_gallery_photo_defaults_to_a_real_person(server, browser):
    """The bundled football photo (seven players before a stand full of spectators): the default candidate is
    the detector's, and the skeleton the page computes lies on one of the hand-boxed players."""
    import json

    import numpy as np

    page = browser.new_page(viewport={"width": 1440, "height": 1600})
    page.goto(server)
    page.get_by_text("Explore belief maps").first.wait_for(timeout=60_000)
    _wait_idle(page)
    sample = page.locator(".st-key-img_gallery")
    sample.locator("input").first.click()
    page.keyboard.type("Football header")
    page.keyboard.press("Enter")
    _wait_idle(page)
    page.get_by_text("Photo: Jan S0L0", exact=False).first.wait_for(timeout=60_000)  # its CC BY-SA credit
    chosen = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(has_text="candidates found").locator("input").first
    chosen.wait_for(timeout=60_000)
    assert chosen.input_value().startswith("1: detector person, score"), chosen.input_value()
    kp = np.array(json.loads(_peak_table_text(page))[0]["keypoints"], dtype=float).reshape(-1, 3)
    page.screenshot(path=str(ARTIFACTS / "explore_football_default.png"), full_page=True)
    assert page.locator('[data-testid="stException"]').count() == 0
    found = kp[kp[:, 2] > 0, :2]
    inside = [np.mean((found[:, 0] >= x0 - 10) & (found[:, 0] <= x1 + 10) & (found[:, 1] >= y0 - 10) & (found[:, 1] <= y1 + 10))
              for x0, y0, x1, y1 in FOOTBALL_PLAYERS]
    assert len(found) >= 10 and max(inside) >= 0.8, inside
    page.close()


PAGES = ["", "compare", "receptive_field", "nonlocal_attention", "pooling_lab", "oks_lab", "occlusion", "dense", "paf", "data"]
GROUP_PHOTO = ROOT / "poseviz" / "gallery" / "photos" / "01_soccer-three-players.jpg"  # bundled: three players

# Every visible text of every Plotly figure, as boxes; the pairs that overlap by more than 3 px each way (touching
# glyph boxes of a colour bar's top tick and its title are 2 px), and each figure's heatmaps and colour bars.
_TEXT_BOXES = r"""
() => [...document.querySelectorAll('.js-plotly-plot')].map(plot => {
  const boxes = [...plot.querySelectorAll('svg text')].filter(t => {
    const st = getComputedStyle(t);
    return (t.textContent || '').trim() && st.display !== 'none' && st.visibility !== 'hidden' && parseFloat(st.opacity) !== 0;
  }).map(t => ({s: t.textContent.trim(), r: t.getBoundingClientRect()})).filter(b => b.r.width >= 1 && b.r.height >= 1);
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i].r, b = boxes[j].r;
    const w = Math.min(a.right, b.right) - Math.max(a.left, b.left), h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    if (w > 3 && h > 3) overlaps.push([boxes[i].s.slice(0, 40), boxes[j].s.slice(0, 40)]);
  }
  return {overlaps, heatmaps: plot.querySelectorAll('.hm, .heatmaplayer image').length, colorbars: plot.querySelectorAll('.colorbar').length};
})
"""


@pytest.mark.parametrize("path", PAGES, ids=[p or "explore" for p in PAGES])
def test_every_page_in_the_browser(server, browser, path, tmp_path):
    """Each page at 1280×800 with the bundled three-player photo uploaded where it takes one (a control change): no
    exception box, no two texts of a figure on top of each other, a colour bar beside every figure of maps; a
    screenshot."""
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{server}/{path}")
    page.locator('[data-testid="stSidebar"]').wait_for(timeout=60_000)
    _wait_idle(page)
    if _source_upload(page).count():
        photo = tmp_path / "players.jpg"  # a name short enough for the uploader to show whole
        photo.write_bytes(GROUP_PHOTO.read_bytes())
        _upload_in(page, photo)
        page.get_by_text(photo.name).first.wait_for(timeout=60_000)
        _wait_idle(page)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(ARTIFACTS / f"page_{path or 'explore'}.png"), full_page=True)
    assert page.locator('[data-testid="stException"]').count() == 0
    figures = page.evaluate(_TEXT_BOXES)
    assert all(not f["overlaps"] for f in figures), [f["overlaps"] for f in figures if f["overlaps"]]
    assert all(f["colorbars"] >= 1 for f in figures if f["heatmaps"]), figures
    page.close()


def test_an_occluder_drawn_on_the_crop_joins_the_table(server, browser):
    """Occlusion explorer: a rectangle dragged on the crop becomes a row of the occluder table (the grid's row count
    grows by one) and is outlined on the crop; no exception."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/occlusion")
    page.locator('[data-testid="stSidebar"]').wait_for(timeout=60_000)
    _wait_idle(page)
    grid = page.locator('[data-testid="stDataFrame"] [role="grid"]').first
    before = int(grid.get_attribute("aria-rowcount"))
    page.get_by_text("Draw an occluder on the crop").click()
    _wait_idle(page)
    frame = page.locator('iframe[title*="streamlit_image_coordinates"]').last
    frame.scroll_into_view_if_needed()
    page.wait_for_timeout(1500)
    box = frame.bounding_box()
    x0, y0 = box["x"] + 40, box["y"] + box["height"] * 0.5
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x0 + 50, y0 + 40, steps=8)
    page.mouse.up()
    _wait_idle(page)
    page.wait_for_timeout(1500)
    assert int(page.locator('[data-testid="stDataFrame"] [role="grid"]').first.get_attribute("aria-rowcount")) == before + 1
    assert page.locator('[data-testid="stException"]').count() == 0
    page.close()
