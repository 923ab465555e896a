"""Images uploaded with an annotation file: files or a zip, matched by base name, bounded."""
from __future__ import annotations

import io
import zipfile

import pytest

from poseviz.core.errors import PoseVizInputError
from poseviz.io import image_set as image_set_module
from poseviz.io.image_set import image_set


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_files_and_zips_are_found_by_the_annotations_base_names():
    s = image_set([("a.jpg", b"A"), ("more.zip", _zip({"deep/folder/b.png": b"B", "readme.md": b"x", "__MACOSX/._b.png": b"junk"}))])
    assert len(s) == 2 and s.get("train2017/a.jpg") == b"A" and s.get("C:\\\\photos\\\\b.png") == b"B"
    assert s.missing(["a.jpg", "x/c.jpg"]) == ["c.jpg"]
    with pytest.raises(PoseVizInputError, match="no 'c.jpg'"):
        s.get("c.jpg")


def test_two_different_images_of_one_name_are_refused():
    with pytest.raises(PoseVizInputError, match="two different images are called 'a.jpg'"):
        image_set([("x.zip", _zip({"one/a.jpg": b"1", "two/a.jpg": b"2"}))])


def test_a_zip_that_would_grow_far_beyond_its_size_is_not_unpacked():
    bomb = _zip({"a.jpg": b"\\0" * 5_000_000}, zipfile.ZIP_DEFLATED)
    with pytest.raises(PoseVizInputError, match="would unpack to"):
        image_set([("bomb.zip", bomb)])


def test_counts_and_totals_are_bounded(monkeypatch):
    monkeypatch.setattr(image_set_module, "MAX_SET_FILES", 3)
    with pytest.raises(PoseVizInputError, match="more than 3 images"):
        image_set([(f"{i}.jpg", bytes([i])) for i in range(5)])
    with pytest.raises(PoseVizInputError, match="not a zip archive"):
        image_set([("broken.zip", b"PK\\x03\\x04 nothing")])
    with pytest.raises(PoseVizInputError, match="holds no images"):
        image_set([("notes.txt", b"x")])
