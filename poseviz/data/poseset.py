"""``PoseSet``: the people of one training or evaluation source, in LSP-14 layout.

Every reader (LSP, LSP Extended, MPII) returns one, so training, validation and
evaluation need not know which dataset a person came from.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from poseviz.core.schemas import LSP14

__all__ = ["PoseSet", "concat"]


@dataclass(frozen=True)
class PoseSet:
    """People of one source.

    Attributes:
        name: source name ("lsp", "lspet", "mpii"; a concatenation joins them with "+").
        paths: image file of each person (one person per image).
        joints: [N, 14, 3] LSP-14 (x, y, v) in image pixels (0-based pixel centres);
            v = 0 not annotated (no usable position), 1 annotated but occluded, 2 visible.
        ids: [N] the person's index in its own source (0-based), for reports and splits.
    """

    name: str
    paths: tuple[Path, ...]
    joints: np.ndarray
    ids: np.ndarray

    def __post_init__(self) -> None:
        if self.joints.shape != (len(self.paths), LSP14.num_joints, 3) or len(self.ids) != len(self.paths):
            raise ValueError(f"{self.name}: {len(self.paths)} paths, joints {self.joints.shape}, {len(self.ids)} ids")

    def image_path(self, index: int) -> Path:
        """Image of person ``index`` (0-based)."""
        return self.paths[index]

    def __len__(self) -> int:
        return len(self.paths)

    def subset(self, indices: np.ndarray) -> PoseSet:
        """The people at ``indices`` (0-based positions in this set)."""
        idx = np.asarray(indices, dtype=np.int64)
        return PoseSet(self.name, tuple(self.paths[i] for i in idx), self.joints[idx], self.ids[idx])


def concat(sets: list[PoseSet]) -> PoseSet:
    """One set holding the people of ``sets`` in order."""
    return PoseSet(
        "+".join(s.name for s in sets),
        tuple(p for s in sets for p in s.paths),
        np.concatenate([s.joints for s in sets]) if sets else np.zeros((0, LSP14.num_joints, 3)),
        np.concatenate([s.ids for s in sets]) if sets else np.zeros(0, dtype=np.int64),
    )
