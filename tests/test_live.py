"""Live mode's pieces: the person tracker, the rate meter, the composed frame, the processor on a moving clip,
and the loopback ICE fallback. Expected values are derived by hand from the definitions."""
import numpy as np
import pytest
import torch

from media import CLIP_SIZE, astronaut, model
from poseviz.inference.person_boxes import JOINTS_TO_PERSON_BOX, box_around_joints, whole_image_box
from poseviz.inference.top_down import predict_person
from poseviz.live import LiveProcessor, LiveSettings, PersonTracker, RateMeter, compose_live_frame
from poseviz.live.tracker import JOINT_THRESHOLD
from poseviz.video.encode import clip_offset, panning_clip


def test_box_around_joints_grows_the_extent_about_its_centre_and_clips():
    # extent 100..200 × 50..250 → centre (150, 150), size 100·1.22 × 200·1.22
    box = box_around_joints(np.array([[100.0, 50.0], [200.0, 250.0]]), 1000, 1000)
    assert box == pytest.approx((150 - 61, 150 - 122, 122, 244))
    clipped = box_around_joints(np.array([[0.0, 0.0], [100.0, 100.0]]), 105, 1000)
    assert clipped[0] == 0 and clipped[1] == 0 and clipped[0] + clipped[2] == pytest.approx(105)
    assert JOINTS_TO_PERSON_BOX == 1.22


class _Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def _keypoints(belief: float) -> np.ndarray:
    kp = np.zeros((14, 3))
    kp[:, 0] = np.linspace(100, 200, 14)
    kp[:, 1] = np.linspace(50, 250, 14)
    kp[:, 2] = belief
    return kp


def test_tracker_detects_tracks_loses_and_searches_at_most_once_per_interval():
    calls = []
    clock = _Clock()
    tracker = PersonTracker(lambda rgb: calls.append(clock.t) or (10.0, 20.0, 30.0, 40.0), redetect_interval_s=1.0, clock=clock)
    frame = np.zeros((480, 640, 3), np.uint8)
    assert tracker.box_for(frame) == (10.0, 20.0, 30.0, 40.0) and tracker.source == "detected" and calls == [0.0]
    tracker.update(_keypoints(0.6), (640, 480))
    assert tracker.box_for(frame) == pytest.approx(box_around_joints(_keypoints(0.6)[:, :2], 640, 480))
    assert tracker.source == "tracked" and calls == [0.0]
    tracker.update(_keypoints(0.05), (640, 480))  # mean belief under the 0.10 gate: lost
    clock.t = 0.5  # within the interval: no new search, the whole frame is used
    assert tracker.box_for(frame) == pytest.approx(whole_image_box(640, 480)) and tracker.source == "whole frame"
    clock.t = 1.2
    assert tracker.box_for(frame) == (10.0, 20.0, 30.0, 40.0) and calls == [0.0, 1.2]


def test_tracker_ignores_joints_under_the_threshold_when_it_grows_the_box():
    kp = _keypoints(0.6)
    kp[0] = [600, 470, JOINT_THRESHOLD / 2]  # a stray weak joint far away does not stretch the box
    tracker = PersonTracker(None)
    tracker.update(kp, (640, 480))
    assert tracker.box == pytest.approx(box_around_joints(kp[1:, :2], 640, 480))


def test_rate_meter_counts_frames_per_second_and_median_latency():
    m = RateMeter(window=4)
    for i in range(6):  # frames end every 0.1 s, take 20, 30, 40 … ms
        end = 1.0 + 0.1 * i
        m.tick(end - 0.02 - 0.01 * i, end)
    assert m.frames == 6
    assert m.fps == pytest.approx(3 / 0.3)  # the last 4 ends span 0.3 s
    assert m.latency_ms == pytest.approx(np.median([40, 50, 60, 70]))


