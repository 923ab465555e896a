"""`poseviz data fetch / verify` against a loopback HTTP server started here (no internet)."""
from __future__ import annotations

import hashlib
import io
import json
import tarfile
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from poseviz.cli import main
from poseviz.core.errors import PoseVizInputError
from poseviz.data.fetch import Limits, ResumableDownloader, downloads_dir, fetch, verify
from poseviz.data.registry import REGISTRY, Download, Entry


def _archive() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("joints.mat", b"MATLAB 5.0 stand-in" * 50)
        z.writestr("images/im00001.jpg", bytes(range(256)) * 40)
    return buf.getvalue()


class _Server:
    """Serves one file with Range support; can cut its next response short."""

    def __init__(self, payload: bytes):
        self.payload = payload
        self.cut_next: int | None = None
        self.ranges: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                start = 0
                rng = self.headers.get("Range")
                if rng:
                    outer.ranges.append(rng)
                    start = int(rng.split("=")[1].split("-")[0])
                body = outer.payload[start:]
                self.send_response(206 if rng else 200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if outer.cut_next is not None:
                    body, outer.cut_next = body[: outer.cut_next], None
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/lspet_test.zip"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = _Server(_archive())
    yield s
    s.close()


def _entry(monkeypatch, url: str, known_hash: str | None = None) -> str:
    e = Entry("test-set", "dataset", "a test set", (Download(url, known_hash, None, "zip"),),
              ("joints.mat", "images/im00001.jpg"), "test licence", "nobody, 2026")
    monkeypatch.setitem(REGISTRY, e.name, e)
    return e.name


def test_good_download_lands_in_the_layout_and_verifies(tmp_path, server, monkeypatch):
    sha = hashlib.sha256(server.payload).hexdigest()
    name = _entry(monkeypatch, server.url, f"sha256:{sha}")
    target = fetch(name, tmp_path, progress=False)
    assert target == tmp_path / "test-set"
    assert (target / "images" / "im00001.jpg").read_bytes() == bytes(range(256)) * 40
    assert verify(name, tmp_path).problems == () and verify(name, tmp_path).present
    assert main(["data", "verify", name, "--data-root", str(tmp_path)]) == 0


def test_hash_mismatch_is_refused_and_leaves_nothing(tmp_path, server, monkeypatch):
    name = _entry(monkeypatch, server.url, "sha256:" + "0" * 64)
    with pytest.raises(PoseVizInputError, match="does not match its known hash"):
        fetch(name, tmp_path, progress=False)
    assert not (tmp_path / "test-set").exists() and not (tmp_path / "test-set.partial").exists()
    assert sorted(p.name for p in downloads_dir(tmp_path).iterdir()) == []


def test_interrupted_download_resumes_with_a_range_request(tmp_path, server, monkeypatch):
    name = _entry(monkeypatch, server.url)
    server.cut_next = 1000
    with pytest.raises(PoseVizInputError, match="could not download"):
        fetch(name, tmp_path, progress=False)
    part = downloads_dir(tmp_path) / "lspet_test.zip.part"
    assert part.stat().st_size == 1000 and not (tmp_path / "test-set").exists()
    fetch(name, tmp_path, progress=False)
    assert server.ranges == ["bytes=1000-"]
    assert (downloads_dir(tmp_path) / "lspet_test.zip").read_bytes() == server.payload
    assert (tmp_path / "test-set" / "joints.mat").is_file() and not part.exists()


def test_no_server_says_what_to_download_by_hand(tmp_path, monkeypatch):
    s = _Server(b"")
    url = s.url
    s.close()  # nothing listens there any more
    name = _entry(monkeypatch, url)
    with pytest.raises(PoseVizInputError, match=r"Download it by hand from http://127\.0\.0\.1.*put it at .*lspet_test\.zip"):
        fetch(name, tmp_path, progress=False, timeout=5)


def test_verify_detects_a_corrupted_download(tmp_path, server, monkeypatch, capsys):
    name = _entry(monkeypatch, server.url)  # no published hash: the first download's SHA-256 is recorded
    fetch(name, tmp_path, progress=False)
    kept = downloads_dir(tmp_path) / "lspet_test.zip"
    kept.write_bytes(kept.read_bytes()[:-1] + b"x")
    assert any("differs from the one recorded" in p for p in verify(name, tmp_path).problems)
    assert main(["data", "verify", name, "--data-root", str(tmp_path)]) == 1
    assert "NOT complete" in capsys.readouterr().out


def test_archive_members_cannot_escape(tmp_path, monkeypatch):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("../evil.txt", b"x")
    s = _Server(buf.getvalue())
    try:
        name = _entry(monkeypatch, s.url)
        with pytest.raises(PoseVizInputError, match="would land outside"):
            fetch(name, tmp_path / "root", progress=False)
        assert not (tmp_path / "evil.txt").exists()
    finally:
        s.close()


def test_a_refetch_keeps_the_users_own_files_and_says_so(tmp_path, server, monkeypatch, capsys):
    name = _entry(monkeypatch, server.url)
    target = fetch(name, tmp_path, progress=False)
    (target / "my_notes.txt").write_text("results I must not lose")
    (target / "images" / "mine.png").write_bytes(b"png")
    (target / "joints.mat").write_bytes(b"damaged")  # a file the download holds is restored
    assert main(["data", "fetch", name, "--data-root", str(tmp_path)]) == 0
    assert (target / "my_notes.txt").read_text() == "results I must not lose" and (target / "images" / "mine.png").is_file()
    assert (target / "joints.mat").read_bytes() != b"damaged" and (target / "images" / "im00001.jpg").is_file()
    assert "kept 2 files" in capsys.readouterr().out
    assert main(["data", "fetch", name, "--data-root", str(tmp_path), "--force"]) == 0
    assert not (target / "my_notes.txt").exists() and (target / "joints.mat").is_file()


def test_a_target_that_is_a_link_or_a_file_is_refused(tmp_path, server, monkeypatch):
    name = _entry(monkeypatch, server.url)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "test-set").symlink_to(elsewhere)
    with pytest.raises(PoseVizInputError, match="symbolic link"):
        fetch(name, tmp_path, progress=False)
    (tmp_path / "test-set").unlink()
    (tmp_path / "test-set").write_text("a file")
    with pytest.raises(PoseVizInputError, match="is a file"):
        fetch(name, tmp_path, progress=False)
    assert list(elsewhere.iterdir()) == [] and (tmp_path / "test-set").read_text() == "a file"


