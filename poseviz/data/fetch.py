"""``python -m poseviz data``: fetch, verify and locate public datasets and checkpoints (pooch).

Downloads go to ``<data root>/.downloads/``; pooch checks each file's hash before it is kept.
Our own downloader (pooch takes any callable) adds what pooch's HTTP downloader lacks: it
resumes an interrupted download from its ``.part`` file with an HTTP Range request. Archives
are unpacked into a temporary folder beside the target and renamed into place, so a target
folder is either complete or absent; over an existing folder only the downloaded files are swapped
in, so a re-fetch never deletes a file it did not write.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import tarfile
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pooch
from tqdm.auto import tqdm

from poseviz.core.errors import PoseVizInputError
from poseviz.data.registry import REGISTRY, Download, Entry, entry
from poseviz.data.root import data_root
from poseviz.io.archive_bounds import check_unpacked_size

__all__ = ["Limits", "ResumableDownloader", "fetch", "verify", "status", "Status", "downloads_dir", "file_hash"]

CHUNK = 1 << 16
# Our own progress bar reports downloads; pooch's "Downloading data from …" line would repeat it.
pooch.get_logger().setLevel("WARNING")


def downloads_dir(root: str | Path | None = None) -> Path:
    """Where downloaded files are kept (resumable ``.part`` files too)."""
    return data_root(root) / ".downloads"


def file_hash(path: Path, algorithm: str = "sha256") -> str:
    """Hex digest of a file, read in chunks."""
    h = hashlib.new(algorithm)
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass(frozen=True)
class Limits:
    """What one fetch may cost. A download slower than ``min_rate`` bytes/s over ``rate_window_s`` or running
    past ``max_seconds`` stops with its ``.part`` kept (the next fetch resumes it); an archive may unpack to
    ``max_ratio`` × its own size (and ``max_unpacked`` bytes at most) in ``max_members`` members."""

    min_rate: float = 8 * 1024
    rate_window_s: float = 60.0
    max_seconds: float = 12 * 3600.0
    max_ratio: float = 200.0
    max_unpacked: int = 64 << 30
    max_members: int = 200_000


class ResumableDownloader:
    """A pooch downloader that keeps ``<name>.part`` and resumes it with a Range request; it stops at
    ``max_bytes`` (the published size or the entry's maximum) and when the transfer is too slow or too long."""

    def __init__(self, partial: Path, progress: bool = True, timeout: float = 30.0, max_bytes: int = 1 << 30,
                 limits: Limits = Limits()):
        self.partial = partial
        self.progress = progress
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.limits = limits

    def __call__(self, url: str, output_file, pooch_obj=None, check_only: bool = False) -> None:
        have = self.partial.stat().st_size if self.partial.is_file() else 0
        if have > self.max_bytes:  # a .part left by an older, unbounded version
            self.partial.unlink()
            have = 0
        request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            if have and response.status != 206:
                have = 0  # the server ignored the Range: start again
            length = response.headers.get("Content-Length")
            total = have + int(length) if length and length.isdigit() else None
            if total is not None and total > self.max_bytes:
                raise DownloadRefused(f"the server announces {total:,} bytes, more than the {self.max_bytes:,} "
                                      "expected of this file; nothing was downloaded")
            with self.partial.open("ab" if have else "wb") as out, tqdm(
                total=total, initial=have, unit="B", unit_scale=True, desc=Path(urlparse(url).path).name,
                disable=not self.progress, leave=False,
            ) as bar:
                self._copy(response, out, bar, have)
        if total is not None and self.partial.stat().st_size < total:
            raise OSError(f"download of {url} stopped early ({self.partial.stat().st_size} of {total} bytes)")
        shutil.move(str(self.partial), str(output_file))

    def _copy(self, response, out, bar, have: int) -> None:
        lim, start = self.limits, time.monotonic()
        window_start, window_bytes, size = start, 0, have
        # read1: one socket read at a time, so a server trickling bytes is seen as slow (read() would wait for CHUNK)
        while block := response.read1(CHUNK):
            size += len(block)
            if size > self.max_bytes:
                out.truncate(0)
                raise DownloadRefused(f"the server sent more than the {self.max_bytes:,} bytes expected of this "
                                      "file; the download was stopped and deleted")
            out.write(block)
            bar.update(len(block))
            now = time.monotonic()
            window_bytes += len(block)
            if now - start > lim.max_seconds:
                raise TimeoutError(f"the download ran past {lim.max_seconds:.0f} s ({size:,} bytes so far, kept)")
            if now - window_start >= lim.rate_window_s:
                if window_bytes < lim.min_rate * (now - window_start):
                    raise TimeoutError(f"the server sent {window_bytes / (now - window_start):,.0f} bytes/s, under the "
                                       f"{lim.min_rate:,.0f} a download needs ({size:,} bytes so far, kept)")
                window_start, window_bytes = now, 0


class DownloadRefused(PoseVizInputError):
    """A download that can never succeed as it is (too large); retrying does not help."""


def _recorded(root: Path) -> dict:
    p = downloads_dir(root) / "hashes.json"
    if not p.is_file():
        return {}
    try:
        hashes = json.loads(p.read_text())
    except (ValueError, UnicodeDecodeError):
        hashes = None
    if not isinstance(hashes, dict) or not all(isinstance(v, str) for v in hashes.values()):
        raise PoseVizInputError(f"{p} is damaged (it holds the SHA-256 of each download without a published hash): "
                                "delete it and the downloads beside it you do not trust, then fetch again")
    return hashes


def _record(root: Path, fname: str, digest: str | None) -> None:
    hashes = _recorded(root)
    if digest is None:
        hashes.pop(fname, None)
    else:
        hashes[fname] = digest
    tmp = downloads_dir(root) / "hashes.json.tmp"
    tmp.write_text(json.dumps(hashes, indent=1, sort_keys=True))
    tmp.replace(downloads_dir(root) / "hashes.json")


def _unrecord(root: Path, fname: str) -> None:
    _record(root, fname, None)


def _fname(d: Download) -> str:
    return Path(urlparse(d.url).path).name


def _prefix_hash(fname: str) -> str | None:
    """mmpose's ``name-<8 hex digits of SHA-256>_date.pth`` → the 8 digits, else None."""
    stem = Path(fname).stem
    if "-" in stem:
        tail = stem.rsplit("-", 1)[1].split("_")[0]
        if len(tail) == 8 and all(c in "0123456789abcdef" for c in tail):
            return tail
    return None


def _offline_message(e: Entry, d: Download, root: Path, exc: Exception) -> str:
    host = urlparse(d.url).netloc
    return (f"could not download {_fname(d)} from {host} ({exc}). Download it by hand from {d.url} and put it at "
            f"{downloads_dir(root) / _fname(d)}, then run `python -m poseviz data fetch {e.name}` again "
            f"(or unpack it yourself into {root / e.target} so that {', '.join(e.expect)} exist).")


def _check_archive(archive: Path, kind: str) -> None:
    """Refuse a file that is not the archive it should be (a captive portal's HTML page, an error page)."""
    ok = zipfile.is_zipfile(archive) if kind == "zip" else tarfile.is_tarfile(archive)
    if not ok:
        with archive.open("rb") as f:  # its first bytes only: the file may be gigabytes
            head = f.read(64)
        looks = " (it looks like a web page: a login or error page?)" if b"<" in head.lower() and b"html" in head.lower() else ""
        raise PoseVizInputError(f"{archive.name} is not a {kind} archive{looks}; it was deleted")


def _check_totals(archive: Path, members: int, unpacked: int, limits: Limits) -> None:
    check_unpacked_size(archive.name, members, unpacked, archive.stat().st_size, limits.max_members,
                        limits.max_unpacked, limits.max_ratio)


def _unpack(archive: Path, kind: str, into: Path, limits: Limits = Limits()) -> None:
    if kind == "zip":
        with zipfile.ZipFile(archive) as z:
            infos = z.infolist()
            for member in infos:
                if Path(member.filename).is_absolute() or ".." in Path(member.filename).parts:
                    raise PoseVizInputError(f"{archive.name}: member {member.filename!r} would land outside the data folder")
            # zipfile never writes more than a member's declared size (and checks its CRC), so the sum is a bound
            _check_totals(archive, len(infos), sum(i.file_size for i in infos), limits)
            z.extractall(into)
    elif kind == "tar":
        seen = {"members": 0, "bytes": 0}

        def bounded(member: tarfile.TarInfo, path: str) -> tarfile.TarInfo:
            if not (member.isreg() or member.isdir()):
                what = "a link" if member.issym() or member.islnk() else "a device or FIFO"
                raise PoseVizInputError(f"{archive.name}: member {member.name!r} is {what}; a dataset holds files only")
            seen["members"] += 1
            seen["bytes"] += member.size
            _check_totals(archive, seen["members"], seen["bytes"], limits)
            return tarfile.data_filter(member, path)  # refuses absolute paths and '..'

        try:
            with tarfile.open(archive) as t:
                t.extractall(into, filter=bounded)
        except tarfile.FilterError as exc:
            raise PoseVizInputError(f"{archive.name}: {exc}; not unpacked") from None
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise PoseVizInputError(f"{archive.name} could not be unpacked ({exc})") from None


def _swap_in(staging: Path, target: Path) -> int:
    """Move every file unpacked in ``staging`` to the same place in the existing folder ``target`` (replacing an
    earlier copy of that file); every other file in ``target`` stays. Returns how many files of ``target`` the
    download did not hold (kept as they were)."""
    written = set()
    for src in sorted(staging.rglob("*")):
        if src.is_dir():
            continue
        rel = src.relative_to(staging)
        dest = target / rel
        if dest.is_dir() and not dest.is_symlink():
            raise PoseVizInputError(f"{dest} is a folder where the download has a file; move it away and fetch again")
        dest.parent.mkdir(parents=True, exist_ok=True)
        src.replace(dest)
        written.add(rel)
    return sum(1 for p in target.rglob("*") if not p.is_dir() and p.relative_to(target) not in written)


def fetch(name: str, root: str | Path | None = None, progress: bool = True, timeout: float = 30.0,
          force: bool = False, notify=None, limits: Limits = Limits()) -> Path:
    """Download (resuming), check and unpack entry ``name`` into the data root; returns its folder.

    A file whose hash differs from the registry's (or, for entries without a published hash,
    from the one recorded at its first download) is deleted and refused. An unreachable server
    raises ``PoseVizInputError`` saying what to download by hand and where to put it.

    Over an existing folder only the downloaded files are put in place: files the download does not hold (a
    user's notes, results) are kept, and ``notify`` (a callable taking one line) is told how many; ``force``
    replaces the whole folder instead. A target that is a symbolic link or a file is refused.

    Every download is bounded (``Limits``, and each file's published or maximum size); an interrupted or
    too-slow one keeps its ``.part`` for the next fetch to resume.
    """
    e = entry(name)
    root = data_root(root)
    if root.exists() and not root.is_dir():
        raise PoseVizInputError(f"the data root {root} is a file, not a folder: set POSEVIZ_DATA or --data-root to a folder")
    target = root / e.target
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        kind = "a symbolic link" if target.is_symlink() else "a file"
        raise PoseVizInputError(f"{target} is {kind}, not a folder: move it away (nothing was downloaded)")
    cache = downloads_dir(root)
    cache.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(target.name + ".partial")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    try:
        for d in e.downloads:
            fname = _fname(d)
            known = d.known_hash or (f"sha256:{_recorded(root)[fname]}" if fname in _recorded(root) else None)
            downloader = ResumableDownloader(cache / (fname + ".part"), progress, timeout, d.byte_limit, limits)
            try:
                path = Path(pooch.retrieve(d.url, known, fname=fname, path=cache, progressbar=False, downloader=downloader))
            except DownloadRefused as exc:
                raise PoseVizInputError(f"{fname} from {urlparse(d.url).netloc}: {exc}") from None
            except ValueError as exc:  # pooch: hash mismatch (the bad file is already deleted)
                raise PoseVizInputError(f"{fname}: the download does not match its known hash, so it was deleted ({exc})") from None
            except (urllib.error.URLError, OSError, TimeoutError) as exc:
                raise PoseVizInputError(_offline_message(e, d, root, exc)) from None
            prefix = _prefix_hash(fname)
            digest = file_hash(path)
            if prefix and not digest.startswith(prefix):
                path.unlink()
                raise PoseVizInputError(f"{fname}: SHA-256 {digest[:8]}… does not match the {prefix} in its name; deleted")
            if d.unpack:
                try:
                    _check_archive(path, d.unpack)
                    if not d.known_hash:
                        _record(root, fname, digest)
                    _unpack(path, d.unpack, staging, limits)
                except (PoseVizInputError, zipfile.BadZipFile, OSError) as exc:
                    if not d.known_hash:  # nothing vouches for this file: forget it, so a retry downloads it again
                        _unrecord(root, fname)
                        path.unlink(missing_ok=True)
                    raise exc if isinstance(exc, PoseVizInputError) else PoseVizInputError(f"{fname} could not be unpacked ({exc})") from None
            else:
                if not d.known_hash:
                    _record(root, fname, digest)
                shutil.copy2(path, staging / fname)
        missing = [p for p in e.expect if not (staging / p).exists()]
        if missing:
            raise PoseVizInputError(f"{e.name}: the downloaded files lack {', '.join(missing)}; nothing was installed")
        if target.exists() and force:
            shutil.rmtree(target)
        if target.exists():
            kept = _swap_in(staging, target)
            if kept and notify:
                notify(f"kept {kept} file{'s' if kept != 1 else ''} in {target} that the download does not hold "
                       "(use --force to replace the whole folder)")
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            staging.replace(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return target


@dataclass(frozen=True)
class Status:
    """Whether an entry is in the data root, and what a check found."""

    name: str
    present: bool
    problems: tuple[str, ...] = ()


def verify(name: str, root: str | Path | None = None) -> Status:
    """Check entry ``name``: every expected path exists and every kept download matches its hash."""
    e = entry(name)
    root = data_root(root)
    target = root / e.target
    problems = [f"missing {target / p}" for p in e.expect if not (target / p).exists()]
    recorded = _recorded(root)
    for d in e.downloads:
        fname = _fname(d)
        path = downloads_dir(root) / fname
        if not path.is_file():
            continue
        if d.known_hash:
            algorithm, want = d.known_hash.split(":", 1)
            if file_hash(path, algorithm) != want:
                problems.append(f"{fname}: {algorithm} differs from the published {want}")
        elif fname in recorded and file_hash(path) != recorded[fname]:
            problems.append(f"{fname}: SHA-256 differs from the one recorded at its download")
        prefix = _prefix_hash(fname)
        if prefix and not file_hash(path).startswith(prefix):
            problems.append(f"{fname}: SHA-256 does not start with the {prefix} in its name")
    return Status(name, not any(p.startswith("missing") for p in problems), tuple(problems))


def status(root: str | Path | None = None) -> list[Status]:
    """Presence of every registry entry in the data root (no hashing: quick)."""
    root = data_root(root)
    return [Status(n, all((root / e.target / p).exists() for p in e.expect)) for n, e in REGISTRY.items()]
