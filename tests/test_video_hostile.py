"""Hostile video files: each is refused or capped with a clear message, within bounded time and memory."""
import io

import av
import numpy as np
import pytest

from poseviz.video import FrameReader, VideoError, probe
from poseviz.video.decode import DEFAULT_MAX_FRAMES, DEFAULT_MAX_SIDE, MAX_SOURCE_SIDE
from poseviz.video.encode import encode_video


def _frames(n: int, w: int, h: int):
    for i in range(n):
        f = np.zeros((h, w, 3), np.uint8)
        f[:, : (i * 7) % w] = 200
        yield f


def _read(data: bytes, **kw) -> tuple[int, list[str]]:
    reader = FrameReader(data, **kw)
    return sum(1 for _ in reader), reader.notes


def test_a_truncated_webm_gives_the_frames_before_the_cut_and_says_so():
    data = encode_video(_frames(30, 64, 48), 30, "webm")
    n, notes = _read(data[: len(data) * 6 // 10])
    assert 0 < n < 30
    assert any("truncated" in note for note in notes)


def test_a_truncated_mp4_is_refused_with_the_reason():
    data = encode_video(_frames(30, 64, 48), 30)
    with pytest.raises(VideoError, match="cut short"):
        probe(data[: len(data) // 2])


def test_a_video_whose_frames_cannot_be_decoded_is_refused():
    d = bytearray(encode_video(_frames(10, 64, 48), 30))
    start, end = d.index(b"mdat") + 4, d.index(b"moov") - 4
    assert end > start
    d[start:end] = bytes(end - start)  # every frame's data zeroed, the index intact
    with pytest.raises(VideoError, match="No frame could be decoded"):
        _read(bytes(d))


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    (np.random.default_rng(0).bytes(5000), "cannot read this file as a video"),
])
def test_empty_and_random_bytes_are_refused(data, message):
    with pytest.raises(VideoError, match=message):
        probe(data)


def test_an_image_renamed_mp4_is_refused_as_a_still_image():
    import cv2

    ok, png = cv2.imencode(".png", np.zeros((32, 32, 3), np.uint8))
    with pytest.raises(VideoError, match="still image"):
        probe(png.tobytes())


def test_audio_only_is_refused():
    buf = io.BytesIO()
    c = av.open(buf, "w", format="mp4")
    s = c.add_stream("aac", rate=16000)
    frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
    frame.sample_rate = 16000
    for packet in [*s.encode(frame), *s.encode(None)]:
        c.mux(packet)
    c.close()
    with pytest.raises(VideoError, match="no video stream.*audio"):
        probe(buf.getvalue())


def test_ten_thousand_frames_are_capped_at_the_frame_limit():
    data = encode_video(_frames(10_000, 32, 32), 30)
    assert probe(data).frames == 10_000
    n, notes = _read(data, every=100)
    assert n == DEFAULT_MAX_FRAMES // 100
    assert notes == [f"Only the first {DEFAULT_MAX_FRAMES} frames of about 10000 are read."]


def test_an_8k_video_is_decoded_straight_to_the_capped_size():
    data = encode_video(_frames(2, 7680, 4320), 30)
    reader = FrameReader(data)
    frames = list(reader)
    assert len(frames) == 2 and frames[0].rgb.shape == (360, 640, 3)  # 7680×4320 scaled to 640 px wide
    assert reader.scale == pytest.approx(DEFAULT_MAX_SIDE / 7680)
    assert "7680×4320" in reader.notes[0]


def test_a_video_wider_than_the_limit_is_refused_before_decoding():
    data = encode_video(_frames(1, MAX_SOURCE_SIDE + 256, 32), 30)
    with pytest.raises(VideoError, match=f"at most {MAX_SOURCE_SIDE} px"):
        FrameReader(data)


def test_decoding_stops_at_the_time_limit():
    data = encode_video(_frames(60, 32, 32), 30)
    ticks = iter(range(1000))
    reader = FrameReader(data, time_limit_s=10, clock=lambda: float(next(ticks)))  # one "second" per look at the clock
    n = sum(1 for _ in reader)
    assert 5 <= n <= 11
    assert reader.notes and reader.notes[0].startswith("Decoding stopped after 10 s")


def test_a_file_over_the_size_limit_is_refused_unread(monkeypatch):
    from poseviz.video import decode

    monkeypatch.setattr(decode, "MAX_VIDEO_BYTES", 1000)
    with pytest.raises(VideoError, match="Cut the clip first"):
        probe(bytes(2000))


@pytest.mark.parametrize("size", [(8, 8), (1024, 16)])
def test_videos_too_small_or_too_thin_for_a_person_are_refused_like_photos(size):
    data = encode_video(_frames(3, *size), 30)
    assert probe(data).width == size[0]  # the file itself is fine
    with pytest.raises(VideoError, match="too small or too thin"):
        FrameReader(data)
    assert _read(encode_video(_frames(3, 64, 48), 30))[0] == 3
