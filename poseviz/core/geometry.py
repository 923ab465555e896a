"""Top-down geometry: person box → affine crop at the model's input size, and back.

Coordinate convention everywhere in PoseViz: 0-based pixel centres, x to the right,
y down. Pixel (0, 0) covers [-0.5, 0.5]².

The centre/scale convention follows the HRNet reference code
(``lib/utils/transforms.py``): a box (x, y, w, h) becomes a centre and a scale in
units of ``pixel_std`` = 200 px, padded to the model's aspect ratio and enlarged by a
factor (1.25 there). One deliberate difference: the box centre maps to the crop's
central pixel centre ((W - 1) / 2, (H - 1) / 2) rather than W / 2, so a horizontal flip
of the crop is an exact flip about the box centre (the unbiased-data-processing fix of
Huang et al., CVPR 2020).
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# A box made from a person's joints is enlarged by this much about its centre before cropping (hands, feet and
# the top of the head lie outside the joints), in training and in inference alike.
DEFAULT_ENLARGE = 1.3

__all__ = ["DEFAULT_ENLARGE", "CropTransform", "box_to_center_scale", "crop_transform", "warp_crop", "apply_affine", "check_box", "rescale_points"]

PIXEL_STD = 200.0


@dataclass(frozen=True)
class CropTransform:
    """An affine map image → crop and its exact inverse.

    Attributes:
        matrix: 2×3 image→crop matrix (crop_xy = A @ [x, y, 1]).
        inverse: 2×3 crop→image matrix.
        center: box centre in image pixels.
        scale: (sx, sy) box size in units of 200 px after aspect padding and enlargement.
        rotation: degrees, counter-clockwise rotation of the image content in the crop.
        output_size: (width, height) of the crop in pixels.
    """

    matrix: np.ndarray
    inverse: np.ndarray
    center: tuple[float, float]
    scale: tuple[float, float]
    rotation: float
    output_size: tuple[int, int]

    def to_crop(self, points: np.ndarray) -> np.ndarray:
        """Map image points [..., 2] (pixels) into crop pixels."""
        return apply_affine(points, self.matrix)

    def to_image(self, points: np.ndarray) -> np.ndarray:
        """Map crop points [..., 2] (pixels) back to image pixels."""
        return apply_affine(points, self.inverse)


def box_to_center_scale(
    box: tuple[float, float, float, float], aspect_ratio: float, enlarge: float = 1.25
) -> tuple[np.ndarray, np.ndarray]:
    """Box (x, y, w, h) in pixels → (centre [2] px, scale [2] in units of 200 px).

    The box is padded to ``aspect_ratio`` = width / height of the model input, then
    grown by ``enlarge`` (HRNet uses 1.25) so the limbs near the box edge keep context.
    """
    x, y, w, h = (float(v) for v in box)
    if not (w > 0 and h > 0) or not np.isfinite([x, y, w, h]).all():
        raise ValueError(f"person box must have finite positive width and height, got {box}")
    if aspect_ratio <= 0 or enlarge <= 0:
        raise ValueError("aspect_ratio and enlarge must be positive")
    center = np.array([x + 0.5 * w, y + 0.5 * h])
    if w > aspect_ratio * h:
        h = w / aspect_ratio
    else:
        w = h * aspect_ratio
    scale = np.array([w, h]) / PIXEL_STD * enlarge
    return center, scale


def crop_transform(
    center: np.ndarray | tuple[float, float],
    scale: np.ndarray | tuple[float, float],
    output_size: tuple[int, int],
    rotation: float = 0.0,
) -> CropTransform:
    """Affine transform that maps the scaled, rotated box onto a crop of ``output_size`` = (W, H).

    The scale factor is output_width / (scale_x * 200), uniform in x and y, as in HRNet.
    """
    out_w, out_h = int(output_size[0]), int(output_size[1])
    cx, cy = float(center[0]), float(center[1])
    src_w = float(scale[0]) * PIXEL_STD
    if src_w <= 0:
        raise ValueError("scale must be positive")
    s = out_w / src_w
    t = np.deg2rad(rotation)
    # Rotating the sampling window by +rotation shows the content turned by -rotation.
    cos, sin = np.cos(t) * s, np.sin(t) * s
    a = np.array([[cos, sin], [-sin, cos]])
    dst_c = np.array([(out_w - 1) / 2.0, (out_h - 1) / 2.0])
    offset = dst_c - a @ np.array([cx, cy])
    matrix = np.hstack([a, offset[:, None]])
    a_inv = np.linalg.inv(a)
    inverse = np.hstack([a_inv, (-a_inv @ offset)[:, None]])
    return CropTransform(
        matrix=matrix,
        inverse=inverse,
        center=(cx, cy),
        scale=(float(scale[0]), float(scale[1])),
        rotation=float(rotation),
        output_size=(out_w, out_h),
    )


def apply_affine(points: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Apply a 2×3 affine matrix to points [..., 2]."""
    pts = np.asarray(points, dtype=np.float64)
    return pts @ matrix[:, :2].T + matrix[:, 2]


def warp_crop(image: np.ndarray, transform: CropTransform, border_value: int = 0) -> np.ndarray:
    """Resample ``image`` (H×W×C uint8) into the crop described by ``transform``."""
    return cv2.warpAffine(
        image,
        transform.matrix,
        transform.output_size,
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(border_value,) * 3,
    )


# A person box may stick out of the photo (a cropped-off person), but not absurdly far.
MAX_BOX_TO_IMAGE = 10.0
MIN_BOX_SIDE = 1.0  # px: a smaller box holds less than a pixel of the person, blown up to the whole input


def check_box(box: tuple[float, float, float, float], width: int, height: int) -> tuple[float, float, float, float]:
    """Refuse (``PoseVizInputError``) a person box (x, y, w, h in pixels) that cannot be cropped:
    non-finite, under ``MIN_BOX_SIDE`` px a side, wholly outside the ``width`` × ``height`` image, or more than
    ``MAX_BOX_TO_IMAGE`` times the image's longer side. Returns the box as floats."""
    from poseviz.core.errors import PoseVizInputError

    x, y, w, h = (float(v) for v in box)
    if not all(np.isfinite((x, y, w, h))):
        raise PoseVizInputError(f"the person box {box} has a non-finite number")
    if w <= 0 or h <= 0:
        raise PoseVizInputError(f"the person box must have a positive width and height (got {w:g} × {h:g})")
    if min(w, h) < MIN_BOX_SIDE:
        raise PoseVizInputError(f"the person box is {w:g} × {h:g} px: under {MIN_BOX_SIDE:g} px a side, it holds no person")
    if x >= width or y >= height or x + w <= 0 or y + h <= 0:
        raise PoseVizInputError(f"the person box ({x:g}, {y:g}, {w:g}, {h:g}) lies wholly outside the {width}×{height} image")
    if max(w, h) > MAX_BOX_TO_IMAGE * max(width, height):
        raise PoseVizInputError(f"the person box ({w:g} × {h:g} px) is over {MAX_BOX_TO_IMAGE:g}× the image's size")
    return x, y, w, h


def rescale_points(points: np.ndarray, factor: float) -> np.ndarray:
    """(x, y) in the pixels of one image → the pixels of the same image resized by ``factor`` (pixel centres
    map to pixel centres: x' = (x + ½)·factor − ½). Only the first two columns change."""
    out = np.array(points, dtype=np.float64, copy=True)
    out[..., :2] = (out[..., :2] + 0.5) * factor - 0.5
    return out
