"""Live camera end to end: Chromium's fake camera plays a clip made here into the Live page over WebRTC.

The browser and the app run in a network namespace of their own when this machine allows one
(``live_camera_check.run_isolated``); nothing leaves the machine and no STUN/TURN server is asked.
"""
from browser import ROOT, ensure_chromium
from live_camera_check import run_isolated
from media import astronaut
from poseviz.video.encode import panning_clip, write_y4m


def test_live_page_streams_a_fake_camera_and_draws_every_stage(tmp_path):
    ensure_chromium()
    clip = tmp_path / "clip.y4m"
    assert write_y4m(panning_clip(astronaut(), 90, (640, 480)), clip, fps=30) == 90
    artifacts = ROOT / "tests" / "artifacts"
    artifacts.mkdir(exist_ok=True)
    empty_root = tmp_path / "data"  # a first start: the live page needs no dataset
    empty_root.mkdir()
    seen = run_isolated(str(clip), str(artifacts / "live.png"), str(empty_root))
    counts = seen["counts"]
    assert counts[-1] > 20 and counts[-1] > counts[0], counts  # frames keep being processed
    w, h = seen["video_size"]
    assert w > 640 and h == 480  # the returned video is the frame plus the stage panel the server drew beside it
    assert seen["exceptions"] == 0 and seen["exceptions_after_freeze"] == 0
    assert seen["explore_source"] >= 1  # the frozen frame opened in Explore as its image source
