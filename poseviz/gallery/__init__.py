"""Ten openly licensed photos of people shipped with PoseViz (whole bodies in motion, groups, occlusion, a side
view), none from a pose dataset; each with its credit line, which the app shows under the photo.

``photos/CREDITS.tsv`` holds each file's source repository and commit, stated licence and photographer.
CC BY and CC BY-SA photos must show their attribution wherever they are shown: ``credit`` gives it.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

__all__ = ["GalleryPhoto", "PHOTOS_DIR", "gallery_photos", "credit_for"]

PHOTOS_DIR = Path(__file__).resolve().parent / "photos"
# The first screen opens on a whole-body photo with one confident person.
FIRST = "05_yoga-warrior-indoor.jpg"


@dataclass(frozen=True)
class GalleryPhoto:
    """A bundled photo: its label in the gallery, file and credit line (photographer, licence, source)."""

    label: str
    path: Path
    credit: str


def _label(name: str) -> str:
    return name.split("_", 1)[1].rsplit(".", 1)[0].replace("-", " ").capitalize()


def _credit(row: dict[str, str]) -> str:
    who = row["photographer/original"].strip()
    licence = row["licence_as_stated"].split("(")[0].strip().strip('"')
    if "BY-SA" in row["licence_as_stated"]:
        licence = "CC BY-SA 2.0"
    elif "CC BY" in row["licence_as_stated"]:
        licence = "CC BY 2.0"
    source = f"via {row['source_repo']}"
    if who and not who.startswith("("):
        return f"Photo: {who} · {licence} · {source}"
    return f"Photo: {licence} · {source}"


def gallery_photos() -> list[GalleryPhoto]:
    """The bundled photos, the first-screen photo first, then in file order."""
    with (PHOTOS_DIR / "CREDITS.tsv").open(newline="") as f:
        rows = {r["file"]: r for r in csv.DictReader(f, delimiter="\t")}
    names = sorted(rows, key=lambda n: (n != FIRST, n))
    return [GalleryPhoto(_label(n), PHOTOS_DIR / n, _credit(rows[n])) for n in names if (PHOTOS_DIR / n).is_file()]


def credit_for(path: str | Path | None) -> str | None:
    """The credit line of a bundled photo's path, or None for any other image."""
    if path is None:
        return None
    p = Path(path)
    for photo in gallery_photos():
        if p.name == photo.path.name and p.resolve().parent == PHOTOS_DIR:
            return photo.credit
    return None
