"""Knowledge distillation for belief maps (Zhang et al., "Fast Human Pose Estimation", CVPR 2019).

A trained teacher sees the same augmented batch as the student; the student's belief maps
are then regressed to a blend of the Gaussian ground truth and the teacher's maps.
Because both losses are squared errors, ``α·‖s − T‖² + (1 − α)·‖s − G‖²`` equals
``‖s − (αT + (1 − α)G)‖²`` up to a constant, so blending the targets is the paper's
two-term loss and every stage of the student keeps its intermediate supervision.
"""
from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from poseviz.core.errors import PoseVizInputError
from poseviz.models import zoo
from poseviz.models.pretrained import load_pretrained

__all__ = ["load_teacher", "distilled_targets"]


def load_teacher(name: str, weights: str | Path | None, student: nn.Module) -> nn.Module:
    """A frozen zoo model (shipped weights unless ``weights`` is given) in eval mode.

    Refused when its input size or joint set differs from the student's: the teacher
    must see the very crop the student is trained on and predict the same joints.
    """
    if name not in zoo.ZOO:
        raise PoseVizInputError(f"unknown teacher {name!r}; choose one of {', '.join(sorted(zoo.ZOO))}")
    teacher = load_pretrained(name, weights)
    tc, sc = teacher.config, student.config
    if tuple(tc.input_size) != tuple(sc.input_size) or tc.num_joints != sc.num_joints:
        raise PoseVizInputError(
            f"teacher {name} takes {tuple(tc.input_size)} crops with {tc.num_joints} joints, the student "
            f"{tuple(sc.input_size)} with {sc.num_joints}; distillation needs both to match")
    return teacher.requires_grad_(False)  # load_pretrained already returns it in eval mode


@torch.no_grad()
def distilled_targets(teacher: nn.Module, images: torch.Tensor, targets: torch.Tensor, alpha: float) -> torch.Tensor:
    """``alpha`` × the teacher's final belief maps + (1 − ``alpha``) × ``targets`` ([B, K, H, W]).

    The teacher's maps are resized bilinearly when its stride differs from the student's.
    """
    if not 0.0 <= alpha <= 1.0:
        raise PoseVizInputError(f"distillation weight must lie in [0, 1], got {alpha}")
    if alpha == 0.0:
        return targets
    maps = teacher(images).heatmaps.float()
    if maps.shape[-2:] != targets.shape[-2:]:
        maps = F.interpolate(maps, size=targets.shape[-2:], mode="bilinear", align_corners=False)
    return alpha * maps.to(targets.device) + (1.0 - alpha) * targets
