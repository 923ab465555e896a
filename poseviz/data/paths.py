"""Resolving a file name that came from a user's file (e.g. a COCO ``file_name``) inside a folder."""
from __future__ import annotations

from pathlib import Path

from poseviz.core.errors import PoseVizInputError

__all__ = ["resolve_inside", "is_inside"]


def is_inside(path: str | Path, folder: str | Path) -> bool:
    """Whether ``path``, with links followed, lies in ``folder`` (or is it)."""
    return Path(path).resolve().is_relative_to(Path(folder).resolve())


def resolve_inside(folder: str | Path, name: str) -> Path:
    """``folder / name`` with links followed, refusing a name that leaves the folder: an absolute
    path, ``..``, or a link pointing outside. The message never says whether the file exists."""
    folder = Path(folder)
    if Path(name).is_absolute() or ".." in Path(name).parts or not is_inside(folder / name, folder):
        raise PoseVizInputError(f"image file name {name!r} points outside the images folder")
    return (folder / name).resolve()