class _HostileServer:
    """Serves ``payload`` without a Content-Length (optionally one byte every ``trickle_s`` seconds)."""

    def __init__(self, payload: bytes, trickle_s: float = 0.0, name: str = "lspet_test.zip"):
        outer = self
        self.stop = threading.Event()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # no length: the body ends when the connection closes

            def log_message(self, *args):
                pass

            def do_GET(self):
                self.send_response(200)
                self.end_headers()
                if trickle_s:
                    for b in payload:
                        if outer.stop.wait(trickle_s):
                            return
                        self.wfile.write(bytes([b]))
                        self.wfile.flush()
                else:
                    self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/{name}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def _hostile_entry(monkeypatch, url: str, **download) -> str:
    e = Entry("test-set", "dataset", "a test set", (Download(url, None, unpack="zip", **download),),
              ("joints.mat",), "test licence", "nobody, 2026")
    monkeypatch.setitem(REGISTRY, e.name, e)
    return e.name


def test_a_download_without_a_length_stops_at_the_entrys_maximum(tmp_path, monkeypatch):
    s = _HostileServer(b"\0" * 300_000)
    try:
        name = _hostile_entry(monkeypatch, s.url, max_size=100_000)
        with pytest.raises(PoseVizInputError, match="more than the 100,000 bytes"):
            fetch(name, tmp_path, progress=False)
    finally:
        s.close()
    cache = downloads_dir(tmp_path)
    assert all(p.stat().st_size <= 100_000 for p in cache.iterdir())  # never more than the bound on disk
    assert not (cache / "lspet_test.zip").exists() and not (cache / "hashes.json").exists()


def test_a_server_announcing_more_than_the_published_size_is_refused_before_downloading(tmp_path, server, monkeypatch):
    e = Entry("test-set", "dataset", "a test set", (Download(server.url, None, 100, "zip"),), ("joints.mat",), "l", "c")
    monkeypatch.setitem(REGISTRY, e.name, e)
    with pytest.raises(PoseVizInputError, match="announces .* more than the 100 expected"):
        fetch(e.name, tmp_path, progress=False)
    assert not (downloads_dir(tmp_path) / "lspet_test.zip.part").exists()


def test_a_trickling_server_is_stopped_by_the_minimum_rate_and_the_part_kept(tmp_path, monkeypatch):
    s = _HostileServer(b"x" * 1000, trickle_s=0.2)
    try:
        name = _hostile_entry(monkeypatch, s.url)
        t0 = time.monotonic()
        with pytest.raises(PoseVizInputError, match=r"bytes/s, under the 1,000"):
            fetch(name, tmp_path, progress=False, limits=Limits(min_rate=1000, rate_window_s=1.0))
        assert time.monotonic() - t0 < 10
    finally:
        s.close()
    part = downloads_dir(tmp_path) / "lspet_test.zip.part"
    assert 0 < part.stat().st_size < 1000  # kept for the next fetch to resume


