"""Does intermediate supervision replenish the gradient? CPM's argument (Wei et al., CVPR 2016, §3.3 and Fig. 5),
measured: the gradient that reaches each stage's parameters from one batch when every stage has a loss, against a
loss on the last stage only — the same network, batch and targets; only the loss changes."""
from __future__ import annotations

import numpy as np
import torch

from poseviz.models import zoo
from poseviz.models.cpm import CPM
from poseviz.training.dataset import LSPPoseDataset
from poseviz.training.loop import stage_losses

__all__ = ["LOSSES", "stage_gradient_norms"]

LOSSES = ("every stage (intermediate supervision)", "last stage only")


def _groups(model: CPM) -> dict[str, list[torch.nn.Parameter]]:
    groups = {"stage 1": list(model.stage1.parameters())}
    for i, stage in enumerate(model.stages, start=2):
        groups[f"stage {i}"] = list(stage.parameters())
    return groups


def stage_gradient_norms(name: str, data, people: np.ndarray, trained: bool = False, seed: int = 0) -> list[dict]:
    """Root-mean-square gradient of each stage's parameters for each loss in ``LOSSES``, from one batch of ``people``
    (ground-truth crops, no augmentation). ``trained``: the shipped weights; else a fresh initialisation (``seed``),
    where CPM saw the gradient vanish. Only CPM-style networks (a chain of stages) are measured."""
    torch.manual_seed(seed)
    model = zoo.build(name)
    if not isinstance(model, CPM):
        raise ValueError(f"{name} is not a chain of CPM stages")
    if trained:
        from poseviz.models.pretrained import load_pretrained

        model = load_pretrained(name)
    model.train()  # BatchNorm as in training, on this batch's statistics
    w, h = model.config.input_size
    batch = torch.utils.data.default_collate(list(LSPPoseDataset(data, people, (w, h), model.stride)))
    joint_weights = torch.ones(batch["targets"].shape[1])
    rows = []
    for loss_name in LOSSES:
        model.zero_grad()
        losses = stage_losses(model(batch["image"]).stages, batch["targets"], batch["weights"], joint_weights)
        (losses.sum() if loss_name == LOSSES[0] else losses[-1]).backward()
        for group, params in _groups(model).items():
            grads = torch.cat([p.grad.flatten() for p in params if p.grad is not None])
            rows.append({"loss": loss_name, "parameters of": group, "RMS gradient": float(grads.pow(2).mean().sqrt())})
    model.eval()
    return rows
