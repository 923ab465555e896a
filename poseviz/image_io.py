"""Safe image input: path, bytes or an uploaded file → RGB uint8 H×W×3 plus metadata.

Applies EXIF orientation; composites grayscale+alpha, RGBA and palette transparency
onto white; converts CMYK; scales 16-bit images to 8 bits (by their range, not by
clipping); takes frame 0 of animations. Refuses empty, non-image, truncated and
unsupported files and decompression bombs with ``PoseVizInputError``. Images larger
than ``max_side`` are downscaled for processing, and the factor is recorded so results
map back to original pixels (original = processed / scale).
"""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import PoseVizInputError
from .input_bytes import read_input_bytes

__all__ = ["LoadedImage", "load_image", "DEFAULT_MAX_PIXELS", "DEFAULT_MAX_SIDE", "SUPPORTED_FORMATS"]

# Pillow warns at 89 Mpx and refuses at 179 Mpx; a classroom server needs a far lower bar.
DEFAULT_MAX_PIXELS = 40_000_000
DEFAULT_MAX_SIDE = 1600
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
SUPPORTED_FORMATS = ("JPEG", "PNG", "WEBP", "BMP", "TIFF", "GIF", "MPO")


@dataclass(frozen=True)
class LoadedImage:
    """An image ready for processing.

    Attributes:
        rgb: H×W×3 uint8 pixels (after orientation and any downscale).
        original_size: (width, height) of the file's image after EXIF orientation.
        scale: processed / original size (1.0 when not downscaled).
        format: the file's format as Pillow names it ("JPEG", "PNG", ...).
        mode: the file's original pixel mode ("RGB", "I;16", "CMYK", "P", ...).
        n_frames: frames in the file (frame 0 is used).
        exif_transposed: whether an EXIF orientation was applied.
    """

    rgb: np.ndarray
    original_size: tuple[int, int]
    scale: float
    format: str
    mode: str
    n_frames: int
    exif_transposed: bool

    def to_original(self, points: np.ndarray) -> np.ndarray:
        """Map processed-image points [..., 2] back to original pixels (pixel-centre exact)."""
        return (np.asarray(points, dtype=np.float64) + 0.5) / self.scale - 0.5


def _to_rgb(img: Image.Image) -> Image.Image:
    mode = img.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        arr = np.asarray(img, dtype=np.float64)
        lo, hi = np.nanmin(arr), np.nanmax(arr)
        # Scale by the data's own range: clipping would turn most 16-bit photos white.
        full = 65535.0 if mode.startswith("I;16") or hi > 255 else 255.0
        lo = 0.0 if lo >= 0 else lo
        arr = (arr - lo) / max(full if hi <= full else hi - lo, 1e-12) * 255.0
        img = Image.fromarray(np.clip(np.round(np.nan_to_num(arr)), 0, 255).astype(np.uint8), "L")
        mode = "L"
    if mode == "P":
        img = img.convert("RGBA" if "transparency" in img.info else "RGB")
        mode = img.mode
    if mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, rgba)
    elif mode == "L" and "transparency" in img.info:
        rgba = img.convert("RGBA")
        img = Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba)
    return img.convert("RGB")


def load_image(
    source: str | Path | bytes | BinaryIO,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_side: int | None = DEFAULT_MAX_SIDE,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> LoadedImage:
    """Read an image safely. Raises ``PoseVizInputError`` with a message for anything unusable.

    Args:
        source: a path, raw bytes, or a file-like object (e.g. Streamlit's UploadedFile).
        max_pixels: refuse images declaring more pixels than this (decompression bombs).
        max_side: downscale so the longer side is at most this (None keeps full size).
        max_bytes: refuse files larger than this.
    """
    data, name = read_input_bytes(source, max_bytes, "image file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            fmt = img.format or "unknown"
            if fmt not in SUPPORTED_FORMATS:
                raise PoseVizInputError(f"{name}: {fmt} images are not supported (use {', '.join(SUPPORTED_FORMATS[:5])})")
            w, h = img.size
            if w < 1 or h < 1:
                raise PoseVizInputError(f"{name} has zero width or height")
            if w * h > max_pixels:
                raise PoseVizInputError(
                    f"{name} declares {w}×{h} = {w * h / 1e6:.0f} Mpx, over the {max_pixels / 1e6:.0f} Mpx limit "
                    "(possible decompression bomb); resize it first")
            mode, n_frames = img.mode, getattr(img, "n_frames", 1)
            img.seek(0)
            img.load()
            transposed = _has_orientation(img)
            oriented = ImageOps.exif_transpose(img)
            rgb_img = _to_rgb(oriented)
    except PoseVizInputError:
        raise
    except Image.DecompressionBombError as exc:
        raise PoseVizInputError(f"{name} is too large to decode safely (decompression bomb): {exc}") from None
    except Image.DecompressionBombWarning as exc:
        raise PoseVizInputError(f"{name} is too large to decode safely (decompression bomb): {exc}") from None
    except UnidentifiedImageError:
        raise PoseVizInputError(f"{name} is not an image PoseViz can read (supported: {', '.join(SUPPORTED_FORMATS[:5])})") from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, MemoryError, ZeroDivisionError) as exc:
        raise PoseVizInputError(f"{name} is damaged or truncated and cannot be decoded ({exc})") from None
    rgb = np.asarray(rgb_img, dtype=np.uint8)
    original_size = (rgb.shape[1], rgb.shape[0])
    scale = 1.0
    if max_side is not None and max(original_size) > max_side:
        import cv2

        scale = max_side / max(original_size)
        new = (max(1, round(original_size[0] * scale)), max(1, round(original_size[1] * scale)))
        rgb = cv2.resize(rgb, new, interpolation=cv2.INTER_AREA)
        scale = new[0] / original_size[0]
    return LoadedImage(
        rgb=np.ascontiguousarray(rgb), original_size=original_size, scale=scale, format=fmt,
        mode=mode, n_frames=n_frames, exif_transposed=bool(transposed),
    )


def _has_orientation(img: Image.Image) -> bool:
    try:
        return img.getexif().get(0x0112, 1) not in (1, None)
    except Exception:
        return False
