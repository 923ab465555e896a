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

from poseviz.core.errors import PoseVizInputError
from poseviz.data.poseset import PoseSet
from poseviz.data.root import dataset_dir

__all__ = ["LSPData", "load_lsp_joints", "load_lsp", "lsp_split", "default_lsp_root", "lsp_ground_truth"]

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

    def to_poseset(self, indices: np.ndarray) -> PoseSet:
        """The people at ``indices`` (0-based image numbers) as a ``PoseSet`` named "lsp"."""
        idx = np.asarray(indices, dtype=np.int64)
        return PoseSet("lsp", tuple(self.image_path(int(i)) for i in idx), self.joints[idx], idx)


def load_lsp_joints(path: str | Path, layout: str = "auto") -> np.ndarray:
    """Read an LSP ``joints.mat`` → [N, 14, 3] float64 (x, y, COCO visibility).

    ``layout``: "lsp" = 3 × 14 × N with an *occluded* flag (every joint annotated: v 1 or 2);
    "lspet" = LSP Extended's 14 × 3 × N with a *visible/annotated* flag (flag 0 = not
    annotated → v = 0, its coordinates unusable; flag 1 → v = 2); "auto" tells them apart
    by shape. Raises ``PoseVizInputError`` naming the problem for a missing file, a missing
    key, a layout other than the one asked for, or non-finite coordinates of annotated joints.
    """
    if layout not in ("auto", "lsp", "lspet"):
        raise ValueError(f"unknown joints.mat layout {layout!r}")
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
    shape = "×".join(map(str, j.shape))
    is_lsp = j.ndim == 3 and j.shape[:2] == (3, NUM_JOINTS)
    is_lspet = j.ndim == 3 and j.shape[:2] == (NUM_JOINTS, 3)
    if layout == "lsp" and not is_lsp:
        raise PoseVizInputError(f"{path.name}: LSP's 'joints' must be 3×14×N, got {shape}"
                                + (" (this is LSP Extended's 14×3×N layout)" if is_lspet else ""))
    if layout == "lspet" and not is_lspet:
        raise PoseVizInputError(f"{path.name}: LSP Extended's 'joints' must be 14×3×N, got {shape}"
                                + (" (this is LSP's 3×14×N layout)" if is_lsp else ""))
    if is_lsp:
        xy, flag = j[:2].transpose(2, 1, 0), j[2].T
        vis = np.where(flag > 0.5, 1.0, 2.0)
    elif is_lspet:
        xy, flag = j[:, :2].transpose(2, 0, 1), j[:, 2].T
        vis = np.where(flag > 0.5, 2.0, 0.0)
    else:
        raise PoseVizInputError(f"{path.name}: 'joints' must have shape 3×14×N (LSP) or 14×3×N (LSP Extended), got {shape}")
    xy = xy.astype(np.float64)
    bad = ~np.isfinite(xy).all(-1) & (vis > 0)
    if bad.any():
        n, k = np.argwhere(bad)[0]
        raise PoseVizInputError(f"{path.name}: image {n + 1}, joint {k} has a non-finite coordinate")
    xy = np.where(vis[..., None] > 0, xy, 0.0)
    return np.concatenate([xy, vis[..., None]], -1)


def default_lsp_root() -> Path:
    """``<data root>/lsp`` (see ``poseviz.data.root``)."""
    return dataset_dir("lsp")


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


def lsp_ground_truth(path: str | Path | None, root: str | Path | None = None) -> np.ndarray | None:
    """The joints [14, 3] of an image of the LSP folder (``root``, default the data root's), by its
    release file name ``imNNNN.jpg``; None for any other file or when LSP is absent."""
    import re

    if path is None:
        return None
    root = Path(root) if root is not None else default_lsp_root()
    path = Path(path)
    match = re.fullmatch(r"im(\d{4})\.jpg", path.name)
    if not match or not (root / "joints.mat").is_file() or path.resolve().parent != (root / "images").resolve():
        return None
    joints = load_lsp_joints(root / "joints.mat", layout="lsp")
    index = int(match.group(1)) - 1
    return joints[index].copy() if 0 <= index < len(joints) else None
