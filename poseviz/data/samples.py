"""Sample photos for the gallery: some always present, more when datasets are in the data root.

Always: the ten openly licensed photos bundled in ``poseviz.gallery`` (first: a whole-body photo with one confident
person, so the first screen shows a skeleton that is right), and two photos of people that scikit-image ships inside its package (no download):
``astronaut.png`` (NASA portrait of Eileen Collins, public domain) and ``camera.png``
("cameraman", distributed with scikit-image under its BSD licence).
"""
from __future__ import annotations

from pathlib import Path

from poseviz.data.root import data_root

__all__ = ["sample_images", "BUNDLED"]

BUNDLED = {"Astronaut (scikit-image)": "astronaut.png", "Cameraman (scikit-image)": "camera.png"}
LSP_SAMPLES = (1001, 1003, 1010, 1024, 1042, 1100, 1234, 1500)


def _bundled() -> dict[str, Path]:
    try:
        import skimage.data
    except ImportError:  # an install without scikit-image still has the dataset samples
        return {}
    folder = Path(skimage.data.__file__).parent
    return {label: folder / name for label, name in BUNDLED.items() if (folder / name).is_file()}


def sample_images(root: str | Path | None = None, coco_limit: int = 12) -> dict[str, Path]:
    """{label: image path}: the bundled gallery photos, LSP test images (they carry ground truth), scikit-image's
    photos, then COCO sample images; dataset images only where the data root has them."""
    from poseviz.gallery import gallery_photos

    items: dict[str, Path] = {p.label: p.path for p in gallery_photos()}
    base = data_root(root)
    for i in LSP_SAMPLES:
        p = base / "lsp" / "images" / f"im{i:04d}.jpg"
        if p.is_file():
            items[f"LSP test {p.stem}"] = p
    items.update(_bundled())
    coco = base / "coco-mini" / "train2017"
    if coco.is_dir():
        for p in sorted(coco.glob("*.jpg"))[:coco_limit]:
            items[f"COCO {p.stem}"] = p
    return items
