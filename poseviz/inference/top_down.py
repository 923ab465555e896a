"""Top-down inference: crop a person, run a model (optionally with flip test), decode, map back."""
from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from poseviz.core.geometry import DEFAULT_ENLARGE, PIXEL_STD, CropTransform, box_to_center_scale, check_box, crop_transform, warp_crop
from poseviz.core.heatmaps import decode, flip_heatmaps, heatmap_to_input
from poseviz.core.preprocess import to_tensor
from poseviz.core.schemas import KeypointSchema, get_schema
from poseviz.models import PoseOutput

__all__ = ["Prediction", "model_schema", "model_input_size", "crop_context", "model_crop", "run_model", "predict_person",
           "predict_crop", "DEFAULT_ENLARGE"]



@dataclass(frozen=True)
class Prediction:
    """One person's result.

    keypoints [K, 3]: (x, y) in original image pixels and the peak belief (score).
    output: every stage's belief maps for the crop (after flip averaging if used).
    crop: the RGB crop the network saw; transform: image ↔ crop.
    """

    keypoints: np.ndarray
    output: PoseOutput
    crop: np.ndarray
    transform: CropTransform
    schema: KeypointSchema
    latency_ms: float = float("nan")  # network + decoding, when measured (the app shows it)

    @property
    def score(self) -> float:
        return float(self.keypoints[:, 2].mean())

    @property
    def stage_names(self) -> list[str]:
        return list(self.output.stage_names)

    @functools.cached_property
    def stage_maps(self) -> np.ndarray:
        """Every stage's belief maps of this person as one array [S, K, h, w]."""
        return np.stack([s[0].detach().cpu().numpy() for s in self.output.stages])

    def photo_view(self, image: np.ndarray, max_side: int = 512) -> np.ndarray:
        """The crop's region of the original ``image`` at the photo's own resolution (the network saw it
        downsampled to its input size), at most ``max_side`` px: the same transform at a larger output size."""
        t = self.transform
        w, h = t.output_size
        native = float(t.scale[0]) * PIXEL_STD / w  # photo px per crop px
        f = min(max(native, 1.0), max_side / max(w, h))
        return warp_crop(image, crop_transform(t.center, t.scale, (round(w * f), round(h * f)), t.rotation))

    @property
    def stride(self) -> float:
        """Crop pixels per belief-map cell."""
        return self.crop.shape[1] / self.output.stages[-1].shape[-1]

    @property
    def attention_map(self) -> np.ndarray | None:
        """The non-local block's attention [N, N] (rows = queries), or None."""
        return None if self.output.attention is None else self.output.attention[0].detach().cpu().numpy()

    @property
    def charts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """DensePose-style charts (I [h, w] part index, U, V), or None."""
        return None if self.output.dense is None else tuple(a[0].detach().cpu().numpy() for a in self.output.dense.charts())

    def without_features(self) -> "Prediction":
        """The same prediction without the intermediate feature maps (small to cache and copy)."""
        return dataclasses.replace(self, output=dataclasses.replace(self.output, features={}))


def model_schema(model: nn.Module) -> KeypointSchema:
    return get_schema(model.config.schema)


def model_input_size(model: nn.Module) -> tuple[int, int]:
    return tuple(model.config.input_size)


def crop_context(model: nn.Module) -> float:
    """How much wider than this project's training crops (a box × ``DEFAULT_ENLARGE``) ``model`` wants its crop:
    1 for the networks trained here; a published network's own framing otherwise (``config.crop_context``)."""
    return float(getattr(model.config, "crop_context", 1.0))


def model_crop(model: nn.Module, box: tuple[float, float, float, float],
               enlarge: float = DEFAULT_ENLARGE) -> tuple[np.ndarray, np.ndarray]:
    """(centre, scale) of the crop ``model`` sees of a person ``box`` (x, y, w, h): the box enlarged by ``enlarge``
    at the model's aspect, widened by its ``crop_context``. Every caller that frames a person for a model uses this."""
    w, h = model_input_size(model)
    return box_to_center_scale(box, w / h, enlarge * crop_context(model))


@torch.inference_mode()
def run_model(model: nn.Module, crops: np.ndarray, flip: bool = False) -> PoseOutput:
    """Run ``model`` on RGB uint8 crops [B, H, W, 3]; with ``flip`` average every stage with the mirrored input."""
    x = to_tensor(crops)
    out = model(x)
    if not flip:
        return out
    perm = model_schema(model).flip_permutation()
    out_f = model(x.flip(-1))
    stages = [0.5 * (a + flip_heatmaps(b, perm)) for a, b in zip(out.stages, out_f.stages)]
    # PAFs and charts are not flip-averaged (mirroring them needs limb and part swaps).
    return PoseOutput(stages=stages, stage_names=out.stage_names, features=out.features,
                      attention=out.attention, attention_hw=out.attention_hw, pafs=out.pafs, dense=out.dense)


def keypoints_from_heatmaps(
    heatmaps: np.ndarray, transforms: list[CropTransform], stride: float, method: str = "dark"
) -> np.ndarray:
    """Belief maps [B, K, H, W] → keypoints [B, K, 3] in image pixels (x, y, peak)."""
    coords, maxvals = decode(heatmaps, method=method, dark_blur_kernel=3 if method == "dark" else 0)
    crop_xy = heatmap_to_input(coords, stride)
    out = np.zeros(coords.shape[:2] + (3,))
    for b, t in enumerate(transforms):
        out[b, :, :2] = t.to_image(crop_xy[b])
    out[..., 2] = maxvals
    return out


def predict_person(
    model: nn.Module,
    image: np.ndarray,
    box: tuple[float, float, float, float],
    flip: bool = False,
    method: str = "dark",
    enlarge: float = DEFAULT_ENLARGE,
) -> Prediction:
    """Predict one person's keypoints in ``image`` (RGB uint8) from its box (x, y, w, h) in pixels."""
    box = check_box(box, image.shape[1], image.shape[0])
    center, scale = model_crop(model, box, enlarge)
    t = crop_transform(center, scale, model_input_size(model))
    return predict_crop(model, warp_crop(image, t), t, flip, method)


def predict_crop(model: nn.Module, crop: np.ndarray, transform: CropTransform, flip: bool = False,
                 method: str = "dark") -> Prediction:
    """Predict from a crop (RGB uint8, the model's input size) already cut from an image with ``transform``;
    keypoints come back in that image's pixels. Re-running a stored crop reproduces its prediction exactly."""
    out = run_model(model, crop[None], flip=flip)
    stride = crop.shape[1] / out.heatmaps.shape[-1]
    kp = keypoints_from_heatmaps(out.heatmaps.numpy(), [transform], stride, method)[0]
    return Prediction(keypoints=kp, output=out, crop=crop, transform=transform, schema=model_schema(model))
