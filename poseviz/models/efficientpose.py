"""EfficientPose RT and I (Groos, Ramampiaro & Ihlen, Applied Intelligence 2021): the authors' networks, every pass.

The graph of each variant is the authors' (``poseviz/models/graphs/efficientpose_<variant>.json``, read from their
Keras files by ``scripts/convert_efficientpose.py``) and runs in ``KerasGraph``; the weights are theirs, trained on
MPII (``assets/efficientpose_<variant>.safetensors``, Apache-2.0, provenance in ``assets/THIRD_PARTY.md``).

The passes, as the explorer shows them: pass 1 predicts "skeleton" part affinity fields (28 channels at 1/8 of the
input, in ``PoseOutput.pafs``); passes 2 and 3 predict belief maps at 1/8, each with its own loss in training
(intermediate supervision, as in CPM and OpenPose); three transposed convolutions upsample pass 3 ×8 to the input's
resolution, the prediction. To stack with it, passes 2 and 3 are shown bilinearly enlarged ×8 (their names say so).
Channels are re-ordered from the authors' joint order to ``MPII16``'s.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from poseviz.models.keras_graph import KerasGraph
from poseviz.models.output import PoseOutput
from poseviz.models.registry import register_model

__all__ = ["EfficientPoseConfig", "EfficientPose", "VARIANTS", "AUTHORS_JOINTS", "graph_path", "SKELETON_PAF_LIMBS",
           "skeleton_paf_labels"]

GRAPHS = Path(__file__).resolve().parent / "graphs"
VARIANTS = {"rt": 224, "i": 256}  # input side in px
# The authors' output channels (their README); MPII16 orders the same joints differently.
AUTHORS_JOINTS = ("head_top", "upper_neck", "right_shoulder", "right_elbow", "right_wrist", "thorax", "left_shoulder",
                  "left_elbow", "left_wrist", "pelvis", "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee",
                  "left_ankle")
# Crop = detector box × 1.11 × 1.22 ≈ × 1.35. On the validation people with detector boxes (RT, no flip), crops of
# × 1.15 / 1.25 / 1.35 / 1.45 scored a mean 63.6 / 64.8 / 65.3 / 64.5 (benchmarks/efficientpose_framing.py).
CROP_CONTEXT = 1.22
# Which limb each of pass 1's 14 (x, y) channel pairs encodes, as (from, to) MPII16 joints; the authors do not
# publish the layout. Measured on the bundled photos: the mean dot product of each pair's field, sampled along the
# segment between two predicted joints, with that segment's unit vector, is largest (0.24–0.60) for the limb named
# here, and its sign gives the direction; the 8th pair aligns with no joint pair (|mean| < 0.06), so it is left
# unnamed. Direction cannot tell the neck's two joints apart (upper neck and thorax lie on one line): where a limb
# starts at the neck the better aligned is named. ``tests/test_efficientpose.py`` re-measures it.
SKELETON_PAF_LIMBS = (("head_top", "upper_neck"), ("upper_neck", "right_shoulder"), ("right_shoulder", "right_elbow"),
                      ("right_elbow", "right_wrist"), ("upper_neck", "left_shoulder"), ("left_shoulder", "left_elbow"),
                      ("left_elbow", "left_wrist"), None, ("thorax", "right_hip"), ("right_hip", "right_knee"),
                      ("right_knee", "right_ankle"), ("thorax", "left_hip"), ("left_hip", "left_knee"),
                      ("left_knee", "left_ankle"))


def skeleton_paf_labels() -> list[str]:
    """A label for each of pass 1's channel pairs, in channel order (pair k: channels 2k (x) and 2k + 1 (y))."""
    return [f"{a.replace('_', ' ')} → {b.replace('_', ' ')}" if limb else f"pair {k + 1} (limb not identified)"
            for k, limb in enumerate(SKELETON_PAF_LIMBS) for a, b in [limb or ("", "")]]


STAGE_NAMES = ("pass 2 (1/8 resolution, shown ×8)", "pass 3 (1/8 resolution, shown ×8)", "output: pass 3 upsampled ×8")


@dataclass(frozen=True)
class EfficientPoseConfig:
    """``variant``: "rt" (224 px) or "i" (256 px); input size and schema follow from it."""

    variant: str = "rt"
    input_size: tuple[int, int] = (224, 224)  # (W, H)
    schema: str = "mpii16"
    num_joints: int = 16
    crop_context: float = CROP_CONTEXT  # its crops are cut this much wider than this project's networks'


def graph_path(variant: str) -> Path:
    return GRAPHS / f"efficientpose_{variant}.json"


@lru_cache(maxsize=4)
def _graph(variant: str) -> tuple[list[dict], list[str]]:
    doc = json.loads(graph_path(variant).read_text(encoding="utf-8"))
    return doc["nodes"], doc["outputs"]


class EfficientPose(nn.Module):
    """EfficientPose with every pass in its ``PoseOutput`` (see the module docstring)."""

    heads: frozenset[str] = frozenset({"skeleton_pafs"})  # one person's skeleton: shown, never grouped bottom-up
    stride = 1  # the final maps are at the input's resolution

    def __init__(self, config: EfficientPoseConfig):
        super().__init__()
        if config.variant not in VARIANTS:
            raise ValueError(f"unknown EfficientPose variant {config.variant!r}; known: {', '.join(VARIANTS)}")
        self.config = config
        nodes, outputs = _graph(config.variant)
        self.net = KerasGraph(nodes, outputs)
        self._pafs, self._pass2, self._pass3, self._final = outputs
        from poseviz.core.schemas import get_schema

        self.stage_names = list(STAGE_NAMES)  # the outputs of passes 2, 3 and the upsampling, in order
        order = get_schema(config.schema).joints
        self.register_buffer("joint_order", torch.tensor([AUTHORS_JOINTS.index(j) for j in order]), persistent=False)

    def forward(self, x: torch.Tensor) -> PoseOutput:
        out = self.net(x)
        final = out[self._final]
        size = final.shape[-2:]
        stages = [F.interpolate(out[self._pass2], size=size, mode="bilinear", align_corners=False),
                  F.interpolate(out[self._pass3], size=size, mode="bilinear", align_corners=False), final]
        return PoseOutput(stages=[s[:, self.joint_order] for s in stages], stage_names=list(STAGE_NAMES),
                          pafs=[out[self._pafs]])


@register_model
def efficientpose(**kwargs) -> EfficientPose:
    """EfficientPose RT or I; keyword arguments override ``EfficientPoseConfig`` fields."""
    variant = kwargs.get("variant", "rt")
    side = VARIANTS.get(variant, 224)
    kwargs.setdefault("input_size", (side, side))
    return EfficientPose(EfficientPoseConfig(**kwargs))
