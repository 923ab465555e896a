"""Training augmentation: random scale/rotation/flip of the crop, half-body crops, colour jitter, occluders."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from poseviz.core.schemas import LSP14, joints_of

__all__ = ["AugmentConfig", "sample_affine", "user_box", "color_jitter", "add_occluders", "half_body_joints", "UPPER_BODY", "LOWER_BODY"]

UPPER_BODY = joints_of(LSP14.joints, "arms", "head")
LOWER_BODY = joints_of(LSP14.joints, "legs")


@dataclass(frozen=True)
class AugmentConfig:
    """Ranges of the random augmentation (the issue's defaults)."""

    rotation: float = 30.0  # degrees, uniform in ±rotation
    rotation_prob: float = 0.6
    scale: float = 0.25  # scale factor uniform in 1 ± scale
    flip_prob: float = 0.5
    brightness: float = 0.3
    contrast: float = 0.3
    saturation: float = 0.3
    occluder_prob: float = 0.5
    max_occluders: int = 2
    shift: float = 0.05  # fraction of the box, uniform
    # Half-body crops (HRNet's recipe: probability 0.3, people with more than 8 labelled joints,
    # the box of the upper or the lower body's joints enlarged 1.5×). LSP, LSPET and MPII people
    # are nearly all whole; photos, webcams and COCO's boxes often hold half a person.
    half_body_prob: float = 0.3
    half_body_min_joints: int = 9
    half_body_enlarge: float = 1.5
    # Crops cut like a user's or the detector's box, not the joints' (issue 38: given MPII's own person box,
    # hrnet_lsp scored 47.5 % PCKh, 65.8 % with that box shrunk to 0.6×). With probability ``user_box_prob`` the
    # crop is cut from the detector's box for this person (``detector_box_prob`` of those, when it found them)
    # or from the joints' crop box scaled log-uniformly in ``box_scale``, shifted by up to ``box_shift`` of its
    # size and with its aspect ratio jittered log-uniformly within ×/÷ (1 + ``box_aspect``).
    user_box_prob: float = 0.0
    box_scale: tuple[float, float] = (0.6, 1.6)
    box_shift: float = 0.15
    box_aspect: float = 0.25
    detector_box_prob: float = 0.5


def sample_affine(rng: np.random.Generator, cfg: AugmentConfig) -> tuple[float, float, bool, np.ndarray]:
    """Draw (scale factor, rotation in degrees, flip?, centre shift as a fraction of box)."""
    s = float(rng.uniform(1 - cfg.scale, 1 + cfg.scale))
    r = float(rng.uniform(-cfg.rotation, cfg.rotation)) if rng.random() < cfg.rotation_prob else 0.0
    flip = bool(rng.random() < cfg.flip_prob)
    shift = rng.uniform(-cfg.shift, cfg.shift, size=2)
    return s, r, flip, shift


def color_jitter(img: np.ndarray, rng: np.random.Generator, cfg: AugmentConfig) -> np.ndarray:
    """Random brightness, contrast and saturation on an RGB uint8 image."""
    x = img.astype(np.float32)
    x *= rng.uniform(1 - cfg.brightness, 1 + cfg.brightness)
    mean = x.mean()
    x = (x - mean) * rng.uniform(1 - cfg.contrast, 1 + cfg.contrast) + mean
    gray = x.mean(-1, keepdims=True)
    x = (x - gray) * rng.uniform(1 - cfg.saturation, 1 + cfg.saturation) + gray
    return np.clip(x, 0, 255).astype(np.uint8)


def add_occluders(img: np.ndarray, rng: np.random.Generator, cfg: AugmentConfig) -> np.ndarray:
    """Paste up to ``max_occluders`` random rectangles (flat colour or noise) into the crop.

    Teaches the network to infer hidden joints from context, the failure mode the
    occlusion explorer studies.
    """
    if rng.random() >= cfg.occluder_prob:
        return img
    out = img.copy()
    h, w = img.shape[:2]
    for _ in range(int(rng.integers(1, cfg.max_occluders + 1))):
        ow = int(rng.uniform(0.1, 0.3) * w)
        oh = int(rng.uniform(0.1, 0.3) * h)
        x0 = int(rng.integers(0, max(w - ow, 1)))
        y0 = int(rng.integers(0, max(h - oh, 1)))
        if rng.random() < 0.5:
            patch = rng.integers(0, 256, size=(oh, ow, 3), dtype=np.uint8)
        else:
            patch = np.broadcast_to(rng.integers(0, 256, size=3, dtype=np.uint8), (oh, ow, 3))
        out[y0 : y0 + oh, x0 : x0 + ow] = patch
    return out


def half_body_joints(joints: np.ndarray, rng: np.random.Generator, cfg: AugmentConfig) -> np.ndarray | None:
    """With probability ``half_body_prob``, the joints [K, 3] with only the upper body's (or, half
    the time or when the upper body has under 3 labelled joints, the lower body's) left labelled:
    the crop box is then made around them. None: crop the whole person."""
    labelled = joints[:, 2] > 0
    if labelled.sum() < cfg.half_body_min_joints or rng.random() >= cfg.half_body_prob:
        return None
    upper = [i for i in UPPER_BODY if labelled[i]]
    lower = [i for i in LOWER_BODY if labelled[i]]
    chosen = upper if (rng.random() < 0.5 and len(upper) > 2) or len(lower) < 3 else lower
    if len(chosen) < 2:
        return None
    out = joints.copy()
    out[:, 2] = 0
    out[chosen, 2] = joints[chosen, 2]
    return out


def user_box(box: tuple[float, float, float, float], rng: np.random.Generator, cfg: AugmentConfig) -> tuple[float, float, float, float]:
    """A box (x, y, w, h) a user might draw around a person whose crop box is ``box``: scaled log-uniformly in
    ``cfg.box_scale`` about its centre, its aspect ratio jittered, its centre shifted by up to ``cfg.box_shift``."""
    x, y, w, h = box
    s = float(np.exp(rng.uniform(np.log(cfg.box_scale[0]), np.log(cfg.box_scale[1]))))
    a = float(np.exp(rng.uniform(-np.log1p(cfg.box_aspect), np.log1p(cfg.box_aspect))))
    nw, nh = w * s * np.sqrt(a), h * s / np.sqrt(a)
    cx, cy = x + w / 2 + rng.uniform(-cfg.box_shift, cfg.box_shift) * nw, y + h / 2 + rng.uniform(-cfg.box_shift, cfg.box_shift) * nh
    return float(cx - nw / 2), float(cy - nh / 2), float(nw), float(nh)
