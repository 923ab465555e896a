"""Pack a downscaled copy of LSP (images + joints.mat) — small enough to carry to a GPU machine."""
from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import scipy.io

from poseviz.core.errors import PoseVizInputError
from poseviz.data.lsp import load_lsp
from poseviz.data.paths import is_inside

__all__ = ["pack_lsp", "pack_mix", "describe_pack", "PACK_INFO"]

PACK_INFO = "pack.json"


def describe_pack(root: str | Path | None) -> str | None:
    """One line on how an LSP folder was packed (``None`` for an original release folder)."""
    if root is None or not (Path(root) / PACK_INFO).is_file():
        return None
    info = json.loads((Path(root) / PACK_INFO).read_text())
    if "webp_quality" in info:
        return (f"a copy made by `python -m poseviz pack-mix --max-side {info['max_side']}` "
                f"(longer side ≤ {info['max_side']} px, WebP quality {info['webp_quality']})")
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


def _shrink(path: Path, max_side: int, quality: int) -> tuple[bytes, float, float]:
    """(WebP bytes, x scale, y scale) of an image with its longer side ≤ ``max_side``."""
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if img is None:
        raise PoseVizInputError(f"cannot read {path}")
    h, w = img.shape[:2]
    s = min(1.0, max_side / max(h, w))
    if s < 1.0:
        img = cv2.resize(img, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".webp", img, [cv2.IMWRITE_WEBP_QUALITY, quality])
    return buf.tobytes(), img.shape[1] / w, img.shape[0] / h


def _scaled(xy: np.ndarray, sx: float, sy: float) -> np.ndarray:
    """Pixel-centre exact rescaling of (x, y) columns."""
    out = np.array(xy, dtype=np.float64)
    out[..., 0] = (out[..., 0] + 0.5) * sx - 0.5
    out[..., 1] = (out[..., 1] + 0.5) * sy - 0.5
    return out


def pack_mix(out: str | Path, root: str | Path | None = None, max_side: int = 128, quality: int = 60,
             force: bool = False, progress: bool = True) -> int:
    """Write the training mix (LSP 1–1000, LSP Extended, MPII, with their validation people) small
    enough to carry to a GPU machine: ``out/{lsp,lspet,mpii}`` in the data root's layouts, so
    ``train --data-root out`` reads it unchanged.

    Images keep their release file names but hold WebP data (longer side ≤ ``max_side``; OpenCV
    and Pillow read by content), about 24 MiB for the whole mix at the defaults. Joints are scaled
    with the pixel-centre convention; LSP's test images are not written (training never reads them).
    ``out/*/pack.json`` says how the copy was made. Returns the bytes written.
    """
    from tqdm.auto import tqdm

    from poseviz.data.lspet import load_lspet
    from poseviz.data.mpii import load_mpii
    from poseviz.data.paths import is_inside
    from poseviz.data.root import data_root

    root = data_root(root)
    out = Path(out)
    if is_inside(out, root) or is_inside(root, out):
        raise PoseVizInputError(f"--out {out} overlaps the data root it reads ({root})")
    if out.exists() and any(out.iterdir()) and not force:
        raise PoseVizInputError(f"{out} already holds files; pass --force to write into it, or choose an empty folder")
    info = json.dumps({"max_side": max_side, "webp_quality": quality, "note": "WebP data under the release's file names"})
    total = 0
    lsp = load_lsp(root / "lsp")
    lspet = load_lspet(root / "lspet")
    mpii = load_mpii(root / "mpii")
    for name in ("lsp", "lspet", "mpii"):
        (out / name / "images").mkdir(parents=True, exist_ok=True)
        (out / name / PACK_INFO).write_text(info)
    bar = tqdm(total=1000 + len(lspet) + len(mpii), desc="packing the mix", disable=not progress)
    lsp_joints = lsp.joints.copy()
    for i in range(1000):
        data, sx, sy = _shrink(lsp.image_path(i), max_side, quality)
        (out / "lsp" / "images" / lsp.image_path(i).name).write_bytes(data)
        lsp_joints[i, :, :2] = _scaled(lsp_joints[i, :, :2], sx, sy)
        total += len(data)
        bar.update()
    occluded = (lsp_joints[..., 2] == 1).astype(np.float64)
    scipy.io.savemat(out / "lsp" / "joints.mat", {"joints": np.stack([lsp_joints[..., 0].T, lsp_joints[..., 1].T, occluded.T])})
    ext = lspet.joints.copy()
    for i in range(len(lspet)):
        data, sx, sy = _shrink(lspet.image_path(i), max_side, quality)
        (out / "lspet" / "images" / lspet.image_path(i).name).write_bytes(data)
        ext[i, :, :2] = np.where(ext[i, :, 2:] > 0, _scaled(ext[i, :, :2], sx, sy), -1.0)
        total += len(data)
        bar.update()
    # LSP Extended's own layout: 14 × 3 × N with 1 = annotated
    scipy.io.savemat(out / "lspet" / "joints.mat", {"joints": np.stack([ext[..., 0], ext[..., 1], (ext[..., 2] > 0) * 1.0], 2).transpose(1, 2, 0)})
    doc = json.loads((root / "mpii" / "annotations.json").read_text())
    for person, path in zip(doc["people"], mpii.paths):
        data, sx, sy = _shrink(path, max_side, quality)
        (out / "mpii" / "images" / path.name).write_bytes(data)
        person["joints"] = [None if xy is None else _scaled(np.array(xy), sx, sy).round(2).tolist() for xy in person["joints"]]
        person["scale"] = person.get("scale", 1.0) * sy
        total += len(data)
        bar.update()
    (out / "mpii" / "annotations.json").write_text(json.dumps(doc))
    bar.close()
    return total
