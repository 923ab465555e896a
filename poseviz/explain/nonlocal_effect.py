"""Does a trained non-local block do anything? Three measures for a model card.

- the output gate: the largest |γ| of the block's last BatchNorm (z = x + BN(W_z y)); it starts at
  0, and while it stays there the attention never reaches the prediction;
- query dependence: the mean Jensen–Shannon divergence between the attention maps of different
  queries (``attention.query_dependence``), averaged over people; near 0 means one global context
  for every position, GCNet's observation (Cao et al., ICCVW 2019); with it the maps' mean entropy
  as a share of ln N (1: every position weighed equally, a plain global average);
- what the prediction loses without it: PCK with the block silenced (its output BatchNorm set to 0,
  so z = x, exactly the block at initialisation) against PCK with it.
"""
from __future__ import annotations

import copy
from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

from poseviz.data.lsp import LSPData
from poseviz.explain.attention import entropy_share_map, output_gate, query_dependence
from poseviz.inference.top_down import run_model
from poseviz.metrics.evaluation import evaluate_lsp, lsp_crops

__all__ = ["NonLocalEffect", "silenced", "nonlocal_effect"]


@dataclass(frozen=True)
class NonLocalEffect:
    """What a model card reports about its non-local block (PCK in %, divergences in nats)."""

    output_gate: float
    query_dependence: float  # mean over people of the mean pairwise JS divergence between queries' maps
    query_dependence_people: int
    entropy_share: float  # mean entropy of a query's map over ln N: 1 = attends to every position equally
    pck_flip: float
    pck_flip_silenced: float

    def as_dict(self) -> dict:
        """Rounded for the card's JSON."""
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(self).items()}


def silenced(model: nn.Module) -> nn.Module:
    """A copy of ``model`` whose non-local block adds nothing (its output BatchNorm's γ and β set to 0)."""
    if getattr(model, "nonlocal_block", None) is None:
        raise ValueError(f"{type(model).__name__} has no non-local block")
    quiet = copy.deepcopy(model)
    bn = quiet.nonlocal_block.W_z[1]
    with torch.no_grad():
        bn.weight.zero_()
        bn.bias.zero_()
    return quiet


def nonlocal_effect(model: nn.Module, data: LSPData, indices: np.ndarray, images: list[np.ndarray] | None = None,
                    attention_people: int = 50, progress: bool = False, pck_flip: float | None = None) -> NonLocalEffect:
    """The three measures on ``indices`` of ``data`` (query dependence on the first ``attention_people``).
    ``pck_flip``: the model's flip-test PCK on those people when the caller has it already (a model card does)."""
    model.eval()
    first = np.asarray(indices)[:attention_people]
    crops = lsp_crops(model, data, first, None if images is None else images[:attention_people], False, "attention")
    divergences, shares = [], []
    with torch.inference_mode():
        for _, _, _, crop, _ in crops:
            out = run_model(model, crop[None])
            att = out.attention[0].double().numpy()
            divergences.append(query_dependence(att))
            shares.append(float(entropy_share_map(att, out.attention_hw).mean()))
    if pck_flip is None:
        pck_flip = evaluate_lsp(model, data, indices, flip=True, images=images, progress=progress).pck.mean
    without = evaluate_lsp(silenced(model), data, indices, flip=True, images=images, progress=progress)
    return NonLocalEffect(output_gate=output_gate(model.nonlocal_block), query_dependence=float(np.mean(divergences)),
                          query_dependence_people=len(divergences), entropy_share=float(np.mean(shares)), pck_flip=pck_flip,
                          pck_flip_silenced=without.pck.mean)
