"""The Video file page in Streamlit's AppTest (no dataset needed: clips are made from the photo scikit-image
ships), the shared bounded cache, and a frozen frame opening in Explore. The Live camera page needs a real
browser session (streamlit-webrtc): tests/test_live_browser.py."""
import cv2
from streamlit.testing.v1 import AppTest

from conftest import ROOT
from media import astronaut, model

VIEWS = ROOT / "app" / "views"
TIMEOUT = 180


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_video_page_analyses_the_sample_clip_like_a_direct_call():
    from poseviz.inference.person_boxes import default_box
    from poseviz.video import analyse_video
    from poseviz.video.encode import encode_video, panning_clip

    at = AppTest.from_file(str(VIEWS / "video.py"), default_timeout=TIMEOUT).run()
    at.sidebar.radio(key="video_source").set_value("Sample clip").run()
    at.sidebar.selectbox(key="video_sample").set_value("Astronaut (scikit-image)").run()
    at.sidebar.selectbox(key="video_model").set_value("hrnet_nl_lsp").run()
    every_key = next(str(k) for k in at.session_state if str(k).startswith("video_every_"))
    at.sidebar.number_input(key=every_key).set_value(9).run()
    at.button(key="video_go").click().run()
    assert not at.exception
    assert _metric(at, "Frames analysed") == "10" and _metric(at, "Every k-th frame") == "9"
    finder = model("openpose_lsp")  # the page's person finder
    direct = analyse_video(encode_video(panning_clip(astronaut(), 90), 30), model("hrnet_nl_lsp"), every=9,
                           detector=lambda rgb: default_box(rgb, finder))
    frame_key = next(str(k) for k in at.session_state if str(k).startswith("video_frame_"))
    at.select_slider(key=frame_key).set_value(5).run()
    image = next(e for e in at.main if type(e).__name__ == "Image")
    assert image.proto.imgs[0].caption == f"Frame {direct.frames[5].index} at {direct.frames[5].time_s:.2f} s (person {direct.frames[5].source})"
    drops = int(direct.confidence_drops(6).sum())
    assert any(f"{drops} of 10" in c.value for c in at.caption)
    titles = [a["text"].replace("<br>", " ") for a in __import__("json").loads(at.get("plotly_chart")[1].proto.spec)["layout"]["annotations"]]
    assert titles == ["right_wrist: position", "right_wrist: peak belief"]


def test_video_page_refuses_a_non_video_with_a_message():
    at = AppTest.from_file(str(VIEWS / "video.py"), default_timeout=TIMEOUT).run()
    at.sidebar.radio(key="video_source").set_value("Upload").run()
    ok, png = cv2.imencode(".png", astronaut())
    at.file_uploader(key="video_upload").set_value(("holiday.mp4", png.tobytes(), "video/mp4")).run()
    assert not at.exception
    assert "still image" in at.error[0].value


def test_a_frozen_frame_opens_in_explore():
    rgb = astronaut()
    ok, png = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    at = AppTest.from_file(str(VIEWS / "explore.py"), default_timeout=TIMEOUT)
    at.session_state["frozen_frame"] = (png.tobytes(), "live frame 7")
    at.session_state["img_source"] = "Frozen frame"
    at.run()
    assert not at.exception
    assert at.sidebar.radio(key="img_source").value == "Frozen frame"
    assert any("live frame 7" in c.value for c in at.sidebar.caption)


def test_shared_store_keeps_the_most_recent_entries_only():
    from app.state import SharedStore

    s = SharedStore(2)
    s.put("a", 1)
    s.put("b", 2)
    assert s.get("a") == 1  # "a" is now the most recent
    s.put("c", 3)
    assert len(s) == 2 and s.get("b") is None and s.get("a") == 1 and s.get("c") == 3


def test_a_frame_opened_in_explore_keeps_the_model_and_flip_it_was_analysed_with():
    at = AppTest.from_file(str(ROOT / "app" / "main.py"), default_timeout=TIMEOUT).run()
    at.switch_page("views/video.py").run()
    at.sidebar.radio(key="video_source").set_value("Sample clip").run()
    at.sidebar.selectbox(key="video_sample").set_value("Astronaut (scikit-image)").run()
    at.sidebar.selectbox(key="video_model").set_value("hrnet_nl_lsp").run()
    at.sidebar.toggle(key="video_flip").set_value(True).run()
    every_key = next(str(k) for k in at.session_state if str(k).startswith("video_every_"))
    at.sidebar.number_input(key=every_key).set_value(30).run()
    at.button(key="video_go").click().run()
    at.button(key="video_freeze").click().run()
    assert not at.exception, at.exception
    assert at.sidebar.radio(key="img_source").value == "Frozen frame"
    assert at.sidebar.selectbox(key="model").value == "hrnet_nl_lsp"
    assert at.sidebar.toggle(key="explore_flip").value is True
