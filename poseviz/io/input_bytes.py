"""Reading user input (a path, raw bytes or an uploaded file) as bounded bytes, with clear refusals."""
from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from poseviz.core.errors import PoseVizInputError

__all__ = ["read_input_bytes"]


def read_input_bytes(source: str | Path | bytes | BinaryIO, max_bytes: int, what: str) -> tuple[bytes, str]:
    """Return (content, display name); refuse missing, empty, unreadable and over-``max_bytes`` input.

    ``what`` names the kind of input in messages ("image file", "COCO annotation file").
    The size is checked before reading a path, and file objects are read at most one byte past the limit.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        data, name = bytes(source), f"uploaded {what}"
    elif isinstance(source, (str, Path)):
        path = Path(source)
        if not path.exists():
            raise PoseVizInputError(f"{what} not found: {path}")
        if path.is_dir():
            raise PoseVizInputError(f"{path} is a folder, not a {what}")
        if not path.is_file():  # a FIFO, a device such as /dev/zero, a socket: reading could block or never end
            raise PoseVizInputError(f"{path} is not a regular file (a pipe or device?), so it is not read as a {what}")
        size = path.stat().st_size
        if size > max_bytes:
            raise PoseVizInputError(f"{path.name} is {size / 2**20:.0f} MB; the limit is {max_bytes / 2**20:.0f} MB (larger than allowed)")
        data, name = path.read_bytes(), path.name
    elif hasattr(source, "read"):
        name = getattr(source, "name", f"uploaded {what}")
        data = source.read(max_bytes + 1)
        if hasattr(source, "seek"):
            source.seek(0)
    else:
        raise PoseVizInputError(f"cannot read a {what} from a {type(source).__name__}")
    if len(data) > max_bytes:
        raise PoseVizInputError(f"{name} is larger than {max_bytes / 2**20:.0f} MB")
    if len(data) == 0:
        raise PoseVizInputError(f"{name} is empty (0 bytes)")
    return data, str(name)
