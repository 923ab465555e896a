"""Leeds Sports Pose: the ``joints.mat`` layout of the public release.

``joints`` has shape 3 × 14 × N: row 0 = x, row 1 = y (0-based pixels), row 2 = 1 where
the joint is occluded. PoseViz turns that into COCO-style visibilities: 2 = visible,
1 = labelled but occluded (every LSP joint is labelled).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.io

from ..errors import PoseVizInputError

__all__ = ["LSPData", "load_lsp_joints", "load_lsp", "lsp_split", "default_lsp_root"]

NUM_JOINTS = 14


@dataclass(frozen=True)
class LSPData:
    """LSP annotations. ``joints`` is [N, 14, 3] (x, y, v) with v ∈ {1 occluded, 2 visible}."""

    root: Path
    joints: np.ndarray

    def image_path(self, index: int) -> Path:
        """Path of image ``index`` (0-based; im0001.jpg is index 0)."""
        return self.root / "images" / f"im{index + 1:04d}.jpg"

    def __len__(self) -> int:
        return len(self.joints)


def load_lsp_joints(path: str | Path) -> np.ndarray:
    """Read an LSP ``joints.mat`` → [N, 14, 3] float64 (x, y, COCO visibility).

    Accepts the release's 3 × 14 × N layout (and LSP-extended's 14 × 3 × N). Raises
    ``PoseVizInputError`` naming the problem for a missing file, a missing key, a wrong
    shape or non-finite coordinates.
    """
    path = Path(path)
    if not path.is_file():
        raise PoseVizInputError(f"LSP joints file not found: {path}")
    try:
        mat = scipy.io.loadmat(str(path))
    except Exception as exc:  # scipy raises many types for corrupt files
        raise PoseVizInputError(f"{path.name} is not a readable MATLAB file: {exc}") from None
    if "joints" not in mat:
        raise PoseVizInputError(f"{path.name} has no 'joints' array (found: {', '.join(k for k in mat if not k.startswith('__'))})")
    j = np.asarray(mat["joints"])
    if not np.issubdtype(j.dtype, np.number):
        raise PoseVizInputError(f"{path.name}: 'joints' must be numeric, got {j.dtype}")
    if j.ndim == 3 and j.shape[:2] == (3, NUM_JOINTS):
        xy, flag = j[:2].transpose(2, 1, 0), j[2].T
        occluded = flag > 0.5
    elif j.ndim == 3 and j.shape[:2] == (NUM_JOINTS, 3):
        # LSP-extended stores a visibility flag (1 = visible) instead of an occlusion flag.
        xy, flag = j[:, :2].transpose(2, 0, 1), j[:, 2].T
        occluded = flag < 0.5
    else:
        raise PoseVizInputError(f"{path.name}: 'joints' must have shape 3×14×N, got {'×'.join(map(str, j.shape))}")
    xy = xy.astype(np.float64)
    bad = ~np.isfinite(xy).all(-1)
    if bad.any():
        n, k = np.argwhere(bad)[0]
        raise PoseVizInputError(f"{path.name}: image {n + 1}, joint {k} has a non-finite coordinate")
    vis = np.where(occluded, 1.0, 2.0)
    return np.concatenate([xy, vis[..., None]], -1)


def default_lsp_root() -> Path:
    """``../shared/data/lsp`` relative to the project root (the development data)."""
    return Path(__file__).resolve().parents[2].parent / "shared" / "data" / "lsp"


def load_lsp(root: str | Path | None = None) -> LSPData:
    """Load an LSP folder holding ``joints.mat`` and ``images/``."""
    root = Path(root) if root is not None else default_lsp_root()
    if not (root / "images").is_dir():
        raise PoseVizInputError(f"no LSP images folder at {root / 'images'}")
    return LSPData(root=root, joints=load_lsp_joints(root / "joints.mat"))


def lsp_split(split: str, n: int = 2000) -> np.ndarray:
    """0-based indices of the standard split: "train" = images 1–1000, "test" = 1001–2000."""
    if split == "train":
        return np.arange(0, min(1000, n))
    if split == "test":
        return np.arange(1000, min(2000, n))
    raise PoseVizInputError(f"unknown LSP split {split!r}; use 'train' or 'test'")


def joints_box(joints: np.ndarray) -> tuple[float, float, float, float]:
    """Tight box (x, y, w, h) around the labelled joints [K, 3], at least 1 px on a side."""
    lab = joints[joints[:, 2] > 0, :2]
    x0, y0 = lab.min(0)
    x1, y1 = lab.max(0)
    return float(x0), float(y0), float(max(x1 - x0, 1.0)), float(max(y1 - y0, 1.0))
