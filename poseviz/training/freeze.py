"""Train only some of a network's top-level parts; freeze the rest as they were loaded.

Why: a head added to a trained network (the DensePose-style chart head on HRNet) can pull the
shared backbone towards its own task. Trained jointly on the training mix, the chart loss was
about ten times the belief-map loss and the keypoints lost 4 validation points in one epoch;
with the backbone frozen the keypoints stay exactly those of the network the run started from.

A frozen part is also kept in eval mode, so its BatchNorm running statistics stay as loaded
(``requires_grad_(False)`` alone would still let every training batch move them).
"""
from __future__ import annotations

from torch import nn

from poseviz.core.errors import PoseVizInputError

__all__ = ["parse_parts", "freeze_except", "keep_frozen_in_eval"]


def parse_parts(spec: str | None) -> tuple[str, ...]:
    """``"dense_head,u,v"`` → ``("dense_head", "u", "v")``; None or empty → () (train everything)."""
    return tuple(p.strip() for p in (spec or "").split(",") if p.strip())


def freeze_except(model: nn.Module, parts: tuple[str, ...]) -> list[str]:
    """Freeze every top-level child of ``model`` not named in ``parts``; return the frozen names.

    Refused (``PoseVizInputError``) when a name is not a top-level part of the model, listing
    the parts it has, or when ``parts`` names every part (nothing would be frozen: leave it out).
    """
    children = [n for n, _ in model.named_children()]
    unknown = [p for p in parts if p not in children]
    if unknown:
        raise PoseVizInputError(f"--train-only {', '.join(unknown)}: not a part of {type(model).__name__}; "
                                f"its parts are {', '.join(children)}")
    frozen = [n for n in children if n not in parts]
    if not frozen:
        raise PoseVizInputError("--train-only names every part of the model: leave it out to train everything")
    for name in frozen:
        getattr(model, name).requires_grad_(False)
    # Parameters held directly by the model (not in a child) are frozen too: they belong to no named part.
    for _, p in model.named_parameters(recurse=False):
        p.requires_grad_(False)
    return frozen


def keep_frozen_in_eval(model: nn.Module, frozen: list[str]) -> None:
    """After ``model.train()``: put the frozen parts back in eval mode (BatchNorm statistics fixed)."""
    for name in frozen:
        getattr(model, name).eval()
