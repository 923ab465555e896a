"""The training mix (LSP 1–1000 + LSP Extended + MPII) and the validation split carved from it.

Validation: 300 LSP Extended and 200 MPII people, drawn once with a fixed seed
(``VALIDATION_SEED``) among the people whose torso (LSP Extended) or head (MPII) is
annotated, so every one can be scored. They never enter training. LSP images
1001–2000 (the test split) are in neither set: they are kept for the final figures.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from poseviz.core.errors import PoseVizInputError
from poseviz.data.lsp import load_lsp, lsp_split
from poseviz.data.lspet import load_lspet
from poseviz.data.mpii import load_mpii
from poseviz.data.poseset import PoseSet
from poseviz.data.root import data_root
from poseviz.metrics.pck import lsp_head_size, lsp_torso_size

__all__ = ["SOURCES", "VALIDATION_SIZES", "VALIDATION_SEED", "DEFAULT_MIX", "parse_mix", "Split", "load_split",
           "validation_indices", "sampling_weights"]

SOURCES = ("lsp", "lspet", "mpii")
VALIDATION_SIZES = {"lspet": 300, "mpii": 200}
VALIDATION_SEED = 20261128
# Share of each epoch's draws per source. LSP Extended is the largest but noisiest (Mechanical
# Turk labels), LSP is the test domain, MPII the only everyday-activity source.
DEFAULT_MIX = "lsp:1,lspet:2,mpii:1"


def parse_mix(spec: str) -> dict[str, float]:
    """``"lsp:1,lspet:2,mpii:1"`` → {source: weight}; weights ≥ 0, at least one > 0."""
    weights: dict[str, float] = {}
    for part in spec.split(","):
        name, _, value = part.strip().partition(":")
        if name not in SOURCES:
            raise PoseVizInputError(f"unknown training source {name!r} in --mix; sources: {', '.join(SOURCES)}")
        try:
            w = float(value) if value else 1.0
        except ValueError:
            raise PoseVizInputError(f"--mix: weight of {name} must be a number, got {value!r}") from None
        if not np.isfinite(w) or w < 0:
            raise PoseVizInputError(f"--mix: weight of {name} must be a finite number ≥ 0, got {value}")
        weights[name] = w
    if not any(w > 0 for w in weights.values()):
        raise PoseVizInputError("--mix: at least one source needs a weight above 0")
    return weights


def validation_indices(source: PoseSet, n: int, seed: int = VALIDATION_SEED) -> np.ndarray:
    """Fixed, sorted positions of ``n`` scoreable people of ``source`` (torso for LSP Extended, head for MPII)."""
    norm = lsp_head_size(source.joints) if source.name == "mpii" else lsp_torso_size(source.joints)
    ok = np.flatnonzero(norm > 0)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(ok, size=min(n, len(ok)), replace=False))


@dataclass(frozen=True)
class Split:
    """Training people per source and validation people per source (disjoint)."""

    train: dict[str, PoseSet]
    validation: dict[str, PoseSet]


def _load(name: str, root: Path) -> PoseSet:
    if name == "lsp":
        data = load_lsp(root / "lsp")
        return data.to_poseset(lsp_split("train", len(data)))
    if name == "lspet":
        return load_lspet(root / "lspet")
    return load_mpii(root / "mpii")


def load_split(mix: dict[str, float], root: str | Path | None = None, validation: bool = True) -> Split:
    """Load the mix's sources from the data root and carve the validation people out of them.

    LSP contributes only images 1–1000. Validation is always LSP Extended + MPII (when
    ``validation``), whatever their training weights, so runs with different mixes are
    selected on the same people.
    """
    root = data_root(root)
    names = [n for n in SOURCES if mix.get(n, 0) > 0 or (validation and n in VALIDATION_SIZES)]
    train, val = {}, {}
    for name in names:
        people = _load(name, root)
        keep = np.ones(len(people), dtype=bool)
        if validation and name in VALIDATION_SIZES:
            v = validation_indices(people, VALIDATION_SIZES[name])
            val[name] = people.subset(v)
            keep[v] = False
        if mix.get(name, 0) > 0:
            train[name] = people.subset(np.flatnonzero(keep))
    return Split(train=train, validation=val)


def sampling_weights(train: dict[str, PoseSet], mix: dict[str, float]) -> np.ndarray:
    """Per-person draw probability [N] (sources concatenated in ``train``'s order) so that each
    source's share of the draws is its mix weight over the total."""
    total = sum(mix[n] for n in train)
    parts = [np.full(len(s), mix[n] / total / max(len(s), 1)) for n, s in train.items()]
    return np.concatenate(parts) if parts else np.zeros(0)
