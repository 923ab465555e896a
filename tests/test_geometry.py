import numpy as np
import pytest

from poseviz.core.geometry import box_to_center_scale, crop_transform, warp_crop


def test_center_scale_pads_to_aspect_and_enlarges_like_hrnet():
    # 100×100 box, model 192×256 (aspect 0.75): height grows to 133.3; HRNet: scale = (w, h) / 200 × 1.25
    c, s = box_to_center_scale((10, 20, 100, 100), 0.75, 1.25)
    np.testing.assert_allclose(c, [60, 70])
    np.testing.assert_allclose(s, [100 / 200 * 1.25, 100 / 0.75 / 200 * 1.25])


def test_box_is_refused_when_empty():
    with pytest.raises(ValueError, match="positive width"):
        box_to_center_scale((0, 0, 0, 10), 1.0)


@pytest.mark.parametrize("rotation", [0.0, 17.0, -30.0])
def test_crop_inverse_round_trip_is_exact(rotation):
    rng = np.random.default_rng(1)
    t = crop_transform((321.7, 204.2), (1.3, 1.3), (192, 256), rotation)
    pts = rng.uniform(0, 600, size=(1000, 2))
    back = t.to_image(t.to_crop(pts))
    assert np.abs(back - pts).max() <= 1e-3


def test_box_centre_lands_on_crop_centre_and_scale_is_output_over_box():
    t = crop_transform((100.0, 50.0), (0.5, 0.5), (64, 64))
    np.testing.assert_allclose(t.to_crop(np.array([100.0, 50.0])), [31.5, 31.5])
    # 100 image px (scale 0.5 × 200) span 64 crop px
    np.testing.assert_allclose(t.to_crop(np.array([150.0, 50.0])) - t.to_crop(np.array([100.0, 50.0])), [32, 0])


def test_warp_puts_a_marked_pixel_where_the_transform_says():
    img = np.zeros((200, 300, 3), np.uint8)
    img[118:123, 78:83] = 255  # a 5×5 block: a lone pixel could fall between samples at ½ scale
    t = crop_transform((150.0, 100.0), (1.0, 1.0), (100, 100))
    crop = warp_crop(img, t)
    y, x = np.unravel_index(crop[..., 0].argmax(), crop.shape[:2])
    expected = t.to_crop(np.array([80.0, 120.0]))
    assert abs(x - expected[0]) <= 1 and abs(y - expected[1]) <= 1