def test_a_captive_portal_page_for_an_unhashed_entry_is_not_recorded(tmp_path, monkeypatch):
    s = _HostileServer(b"<!DOCTYPE html><html><body>Please log in to the hotel Wi-Fi</body></html>")
    try:
        name = _hostile_entry(monkeypatch, s.url)
        with pytest.raises(PoseVizInputError, match="not a zip archive .*web page"):
            fetch(name, tmp_path, progress=False)
    finally:
        s.close()
    cache = downloads_dir(tmp_path)
    assert not (cache / "lspet_test.zip").exists() and "lspet_test.zip" not in (
        json.loads((cache / "hashes.json").read_text()) if (cache / "hashes.json").exists() else {})
    s = _Server(_archive())  # the real file, once the network works: nothing stands in its way
    try:
        monkeypatch.setitem(REGISTRY, name, Entry(name, "dataset", "t", (Download(s.url, None, unpack="zip"),), ("joints.mat",), "l", "c"))
        assert (fetch(name, tmp_path, progress=False) / "joints.mat").is_file()
    finally:
        s.close()


def test_a_zip_bomb_is_not_unpacked_and_forgotten(tmp_path, monkeypatch):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("joints.mat", b"\0" * 5_000_000)  # about 5 kB compressed: a ratio near 1000
        z.writestr("images/im00001.jpg", b"jpg")
    s = _Server(buf.getvalue())
    try:
        name = _hostile_entry(monkeypatch, s.url)
        with pytest.raises(PoseVizInputError, match="would unpack to more than"):
            fetch(name, tmp_path, progress=False)
        with pytest.raises(PoseVizInputError, match="holds more than 1 members"):
            fetch(name, tmp_path, progress=False, limits=Limits(max_members=1, max_ratio=1e6))
    finally:
        s.close()
    assert not (tmp_path / "test-set").exists() and not (tmp_path / "test-set.partial").exists()
    assert json.loads((downloads_dir(tmp_path) / "hashes.json").read_text()) == {}


@pytest.mark.parametrize("kind", ["symlink", "fifo", "escape"])
def test_tar_members_that_are_not_plain_files_get_a_message(tmp_path, monkeypatch, kind):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        data = b"MATLAB 5.0"
        info = tarfile.TarInfo("joints.mat")
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
        odd = tarfile.TarInfo({"symlink": "link", "fifo": "pipe", "escape": "../../evil"}[kind])
        odd.type = {"symlink": tarfile.SYMTYPE, "fifo": tarfile.FIFOTYPE, "escape": tarfile.REGTYPE}[kind]
        odd.linkname = "/etc/passwd" if kind == "symlink" else ""
        t.addfile(odd, io.BytesIO(b""))
    s = _Server(buf.getvalue())
    try:
        e = Entry("test-set", "dataset", "t", (Download(s.url, None, unpack="tar"),), ("joints.mat",), "l", "c")
        monkeypatch.setitem(REGISTRY, e.name, e)
        with pytest.raises(PoseVizInputError, match={"symlink": "is a link", "fifo": "device or FIFO", "escape": "outside"}[kind]):
            fetch(e.name, tmp_path / "root", progress=False)
    finally:
        s.close()
    assert not (tmp_path / "evil").exists() and not (tmp_path / "root" / "test-set").exists()


def test_a_damaged_hash_record_and_a_file_as_data_root_get_messages(tmp_path, server, monkeypatch):
    name = _entry(monkeypatch, server.url)
    downloads_dir(tmp_path).mkdir(parents=True)
    (downloads_dir(tmp_path) / "hashes.json").write_text('{"lspet_test.zip": "ab')  # truncated
    with pytest.raises(PoseVizInputError, match="hashes.json is damaged"):
        fetch(name, tmp_path, progress=False)
    (tmp_path / "afile").write_text("x")
    with pytest.raises(PoseVizInputError, match="is a file, not a folder"):
        fetch(name, tmp_path / "afile", progress=False)


_REAL_COPY = ResumableDownloader._copy


def test_ctrl_c_during_a_fetch_prints_one_line_and_keeps_the_part(tmp_path, server, monkeypatch, capsys):
    name = _entry(monkeypatch, server.url)

    def interrupted(self, response, out, bar, have):
        out.write(response.read1(500))
        raise KeyboardInterrupt

    monkeypatch.setattr(ResumableDownloader, "_copy", interrupted)
    assert main(["data", "fetch", name, "--data-root", str(tmp_path)]) == 130
    err = capsys.readouterr().err
    assert "Traceback" not in err and "interrupted" in err.splitlines()[-1] and "again to resume" in err.splitlines()[-1]
    assert (downloads_dir(tmp_path) / "lspet_test.zip.part").stat().st_size > 0
    monkeypatch.setattr(ResumableDownloader, "_copy", _REAL_COPY)
    assert main(["data", "fetch", name, "--data-root", str(tmp_path)]) == 0  # resumed where it stopped
    assert server.ranges == ["bytes=500-"]
