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
import math
import threading
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from poseviz.core.errors import PoseVizInputError
from poseviz.io.input_bytes import read_input_bytes

__all__ = ["LoadedImage", "load_image", "check_person_photo", "MIN_SIDE", "MAX_ASPECT", "decode_bytes", "DEFAULT_MAX_PIXELS", "DEFAULT_MAX_SIDE", "DEFAULT_MAX_DECODE_BYTES", "SUPPORTED_FORMATS"]

# Pillow warns at 89 Mpx and refuses at 179 Mpx; a classroom server needs a far lower bar.
DEFAULT_MAX_PIXELS = 40_000_000
DEFAULT_MAX_SIDE = 1600
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
# Decoding costs memory by pixels × bytes per pixel, not by file size (an 82 KB PNG can hold 36 Mpx
# of 16-bit data). One decode may take at most this much; all decodes in the process together at
# most DECODE_BUDGET (several users uploading at once wait their turn, then are refused).
DEFAULT_MAX_DECODE_BYTES = 320 * 1024 * 1024
DECODE_BUDGET = 512 * 1024 * 1024
DECODE_WAIT_S = 20.0
# Even a flat grey JPEG spends a few bits on every 8×8 block: progressive greyscale at quality 10
# reached 254 pixels per byte; a header claiming 6000×6000 over 240×160 of data has ~2400.
MAX_JPEG_PIXELS_PER_BYTE = 1000
# A progressive JPEG has about 10 scans; one scan repeated 30,000 times decoded for 213 s.
MAX_JPEG_SCANS = 100
# Peak memory of load_image per pixel decoded (Pillow keeps RGB, RGBA and LA at 4 bytes a pixel; the conversion to
# RGB, the alpha composite and the numpy copy come on top), measured alone at 12 Mpx on this project's machine, plus
# 15 %; tests/test_hardening_images.py::test_decoding_stays_within_its_estimate re-measures them at 7.5 Mpx.
_PEAK_BYTES_PER_PIXEL = {"1": 14, "L": 14, "P": 14, "RGB": 21, "YCbCr": 21, "LAB": 21, "HSV": 21, "CMYK": 21, "RGBX": 21,
                         "LA": 28, "PA": 28, "La": 28, "RGBA": 28, "RGBa": 28,
                         "I;16": 17, "I;16B": 17, "I;16L": 17, "I;16N": 17, "I": 21, "F": 21}
_WITH_TRANSPARENCY = 28  # P or L with a transparent colour goes through RGBA
_WEBP_EXTRA = 9  # libwebp's own output buffer before Pillow's copy
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


def decode_bytes(mode: str, width: int, height: int, fmt: str = "", transparency: bool = False,
                 progressive_pixels: int = 0) -> int:
    """Peak bytes that loading an image of this mode, size (as decoded) and format takes, measured per mode (see
    ``_PEAK_BYTES_PER_PIXEL``); ``transparency``: a P or L image with a transparent colour; ``progressive_pixels``:
    a progressive JPEG's full pixel count, for libjpeg's coefficient buffers (2 bytes a coefficient and channel,
    kept for the whole image even when it decodes at reduced size)."""
    per_pixel = _WITH_TRANSPARENCY if transparency and mode in ("P", "L") else _PEAK_BYTES_PER_PIXEL.get(mode, 28)
    coefficients = 2 * Image.getmodebands(mode) * progressive_pixels
    return width * height * (per_pixel + (_WEBP_EXTRA if fmt == "WEBP" else 0)) + coefficients


class _DecodeBudget:
    """Bytes being decoded in this process right now; a decode waits until its share fits."""

    def __init__(self, total: int):
        self.total = total
        self.used = 0
        self.cond = threading.Condition()

    @contextmanager
    def hold(self, nbytes: int, name: str):
        with self.cond:
            if not self.cond.wait_for(lambda: self.used + nbytes <= self.total, timeout=DECODE_WAIT_S):
                raise PoseVizInputError(f"{name}: the server is decoding other large images; try again in a moment")
            self.used += nbytes
        try:
            yield
        finally:
            with self.cond:
                self.used -= nbytes
                self.cond.notify_all()


_BUDGET = _DecodeBudget(DECODE_BUDGET)


