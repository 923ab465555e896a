"""Loading weights: the shipped safetensors zoo and public checkpoints users download.

Public ``.pth`` files are read only with ``torch.load(weights_only=True)``, so a pickle
that would run code is refused. The pytorch-pose layout (a ``state_dict`` wrapper and
DataParallel's ``module.`` prefix) is unwrapped. Every load returns a report of missing
and unexpected keys; a checkpoint of another architecture is refused with a message.
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file
from torch import nn

from poseviz.core.errors import CheckpointError, PoseVizInputError
from poseviz.models import zoo

__all__ = ["LoadReport", "load_pretrained", "read_state_dict", "checkpoint_format", "load_state_dict_checked", "MIN_TORCH"]

MIN_TORCH = (2, 6)  # weights_only=True became the safe default in 2.6


@dataclass(frozen=True)
class LoadReport:
    """What a checkpoint load did: keys loaded, missing from the file, unexpected in it, shape clashes."""

    loaded: int
    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    mismatched: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.unexpected or self.mismatched)

    def summary(self) -> str:
        parts = [f"{self.loaded} tensors loaded"]
        if self.missing:
            parts.append(f"{len(self.missing)} missing (e.g. {', '.join(self.missing[:3])})")
        if self.unexpected:
            parts.append(f"{len(self.unexpected)} unexpected (e.g. {', '.join(self.unexpected[:3])})")
        if self.mismatched:
            parts.append(f"{len(self.mismatched)} with the wrong shape (e.g. {'; '.join(self.mismatched[:3])})")
        return ", ".join(parts)


def _check_torch() -> None:
    v = tuple(int(p) for p in torch.__version__.split("+")[0].split(".")[:2])
    if v < MIN_TORCH:
        raise CheckpointError(f"torch {torch.__version__} is too old to load checkpoints safely; install torch ≥ 2.6")


# The largest checkpoint we expect is HRNet-W48 (~255 MB of float32); anything whose tensors
# would unpack beyond this is refused before a byte of it is decompressed.
MAX_CHECKPOINT_BYTES = 1 << 30
MAX_SAFETENSORS_HEADER = 16 << 20
MAX_TENSORS = 20_000


def _check_zip(path: Path, z: zipfile.ZipFile, max_bytes: int) -> None:
    """torch.save stores every record uncompressed; a compressed record or declared sizes beyond
    ``max_bytes`` mean an archive that would unpack to far more than it weighs (a zip bomb)."""
    infos = z.infolist()
    if any(i.compress_type != zipfile.ZIP_STORED for i in infos):
        raise CheckpointError(f"{path.name} has compressed records, which torch never writes: refused")
    declared = sum(i.file_size for i in infos)
    if declared > max_bytes:
        raise CheckpointError(f"{path.name} declares {declared / 2**20:.0f} MiB of contents, more than the "
                              f"{max_bytes / 2**20:.0f} MiB a PoseViz checkpoint can hold: refused")


def _check_safetensors(path: Path, max_bytes: int) -> None:
    """Read only the header: refuse absurd tensor counts or sizes before anything is loaded."""
    import json
    import struct

    size = path.stat().st_size
    with path.open("rb") as f:
        raw = f.read(8)
        n = struct.unpack("<Q", raw)[0] if len(raw) == 8 else -1
        if not 0 < n <= min(MAX_SAFETENSORS_HEADER, size - 8):
            raise CheckpointError(f"{path.name} is neither a torch checkpoint nor a valid safetensors file "
                                  f"(its safetensors header length, {n} bytes, is impossible)")
        try:
            header = json.loads(f.read(n))
        except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: a header nested 100,000 deep
            raise CheckpointError(f"{path.name} is neither a torch checkpoint nor a valid safetensors file") from None
    if not isinstance(header, dict):
        raise CheckpointError(f"{path.name}: its safetensors header is not a table of tensors")
    tensors = [v for k, v in header.items() if k != "__metadata__"]
    if len(tensors) > MAX_TENSORS:
        raise CheckpointError(f"{path.name} holds {len(tensors)} tensors, more than the {MAX_TENSORS} a PoseViz model has: refused")

    def offsets(t: object) -> tuple[int, int] | None:
        d = t.get("data_offsets") if isinstance(t, dict) else None
        if not (isinstance(d, list) and len(d) == 2 and all(type(v) is int for v in d) and 0 <= d[0] <= d[1] <= size):
            return None
        return d[0], d[1]

    bad = [k for k, v in header.items() if k != "__metadata__" and offsets(v) is None]
    if bad:
        raise CheckpointError(f"{path.name}: tensor {str(bad[0])[:80]!r} has no valid data_offsets (two whole numbers "
                              "within the file): not a valid safetensors file")
    total = sum(b - a for a, b in map(offsets, tensors))
    if total > max_bytes:
        raise CheckpointError(f"{path.name} declares {total / 2**20:.0f} MiB of tensors: refused")


def checkpoint_format(path: str | Path) -> str:
    """"safetensors", "zip" (torch.save), "pickle" (legacy torch.save) or "unknown", from the first bytes.

    safetensors is recognised first: its 8-byte header length may itself begin with 0x80, the
    pickle protocol byte, and a JSON header follows it."""
    with Path(path).open("rb") as f:
        head = f.read(9)
    if len(head) == 9 and head[8:9] == b"{" and 0 < int.from_bytes(head[:8], "little") < Path(path).stat().st_size:
        return "safetensors"
    if head.startswith(b"PK"):
        return "zip"
    if head.startswith(b"\x80"):
        return "pickle"
    return "unknown"


def read_state_dict(path: str | Path, max_bytes: int = MAX_CHECKPOINT_BYTES) -> dict[str, torch.Tensor]:
    """Read tensors from a .safetensors or a torch .pth/.pt file (never executing pickled code).

    Sizes are checked before loading (``max_bytes`` of tensor data at most; zip records must be
    stored, as torch writes them), so an archive cannot unpack to many times its own size.
    """
    _check_torch()
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint not found: {path}")
    if path.suffix == ".pt2":
        raise CheckpointError(f"{path.name}: .pt2 (torch.export) archives are programs, not weights; save a state dict instead")
    kind = checkpoint_format(path)
    if kind == "zip":
        try:
            with zipfile.ZipFile(path) as z:
                names = z.namelist()
                _check_zip(path, z, max_bytes)
        except zipfile.BadZipFile:
            raise CheckpointError(f"{path.name} is a damaged zip archive") from None
        if not any(n.endswith("data.pkl") for n in names):
            raise CheckpointError(f"{path.name} is a zip archive but not a torch state-dict checkpoint")
    elif kind != "pickle":
        # Not a zip or a pickle: safetensors is the only other format we accept.
        _check_safetensors(path, max_bytes)
        try:
            tensors = load_file(str(path))
        except (SafetensorError, OSError, ValueError, RuntimeError, TypeError) as exc:
            raise CheckpointError(f"{path.name} is neither a torch checkpoint nor a valid safetensors file ({exc})") from None
        return _checked_tensors(tensors, path.name)
    try:
        # mmap: a zip checkpoint's tensors are read from the file on demand, not copied into memory.
        obj = torch.load(path, map_location="cpu", weights_only=True, mmap=kind == "zip")
    except Exception as exc:  # UnpicklingError for code-running pickles, RuntimeError for damage
        msg = str(exc).splitlines()[0][:300]
        raise CheckpointError(f"{path.name} was refused: it is not a plain tensor checkpoint ({msg})") from None
    return unwrap_state_dict(obj, path.name)


# What a PoseViz model's parameters and buffers can be; float8 and friends have no isfinite, no arithmetic here.
_TENSOR_DTYPES = frozenset({torch.float32, torch.float16, torch.bfloat16, torch.float64,
                            torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8, torch.bool})


def _checked_tensors(tensors: dict, name: str) -> dict[str, torch.Tensor]:
    """Refuse names that are not strings and tensors that are sparse, quantised or of an exotic dtype."""
    odd_key = next((k for k in tensors if not isinstance(k, str)), None)
    if odd_key is not None:
        raise CheckpointError(f"{name} names a tensor {str(odd_key)[:40]!r} ({type(odd_key).__name__}), not a string: "
                              "not a state dict")
    for k, v in tensors.items():
        if v.layout != torch.strided or v.is_quantized:
            raise CheckpointError(f"{name}: tensor {k[:80]!r} is {'quantised' if v.is_quantized else 'sparse'}; "
                                  "PoseViz reads dense weights only")
        if v.dtype not in _TENSOR_DTYPES:
            raise CheckpointError(f"{name}: tensor {k[:80]!r} is {str(v.dtype).removeprefix('torch.')}, a type no "
                                  "PoseViz model holds")
    return tensors


def unwrap_state_dict(obj: object, name: str = "checkpoint") -> dict[str, torch.Tensor]:
    """Accept {'state_dict': ...} / {'model': ...} wrappers, strip DataParallel's ``module.`` prefix and
    map mmpose's ``backbone.`` / ``keypoint_head.`` names to the official HRNet ones."""
    for key in ("state_dict", "model", "model_state_dict"):
        if isinstance(obj, dict) and key in obj and isinstance(obj[key], dict):
            obj = obj[key]
            break
    if not isinstance(obj, dict) or not obj:
        raise CheckpointError(f"{name} holds no state dict")
    tensors = _checked_tensors({k: v for k, v in obj.items() if isinstance(v, torch.Tensor)}, name)
    if not tensors:
        raise CheckpointError(f"{name} holds no tensors")
    if all(k.startswith("module.") for k in tensors):
        tensors = {k[len("module."):]: v for k, v in tensors.items()}
    return _from_mmpose(tensors)


