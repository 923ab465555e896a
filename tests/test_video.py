"""Video files: a clip made in the test is analysed; frame count, scrubber re-runs, trajectory, drops and
every export are checked against a direct frame-by-frame prediction."""
import csv
import io
import json

import numpy as np
import pytest

from media import CLIP_SIZE, astronaut, model
from poseviz.inference.top_down import predict_person
from poseviz.video import FrameReader, analyse_video, auto_every, coco_results_json, keypoints_csv, overlay_video, probe
from poseviz.video.analyse import MAX_ANALYSED_FRAMES
from poseviz.video.encode import encode_video, panning_clip

FRAMES, EVERY = 36, 3


@pytest.fixture(scope="module")
def clip() -> bytes:
    frames = list(panning_clip(astronaut(), FRAMES, CLIP_SIZE))
    for f in frames[18:24]:  # the person leaves for six frames: an occlusion event
        f[:] = 96
    return encode_video(frames, 30)


@pytest.fixture(scope="module")
def analysis(clip):
    return analyse_video(clip, model(), "hrnet_nl_lsp", every=EVERY, max_side=CLIP_SIZE[0])


def test_every_kth_frame_is_analysed_at_its_time(analysis):
    idx = [f.index for f in analysis.frames]
    assert idx == list(range(0, FRAMES, EVERY))
    assert analysis.times == pytest.approx(np.array(idx) / 30.0)
    assert analysis.keypoints.shape == (FRAMES // EVERY, 14, 3)
    assert analysis.scale == 1.0 and analysis.size == CLIP_SIZE


def test_keypoints_equal_a_direct_prediction_on_each_decoded_frame(clip, analysis):
    frames = {f.index: f.rgb for f in FrameReader(clip)}
    m = model()
    for r in analysis.frames:
        direct = predict_person(m, frames[r.index], r.box)
        np.testing.assert_allclose(r.keypoints, direct.keypoints, atol=1e-4)


def test_scrubbing_re_runs_the_stored_crop_and_gets_every_stage(analysis):
    p = analysis.prediction(4, model())
    np.testing.assert_array_equal(p.keypoints, analysis.frames[4].keypoints)
    assert p.stage_maps.shape[0] == 1 and p.stage_maps.shape[1] == 14
    assert analysis.image(4).shape == (CLIP_SIZE[1], CLIP_SIZE[0], 3)


def test_belief_drops_mark_the_frames_without_the_person(analysis):
    drops = analysis.confidence_drops(12)  # neck
    gone = np.array([18 <= f.index < 24 for f in analysis.frames])
    assert drops[gone].all()
    assert not drops[~gone].any()


def test_exports_hold_every_analysed_frame_in_file_pixels(analysis):
    results = json.loads(coco_results_json(analysis))
    assert [r["image_id"] for r in results] == [f.index for f in analysis.frames]
    np.testing.assert_allclose(np.array([r["keypoints"] for r in results]).reshape(-1, 14, 3), analysis.file_keypoints, atol=1e-3)
    rows = list(csv.DictReader(io.StringIO(keypoints_csv(analysis))))
    assert len(rows) == len(analysis.frames) * 14
    r = rows[14 * 2 + 12]
    assert (int(r["frame"]), r["joint"]) == (analysis.frames[2].index, "neck")
    assert float(r["x_px"]) == pytest.approx(analysis.file_keypoints[2, 12, 0], abs=0.01)


def test_overlay_video_has_one_frame_per_analysed_frame(analysis):
    data = overlay_video(analysis)
    info = probe(data)
    assert (info.width, info.height) == CLIP_SIZE and info.codec == "h264"
    assert sum(1 for _ in FrameReader(data)) == len(analysis.frames)
    assert info.fps == pytest.approx(30 / EVERY)


def test_results_are_mapped_back_to_the_file_pixels_of_a_downscaled_video(clip):
    small = analyse_video(clip, model(), every=12, max_side=160)
    assert small.scale == pytest.approx(0.5) and small.size == (160, 120)
    np.testing.assert_allclose(small.file_keypoints[..., :2], (small.keypoints[..., :2] + 0.5) * 2 - 0.5)


def test_auto_step_keeps_the_analysed_frames_bounded():
    info = probe(encode_video(panning_clip(astronaut(), 4, (64, 48)), 30))
    assert auto_every(info) == 1
    long = type(info)(64, 48, 30.0, 1800, 60.0, "h264")
    assert auto_every(long) == 1800 // MAX_ANALYSED_FRAMES
    assert auto_every(type(info)(64, 48, 30.0, 10_000, 333.0, "h264")) == 4  # capped at 1800 read frames


def test_progress_reports_each_analysed_frame_and_can_cancel(clip):
    seen = []

    def progress(done, total):
        seen.append((done, total))
        if done == 3:
            raise KeyboardInterrupt  # what a cancel looks like from the callback's side

    with pytest.raises(KeyboardInterrupt):
        analyse_video(clip, model(), every=EVERY, progress=progress)
    assert seen == [(1, FRAMES // EVERY), (2, FRAMES // EVERY), (3, FRAMES // EVERY)]