def _to_rgb(img: Image.Image) -> Image.Image:
    mode = img.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        arr = np.array(img, dtype=np.float32)  # a writable copy: scaled in place below
        bad = int(arr.size - np.count_nonzero(np.isfinite(arr)))
        if bad:  # one inf would scale every other pixel to black; NaN has no brightness at all
            raise PoseVizInputError(f"{bad} pixel{'s' if bad != 1 else ''} of this {mode} image {'are' if bad != 1 else 'is'} "
                                    "not a number (NaN or infinite): save it with finite values, or as 8-bit PNG/JPEG")
        lo, hi = float(np.nanmin(arr)), float(np.nanmax(arr))
        # Scale by the data's own range: clipping would turn most 16-bit photos white; a float
        # image in [0, 1] is scaled by 1, not 255 (it would load black).
        if mode == "F" and hi <= 1.0:
            full = 1.0
        else:
            full = 65535.0 if mode.startswith("I;16") or hi > 255 else 255.0
        lo = 0.0 if lo >= 0 else lo
        arr -= lo
        arr *= 255.0 / max(full if hi <= full else hi - lo, 1e-12)
        np.nan_to_num(arr, copy=False)
        np.round(arr, out=arr)
        img = Image.fromarray(np.clip(arr, 0, 255, out=arr).astype(np.uint8), "L")
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
    max_decode_bytes: int = DEFAULT_MAX_DECODE_BYTES,
) -> LoadedImage:
    """Read an image safely. Raises ``PoseVizInputError`` with a message for anything unusable.

    Args:
        source: a path, raw bytes, or a file-like object (e.g. Streamlit's UploadedFile).
        max_pixels: refuse images declaring more pixels than this (decompression bombs).
        max_side: downscale so the longer side is at most this (None keeps full size); a larger JPEG is
            decoded by libjpeg at the smallest of 1/2, 1/4, 1/8 of its size that keeps this side, then resized.
        max_bytes: refuse files larger than this.
        max_decode_bytes: refuse images whose decoding would take more memory than this
            (pixels × the peak bytes per pixel measured for their mode, see ``decode_bytes``).
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
            orientation = _orientation(img)
            dw, dh = w, h
            if fmt in ("JPEG", "MPO"):
                if w * h > MAX_JPEG_PIXELS_PER_BYTE * len(data):
                    raise PoseVizInputError(
                        f"{name} declares {w}×{h} px but holds only {len(data)} bytes, far too few for that many pixels: "
                        "its data ends early (a damaged file or a forged header); Pillow would fill the rest with grey")
                scans = data.count(b"\xff\xda")  # start-of-scan markers: 0xFF inside entropy-coded data is stuffed
                if scans > MAX_JPEG_SCANS:
                    raise PoseVizInputError(f"{name} has {scans} JPEG scans (a photo has at most a few dozen): decoding "
                                            "it would take minutes; save it again as an ordinary JPEG")
                if max_side is not None and max(w, h) > max_side:
                    # libjpeg decodes straight at 1/2, 1/4 or 1/8 size: a 48-Mpx photo never exists at full size here
                    f = max_side / max(w, h)
                    img.draft(mode, (math.ceil(w * f), math.ceil(h * f)))
                    dw, dh = img.size
            progressive = fmt in ("JPEG", "MPO") and bool(img.info.get("progressive") or img.info.get("progression"))
            need = decode_bytes(mode, dw, dh, fmt, "transparency" in img.info, w * h if progressive else 0)
            if need > max_decode_bytes:
                raise PoseVizInputError(
                    f"{name} is {w}×{h} {mode} pixels: decoding it would take {need / 2**20:.0f} MB of memory, over the "
                    f"{max_decode_bytes / 2**20:.0f} MB limit; resize it or save it with 8 bits per channel first")
            original_size = (h, w) if orientation in (5, 6, 7, 8) else (w, h)  # the file's, whatever the draft decoded
            # Everything up to the final array happens inside the hold: the budget covers the whole peak.
            with _BUDGET.hold(need, name):
                img.seek(0)
                img.load()
                transposed = orientation != 1
                oriented = ImageOps.exif_transpose(img)
                rgb = np.asarray(_to_rgb(oriented), dtype=np.uint8)
                del img, oriented
                rgb, scale = _fit(rgb, original_size, max_side)
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
    return LoadedImage(
        rgb=rgb, original_size=original_size, scale=scale, format=fmt,
        mode=mode, n_frames=n_frames, exif_transposed=bool(transposed),
    )


def _fit(rgb: np.ndarray, original_size: tuple[int, int], max_side: int | None) -> tuple[np.ndarray, float]:
    """Resize to the longer side ``max_side`` (area averaging) → (contiguous pixels, processed / original size)."""
    if max_side is None or max(original_size) <= max_side:
        return np.ascontiguousarray(rgb), 1.0
    import cv2

    scale = max_side / max(original_size)
    new = (max(1, round(original_size[0] * scale)), max(1, round(original_size[1] * scale)))
    return np.ascontiguousarray(cv2.resize(rgb, new, interpolation=cv2.INTER_AREA)), new[0] / original_size[0]


def _orientation(img: Image.Image) -> int:
    """The EXIF orientation (1–8; 1 when absent or unreadable): 5–8 swap width and height."""
    try:
        value = img.getexif().get(0x0112, 1)
    except Exception:
        return 1
    return value if value in range(1, 9) else 1


# A person needs some pixels in each direction; below these a crop is all padding or blur.
MIN_SIDE = 16
MAX_ASPECT = 25.0


def check_person_photo(rgb: np.ndarray, original_size: tuple[int, int] | None = None) -> list[str]:
    """Refuse (``PoseVizInputError``) an image too small or too thin to hold a person (shorter side
    under ``MIN_SIDE`` px, or longer side over ``MAX_ASPECT`` × the shorter); return warnings for
    images that can be used but will mislead (very wide or tall, very small). ``original_size``
    (width, height) names the file's own size in messages when the image was downscaled."""
    h, w = rgb.shape[:2]
    ow, oh = original_size or (w, h)
    short, long = min(h, w), max(h, w)
    if short < MIN_SIDE or long > MAX_ASPECT * short:
        raise PoseVizInputError(f"this image is {ow}×{oh} px: too small or too thin to hold a person (PoseViz needs at "
                                f"least {MIN_SIDE} px on each side and sides within {MAX_ASPECT:g}:1)")
    warnings_ = []
    if long > 4 * short:
        warnings_.append(f"this image is {ow}×{oh} px ({long / short:.0f}:1): a whole-image box squeezes it into a square "
                         "crop; draw a box around the person instead")
    if short < 64:
        warnings_.append(f"this image is only {ow}×{oh} px: the network sees it blown up to its input size")
    return warnings_
