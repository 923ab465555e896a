"""Image loader: every conversion it promises, and every refusal names the problem."""
import io

import numpy as np
import pytest
from PIL import Image

from conftest import LSP_ROOT
from poseviz.core.errors import PoseVizInputError
from poseviz.io.images import load_image


def _encode(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


@pytest.mark.devdata
def test_real_jpeg_from_path_and_file_object():
    path = LSP_ROOT / "images" / "im0001.jpg"
    a = load_image(path)
    with path.open("rb") as f:
        b = load_image(f)
    assert a.rgb.dtype == np.uint8 and a.rgb.ndim == 3 and a.rgb.shape[2] == 3
    np.testing.assert_array_equal(a.rgb, b.rgb)
    assert a.format == "JPEG" and a.scale == 1.0


def test_exif_orientation_is_applied():
    img = Image.new("RGB", (40, 20), (0, 0, 0))
    img.paste((255, 0, 0), (0, 0, 10, 20))  # red stripe on the left
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise when displayed
    out = load_image(_encode(img, "JPEG", exif=exif.tobytes(), quality=95))
    assert out.rgb.shape[:2] == (40, 20) and out.exif_transposed
    assert out.rgb[2, 10, 0] > 200 and out.rgb[-3, 10, 0] < 60  # the stripe is now on top


def test_grayscale_and_alpha_composite_onto_white():
    la = Image.new("LA", (8, 8), (0, 0))  # black but fully transparent
    out = load_image(_encode(la, "PNG"))
    assert out.rgb.shape == (8, 8, 3) and out.rgb.min() == 255
    rgba = Image.new("RGBA", (8, 8), (0, 0, 255, 128))
    px = load_image(_encode(rgba, "PNG")).rgb[0, 0]
    assert px[2] == 255 and 120 < px[0] < 135  # half blue over white
    gray = load_image(_encode(Image.new("L", (5, 4), 77), "PNG")).rgb
    assert gray.shape == (4, 5, 3) and (gray == 77).all()


def test_palette_with_transparency():
    p = Image.new("P", (6, 6), 0)
    p.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    p.paste(1, (0, 0, 3, 6))
    out = load_image(_encode(p, "PNG", transparency=0)).rgb
    assert tuple(out[0, 0]) == (255, 0, 0) and tuple(out[0, 5]) == (255, 255, 255)


def test_cmyk_is_converted():
    out = load_image(_encode(Image.new("CMYK", (4, 4), (0, 255, 255, 0)), "JPEG")).rgb
    assert out[0, 0, 0] > 200 and out[0, 0, 1] < 60  # pure magenta + yellow = red


def test_16_bit_is_scaled_not_clipped():
    arr = np.array([[0, 1000, 30000, 65535]], dtype=np.uint16)
    out = load_image(_encode(Image.fromarray(arr), "PNG")).rgb[0, :, 0]
    np.testing.assert_array_equal(out, np.round(arr[0] / 257.0))
    assert 100 < out[2] < 130  # clipping would give 255


def test_animated_gif_takes_frame_zero():
    frames = [Image.new("RGB", (4, 4), c) for c in [(255, 0, 0), (0, 255, 0)]]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:])
    out = load_image(buf.getvalue())
    assert out.n_frames == 2 and out.rgb[0, 0, 0] > 200 and out.rgb[0, 0, 1] < 50


def test_large_images_are_downscaled_and_map_back():
    img = Image.new("RGB", (3000, 1500), (10, 20, 30))
    out = load_image(_encode(img, "PNG"), max_side=1000)
    assert out.rgb.shape == (500, 1000, 3) and out.original_size == (3000, 1500)
    assert out.scale == pytest.approx(1 / 3)
    np.testing.assert_allclose(out.to_original(np.array([[999.5, 499.5]])), [[2999.5, 1499.5]])


@pytest.mark.parametrize("data, pattern", [
    (b"", "is empty"),
    (b"hello, this is plainly not an image", "not an image PoseViz can read"),
])
def test_refused_bytes(data, pattern):
    with pytest.raises(PoseVizInputError, match=pattern):
        load_image(data)


@pytest.mark.devdata
def test_truncated_file_is_refused():
    data = (LSP_ROOT / "images" / "im0002.jpg").read_bytes()
    with pytest.raises(PoseVizInputError, match="damaged or truncated"):
        load_image(data[: len(data) // 3])
    png = _encode(Image.new("RGB", (64, 64), (1, 2, 3)), "PNG")
    with pytest.raises(PoseVizInputError, match="damaged or truncated"):
        load_image(png[:60])


def test_decompression_bomb_is_refused_before_decoding():
    big = _encode(Image.new("L", (5000, 5000), 0), "PNG")  # 25 Mpx of zeros compress to ~25 kB
    assert len(big) < 100_000
    with pytest.raises(PoseVizInputError, match="decompression bomb"):
        load_image(big, max_pixels=10_000_000)


def test_unsupported_format_is_named():
    with pytest.raises(PoseVizInputError, match="ICO images are not supported"):
        load_image(_encode(Image.new("RGB", (16, 16)), "ICO"))


def test_missing_path_and_size_limit(tmp_path):
    with pytest.raises(PoseVizInputError, match="not found"):
        load_image(tmp_path / "none.jpg")
    with pytest.raises(PoseVizInputError, match="larger than"):
        load_image(b"x" * 2048, max_bytes=1024)
