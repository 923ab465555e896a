"""A set of images a user hands over with an annotation file: several files or one zip, bounded, looked up by the
file names the annotations give (their base names: an annotation's folder says nothing about an upload)."""
from __future__ import annotations

import io
import zipfile
from pathlib import PurePosixPath

from poseviz.core.errors import PoseVizInputError
from poseviz.io.archive_bounds import check_unpacked_size

__all__ = ["ImageSet", "image_set", "MAX_SET_FILES", "MAX_SET_BYTES", "IMAGE_SUFFIXES"]

MAX_SET_FILES = 2000  # images in one set: the OKS laboratory scores at most a few hundred people anyway
MAX_SET_BYTES = 200 * 2**20  # the set's total size, unpacked
MAX_ZIP_RATIO = 20  # JPEG and PNG barely compress: a zip that would grow more than this is not a photo collection
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff", ".gif")


class ImageSet:
    """{base name: bytes}; ``get`` answers the annotations' ``file_name`` by its base name."""

    def __init__(self, files: dict[str, bytes]):
        self.files = files

    def __len__(self) -> int:
        return len(self.files)

    def get(self, file_name: str) -> bytes:
        """The image the annotations call ``file_name``, or ``PoseVizInputError`` naming it."""
        name = PurePosixPath(str(file_name).replace("\\", "/")).name
        if name not in self.files:
            raise PoseVizInputError(f"the uploaded images have no {name!r} (the annotations name it): add it to the upload")
        return self.files[name]

    def missing(self, file_names: list[str]) -> list[str]:
        """The base names of ``file_names`` the set lacks."""
        return [n for n in (PurePosixPath(str(f).replace("\\", "/")).name for f in file_names) if n not in self.files]


def _add(files: dict[str, bytes], name: str, data: bytes) -> None:
    base = PurePosixPath(name.replace("\\", "/")).name
    if not base.lower().endswith(IMAGE_SUFFIXES) or base.startswith("."):
        return  # a zip's folders, readme files and macOS "._" shadows are not images
    if base in files and files[base] != data:
        raise PoseVizInputError(f"two different images are called {base!r}: annotations could not tell them apart")
    files[base] = data
    if len(files) > MAX_SET_FILES:
        raise PoseVizInputError(f"more than {MAX_SET_FILES} images: upload the ones your annotations use")
    if sum(len(v) for v in files.values()) > MAX_SET_BYTES:
        raise PoseVizInputError(f"the images come to more than {MAX_SET_BYTES // 2**20} MB: upload fewer")


def image_set(uploads: list[tuple[str, bytes]]) -> ImageSet:
    """Images from uploaded (name, bytes) pairs, each an image or a zip of images (unpacked in memory, within
    ``MAX_SET_FILES``, ``MAX_SET_BYTES`` and a ratio of ``MAX_ZIP_RATIO``); other files are ignored."""
    files: dict[str, bytes] = {}
    for name, data in uploads:
        if not name.lower().endswith(".zip"):
            _add(files, name, data)
            continue
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                infos = [i for i in z.infolist() if not i.is_dir()]
                check_unpacked_size(name, len(infos), sum(i.file_size for i in infos), len(data), 4 * MAX_SET_FILES,
                                    MAX_SET_BYTES, MAX_ZIP_RATIO)
                for info in infos:
                    _add(files, info.filename, z.read(info))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
            raise PoseVizInputError(f"{name} is not a zip archive that can be read ({exc})") from None
    if not files:
        raise PoseVizInputError("the upload holds no images (.jpg, .png, .webp, … or a zip of them)")
    return ImageSet(files)