@pytest.mark.parametrize("layout", ["below", "beside"])
def test_composed_frame_has_a_tile_per_stage_and_the_extra_panel(layout):
    frame = np.asarray(next(iter(panning_clip(astronaut(), 1, (640, 480)))))
    m = model("openpose_lsp")
    pred = predict_person(m, frame, (200, 40, 240, 400))
    s = LiveSettings(joint=13, layout=layout, extra="paf")
    out = compose_live_frame(frame, pred, s)
    n = pred.output.num_stages + 1
    if layout == "below":
        tile = min(256, 640 // n - 8)
        assert out.shape == (480 + tile + 32, 640, 3)
    else:
        tile = min(256, 480 // n - 32)
        assert out.shape == (max(480, n * (tile + 32)), 640 + tile + 8, 3)
    assert (out[:480, :640] != frame).any(axis=-1).mean() < 0.2  # the photo is still there under the drawing


def test_processor_follows_a_person_moving_across_the_frame():
    """The astronaut slides by a known offset per frame: the tracked head moves with it."""
    frames = list(panning_clip(astronaut(), 24, CLIP_SIZE))
    photo_w = round(astronaut().shape[1] * CLIP_SIZE[1] / astronaut().shape[0])
    p = LiveProcessor(model(), PersonTracker(None), LiveSettings(joint=13))
    necks, tracked = [], 0
    for rgb in frames:
        out = p.process(rgb)
        necks.append(p.last_prediction.keypoints[12])
        tracked += p.tracker.source == "tracked"
        assert out.shape[1] == CLIP_SIZE[0]
    assert p.meter.frames == 24 and tracked >= 20  # tracked, not searched, on most frames
    offsets = np.array([clip_offset(i, 24, photo_w, CLIP_SIZE[0]) for i in range(24)])
    necks = np.array(necks)
    assert np.ptp(offsets) > 60 and necks[:, 2].min() > 0.3  # the photo did move, the neck stayed confident
    assert np.ptp(necks[:, 0] - offsets) < 8  # the neck moved with the photo (within 8 px of 240-px-high frames)
    assert np.ptp(necks[:, 1]) < 8


def test_processor_configuration_changes_the_next_frame():
    rgb = next(iter(panning_clip(astronaut(), 1, CLIP_SIZE)))
    p = LiveProcessor(model(), PersonTracker(None), LiveSettings(joint=13, layout="below"))
    below = p.process(rgb)
    p.configure(layout="beside", joint=12)
    beside = p.process(rgb)
    assert p.settings.joint == 12 and below.shape != beside.shape
    p.configure(model("cpm_lsp"), joint=20)  # a joint the schema lacks falls back to the first
    assert p.settings.joint == 0
    assert p.process(rgb).shape == (240, 320 + (240 // 3 - 32) + 8, 3)  # cpm_lsp's 3 stages beside a 240-px frame


def test_loopback_candidates(monkeypatch):
    import aioice.ice as ice

    from poseviz.live import rtc

    monkeypatch.setattr(ice, "get_host_addresses", lambda v4, v6: [])
    assert rtc.allow_loopback_candidates()
    assert ice.get_host_addresses(True, False) == ["127.0.0.1"]  # no network: loopback
    monkeypatch.setenv(rtc.LOOPBACK_VAR, "1")
    assert ice.get_host_addresses(True, True) == ["127.0.0.1"]
    assert rtc.RTC_CONFIGURATION == {"iceServers": []}


def test_a_failing_frame_comes_back_unannotated_with_the_reason():
    class Broken(torch.nn.Module):
        config = model().config

        def forward(self, x):
            raise RuntimeError("out of memory")

    rgb = next(iter(panning_clip(astronaut(), 1, CLIP_SIZE)))
    p = LiveProcessor(model(), PersonTracker(None), LiveSettings())
    p.configure(Broken())
    out = p.process(rgb)
    assert out.shape == rgb.shape and p.error == "RuntimeError: out of memory" and p.meter.frames == 0
    p.configure(model())
    assert p.process(rgb).shape != rgb.shape and p.error is None  # the next good frame clears it
