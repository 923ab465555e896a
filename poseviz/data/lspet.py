"""LSP Extended (10,000 people, training only): ``joints.mat`` is 14 × 3 × N with a
*visible/annotated* flag (1 = usable, 0 = not annotated: its position is meaningless).
Images are ``images/im00001.jpg`` … (five digits)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from poseviz.core.errors import PoseVizInputError
from poseviz.data.lsp import load_lsp_joints
from poseviz.data.poseset import PoseSet
from poseviz.data.root import dataset_dir

__all__ = ["load_lspet"]


def load_lspet(root: str | Path | None = None) -> PoseSet:
    """Read an LSP Extended folder (``joints.mat`` + ``images/``) into a ``PoseSet``.

    Not-annotated joints get v = 0 (zero training weight, never scored). ``root`` defaults
    to ``<data root>/lspet``.
    """
    root = Path(root) if root is not None else dataset_dir("lspet")
    if not (root / "images").is_dir():
        raise PoseVizInputError(f"no LSP Extended images folder at {root / 'images'}")
    joints = load_lsp_joints(root / "joints.mat", layout="lspet")
    paths = tuple(root / "images" / f"im{i + 1:05d}.jpg" for i in range(len(joints)))
    return PoseSet("lspet", paths, joints, np.arange(len(joints)))
