"""Live camera end to end: Chromium's fake camera plays a clip made here into the Live page over WebRTC.

The browser and the app run in a network namespace of their own (a veth pair on a private address inside
it, as Chromium offers no candidates on loopback alone) when this machine allows one; otherwise on this
machine's own addresses with the server's media on 127.0.0.1. Either way nothing leaves the machine and
no STUN/TURN server is asked.
"""
import json
import subprocess
import sys

from browser import ROOT, ensure_chromium
from media import astronaut
from poseviz.video.encode import panning_clip, write_y4m

NAMESPACE_SETUP = ("ip link set lo up && ip link add pv0 type veth peer name pv1 && ip addr add 10.200.0.1/24 dev pv0 "
                   "&& ip link set pv0 up && ip link set pv1 up")


def _own_namespace_works() -> bool:
    try:
        return subprocess.run(["unshare", "-n", "sh", "-c", NAMESPACE_SETUP], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def test_live_page_streams_a_fake_camera_and_draws_every_stage(tmp_path):
    ensure_chromium()
    clip = tmp_path / "clip.y4m"
    assert write_y4m(panning_clip(astronaut(), 90, (640, 480)), clip, fps=30) == 90
    artifacts = ROOT / "tests" / "artifacts"
    artifacts.mkdir(exist_ok=True)
    empty_root = tmp_path / "data"  # a first start: the live page needs no dataset
    empty_root.mkdir()
    check = [sys.executable, str(ROOT / "tests" / "live_camera_check.py"), str(clip), str(artifacts / "live.png"), str(empty_root)]
    if _own_namespace_works():
        cmd = ["unshare", "-n", "sh", "-c", NAMESPACE_SETUP + ' && exec "$@"', "sh", *check]
    else:
        cmd = check
    run = subprocess.run(cmd, cwd=ROOT / "tests", capture_output=True, text=True, timeout=400)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    counts = seen["counts"]
    assert counts[-1] > 20 and counts[-1] > counts[0], counts  # frames keep being processed
    w, h = seen["video_size"]
    assert w > 640 and h == 480  # the returned video is the frame plus the stage panel the server drew beside it
    assert seen["exceptions"] == 0 and seen["exceptions_after_freeze"] == 0
    assert seen["explore_source"] >= 1  # the frozen frame opened in Explore as its image source
