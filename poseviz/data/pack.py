"""Pack a downscaled copy of LSP (images + joints.mat) — small enough to carry to a GPU machine."""
from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import scipy.io

from ..errors import PoseVizInputError
from .lsp import load_lsp
from .paths import is_inside

__all__ = ["pack_lsp", "describe_pack", "PACK_INFO"]

PACK_INFO = "pack.json"


def describe_pack(root: str | Path | None) -> str | None:
    """One line on how an LSP folder was packed (``None`` for an original release folder)."""
    if root is None or not (Path(root) / PACK_INFO).is_file():
        return None
    info = json.loads((Path(root) / PACK_INFO).read_text())
    return (f"a copy made by `python -m poseviz pack-lsp --max-side {info['max_side']}` "
            f"(longer side ≤ {info['max_side']} px, JPEG quality {info['jpeg_quality']})")


def pack_lsp(out: str | Path, root: str | Path | None = None, max_side: int = 200, quality: int = 90,
             force: bool = False) -> tuple[int, int]:
    """Write ``out/images/imNNNN.jpg`` (longer side ≤ ``max_side``) and ``out/joints.mat`` in the release layout.

    Joint coordinates are scaled with the pixel-centre convention, so a model trained on the
    copy sees the same geometry. ``out/pack.json`` says how the copy was made, so a training
    run on it can say so in its model card. Returns (images written, total bytes).
    """
    data = load_lsp(root)
    out = Path(out)
    if is_inside(out, data.root) or is_inside(data.root, out):
        raise PoseVizInputError(f"--out {out} overlaps the LSP folder it reads ({data.root}): the originals would be shrunk for good")
    if out.exists() and any(out.iterdir()) and not force:
        raise PoseVizInputError(f"{out} already holds files; pass --force to write into it, or choose an empty folder")
    (out / "images").mkdir(parents=True, exist_ok=True)
    joints = data.joints.copy()
    total = 0
    for i in range(len(data)):
        img = cv2.imread(str(data.image_path(i)), cv2.IMREAD_COLOR)
        h, w = img.shape[:2]
        s = min(1.0, max_side / max(h, w))
        if s < 1.0:
            img = cv2.resize(img, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
            sx, sy = img.shape[1] / w, img.shape[0] / h
            joints[i, :, 0] = (joints[i, :, 0] + 0.5) * sx - 0.5
            joints[i, :, 1] = (joints[i, :, 1] + 0.5) * sy - 0.5
        ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
        (out / "images" / data.image_path(i).name).write_bytes(buf.tobytes())
        total += len(buf)
    layout = np.stack([joints[..., 0].T, joints[..., 1].T, (joints[..., 2] == 1).astype(np.float64).T])  # 3 × 14 × N
    scipy.io.savemat(out / "joints.mat", {"joints": layout})
    (out / PACK_INFO).write_text(json.dumps({"max_side": max_side, "jpeg_quality": quality, "images": len(data)}))
    return len(data), total + (out / "joints.mat").stat().st_size
