"""An atlas on disk: ``manifest.json`` (what was run: dataset hash, models and their weights' hashes, options)
and Parquet shards ``shard-00000.parquet`` … (pyarrow), each written whole through a rename, so a killed run
resumes at the first missing shard without duplicating or losing a row."""
from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from poseviz.core.errors import PoseVizInputError
from poseviz.io.writing import atomic_write_bytes, atomic_write_text

__all__ = ["SCHEMA", "MANIFEST", "VERSION", "weights_hash", "check_or_write_manifest", "read_manifest", "shard_path",
           "done_shards", "table_of", "table_bytes", "write_shard", "read_atlas"]

MANIFEST = "manifest.json"
LOCATIONS = {"images"}  # where this machine finds the data: recorded for the page, not part of the run's identity
VERSION = 1
_F, _S, _I = pa.float64(), pa.string(), pa.int64()
SCHEMA = pa.schema([
    ("dataset", _S), ("image_id", _I), ("ann_id", _I), ("file_name", _S), ("model", _S), ("error", _S),
    ("box_source", _S), ("box", pa.list_(_F)), ("box_enlarge", _F), ("area", _F), ("size_px", _F), ("crowd_index", _F),
    ("num_labelled", _I), ("oks", _F), ("score", _F), ("joints", pa.list_(_S)),
    ("gt_x", pa.list_(_F)), ("gt_y", pa.list_(_F)), ("gt_v", pa.list_(_I)),
    ("pred_x", pa.list_(_F)), ("pred_y", pa.list_(_F)), ("belief", pa.list_(_F)),
    ("err_px", pa.list_(_F)), ("err_norm", pa.list_(_F)), ("ks", pa.list_(_F)), ("error_class", pa.list_(_S)),
    ("stage_names", pa.list_(_S)), ("stage_peak", pa.list_(pa.list_(_F))), ("stage_err_norm", pa.list_(pa.list_(_F))),
    ("worst_joint", _S), ("occlusion_drop", _F),
])


def weights_hash(model_name: str) -> str:
    """SHA-256 of a shipped model's weights (an ensemble: of its members' files, in order)."""
    from poseviz.models import zoo

    h = hashlib.sha256()
    for n in zoo.members(model_name) or (model_name,):
        h.update(zoo.weights_path(n).read_bytes())
    return h.hexdigest()


def read_manifest(out: str | Path) -> dict:
    """The manifest of the atlas in folder ``out``, refused with a message when absent or unreadable."""
    path = Path(out) / MANIFEST
    try:
        m = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PoseVizInputError(f"{Path(out).name}: not an atlas folder (no readable {MANIFEST}: {exc})") from None
    if not isinstance(m, dict) or m.get("version") != VERSION or not isinstance(m.get("shards"), int):
        raise PoseVizInputError(f"{Path(out).name}/{MANIFEST} is not a PoseViz atlas manifest of version {VERSION}")
    return m


def check_or_write_manifest(out: str | Path, manifest: dict) -> bool:
    """Write ``manifest`` into a new atlas folder, or check that an existing one describes the same run (same
    dataset, weights and options: shards of different runs never mix). True when a run resumes."""
    out = Path(out)
    if (out / MANIFEST).exists():
        old = read_manifest(out)
        keys = sorted((set(old) | set(manifest)) - LOCATIONS)
        differ = [k for k in keys if old.get(k) != manifest.get(k)]
        if differ:
            raise PoseVizInputError(f"{out.name} holds an atlas of another run ({', '.join(differ)} differ); "
                                    "give another --out folder, or delete that one to start again")
        return True
    if out.exists() and any(out.iterdir()):
        raise PoseVizInputError(f"{out.name} is a folder with other files in it; give an empty or new --out folder")
    atomic_write_text(out / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True))
    return False


def shard_path(out: str | Path, index: int) -> Path:
    return Path(out) / f"shard-{index:05d}.parquet"


def done_shards(out: str | Path, count: int) -> set[int]:
    """Indices of the shards already written (a shard file exists only once whole)."""
    return {i for i in range(count) if shard_path(out, i).is_file()}


def table_of(rows: list[dict]) -> pa.Table:
    """Rows as an Arrow table of ``SCHEMA`` (fields a row lacks, as an error row's figures, are null)."""
    return pa.Table.from_pylist([{f: r.get(f) for f in SCHEMA.names} for r in rows], schema=SCHEMA)


def table_bytes(rows: list[dict]) -> bytes:
    """A shard's rows as Parquet bytes (what a worker sends back to the process that writes the atlas)."""
    buf = io.BytesIO()
    pq.write_table(table_of(rows), buf)
    return buf.getvalue()


def write_shard(out: str | Path, index: int, data: bytes) -> None:
    atomic_write_bytes(shard_path(out, index), data)


def read_atlas(out: str | Path, columns: list[str] | None = None):
    """Every written shard of the atlas in ``out`` as one pandas DataFrame (rows in shard order) and its manifest."""
    m = read_manifest(out)
    paths = [shard_path(out, i) for i in sorted(done_shards(out, m["shards"]))]
    if not paths:
        return SCHEMA.empty_table().to_pandas(), m
    return pa.concat_tables([pq.read_table(p, columns=columns) for p in paths]).to_pandas(), m