# mmpose's releases of HRNet keep the official names under "backbone." and put the 1×1 output
# layer at "keypoint_head.final_layer." (the official repository's "final_layer.").
_MMPOSE_PREFIXES = (("backbone.", ""), ("keypoint_head.final_layer.", "final_layer."))


def _from_mmpose(tensors: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """mmpose's key layout → the official one (other layouts are returned unchanged)."""
    if not all(k.startswith(tuple(p for p, _ in _MMPOSE_PREFIXES)) for k in tensors):
        return tensors
    out = {}
    for k, v in tensors.items():
        for prefix, repl in _MMPOSE_PREFIXES:
            if k.startswith(prefix):
                out[repl + k[len(prefix):]] = v
                break
    return out


def load_state_dict_checked(model: nn.Module, state: dict[str, torch.Tensor], name: str = "checkpoint",
                            min_match: float = 0.5) -> LoadReport:
    """Load ``state`` into ``model`` where names and shapes agree, and report the rest.

    Refuses (``CheckpointError``) when fewer than ``min_match`` of the model's tensors
    would load: that is a checkpoint of another architecture or size.
    """
    own = model.state_dict()

    def fits(k: str, v: torch.Tensor) -> bool:
        return own[k].shape == v.shape and own[k].is_floating_point() == v.is_floating_point()

    mismatched = [f"{k}: file {tuple(v.shape)} {str(v.dtype).removeprefix('torch.')} vs model {tuple(own[k].shape)} "
                  f"{str(own[k].dtype).removeprefix('torch.')}" for k, v in state.items() if k in own and not fits(k, v)]
    good = {k: v for k, v in state.items() if k in own and fits(k, v)}
    broken = [k for k, v in good.items() if v.is_floating_point() and not bool(torch.isfinite(v).all())]
    if broken:
        raise CheckpointError(f"{name} holds NaN or infinite values (in {len(broken)} tensors, e.g. {broken[0]}): "
                              "it cannot give meaningful predictions")
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    report = LoadReport(loaded=len(good), missing=missing, unexpected=unexpected, mismatched=mismatched)
    if len(good) < min_match * len(own):
        raise CheckpointError(
            f"{name} does not fit {type(model).__name__}: only {len(good)} of {len(own)} tensors match "
            f"({report.summary()}). Is it a checkpoint of another architecture or width?")
    model.load_state_dict(good, strict=False)
    return report


def load_pretrained(name: str, weights: str | Path | None = None) -> nn.Module:
    """A zoo model in eval mode with its shipped weights (or ``weights`` if given). An ensemble is built
    from its members' shipped weights."""
    if zoo.is_ensemble(name):
        if weights:
            raise PoseVizInputError(f"{name} has no weights of its own: it averages {', '.join(zoo.members(name))}, "
                                    "each with its shipped weights")
        from poseviz.models.ensemble import Ensemble

        return Ensemble({m: load_pretrained(m) for m in zoo.members(name)}, zoo.entry(name).kwargs["scales"]).eval()
    model = zoo.build(name)
    path = Path(weights) if weights else zoo.weights_path(name)
    if not path.is_file():
        raise PoseVizInputError(f"no weights for {name} at {path}; train them with `python -m poseviz train --model {name}`")
    report = load_state_dict_checked(model, read_state_dict(path), path.name, min_match=1.0)
    if not report.ok:
        raise CheckpointError(f"{path.name} does not match {name}: {report.summary()}")
    return model.eval()
