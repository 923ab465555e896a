"""Writing files the way git and pip do: never over an existing file unless asked, never into a
source data folder, and atomically (a temporary file beside the target, then a rename), so an
interrupted write leaves the old file or the new one, never half of one."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from poseviz.core.errors import PoseVizInputError

__all__ = ["check_writable", "atomic_write_bytes", "atomic_write_text", "atomic_copy"]


def check_writable(path: str | Path, force: bool = False, protected: tuple[Path, ...] = ()) -> Path:
    """Refuse (``PoseVizInputError``) a target that exists (unless ``force``), is a folder, or lies
    inside one of the ``protected`` folders (source data). Returns the path."""
    from poseviz.data.paths import is_inside

    path = Path(path)
    for folder in protected:
        if folder.exists() and is_inside(path, folder):
            raise PoseVizInputError(f"{path} is inside the source data folder {folder}: choose an output elsewhere")
    if path.is_dir():
        raise PoseVizInputError(f"{path} is a folder; give a file name")
    if path.exists() and not force:
        raise PoseVizInputError(f"{path} exists; pass --force to overwrite it, or choose another name")
    return path


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename. A folder that cannot
    hold the file (read-only, immutable, /proc, a file in the way) raises ``PoseVizInputError`` saying so."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise PoseVizInputError(f"cannot write {path}: {exc.strerror or exc} (choose a folder you can write to)") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise PoseVizInputError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | Path, text: str) -> None:
    """``atomic_write_bytes`` for UTF-8 text."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_copy(src: str | Path, dst: str | Path) -> None:
    """Copy ``src`` to ``dst`` atomically."""
    atomic_write_bytes(dst, Path(src).read_bytes())
