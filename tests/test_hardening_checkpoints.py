"""Hostile checkpoints: zip bombs, huge safetensors headers, broken values (files made here)."""
from __future__ import annotations

import json
import struct
import subprocess
import sys
import time
import zipfile

import pytest
import torch
from safetensors.torch import save_file

from poseviz.core.errors import CheckpointError
from poseviz.models import zoo
from poseviz.models.pretrained import load_pretrained, read_state_dict


def _bomb(path, megabytes: int) -> None:
    """A torch-like zip whose one data record deflates to ``megabytes`` MiB of zeros."""
    torch.save({"w": torch.zeros(4)}, path.with_suffix(".seed"))
    with zipfile.ZipFile(path.with_suffix(".seed")) as src, zipfile.ZipFile(path, "w") as out:
        for info in src.infolist():
            if info.filename.endswith("data/0"):
                with out.open(zipfile.ZipInfo(info.filename), "w", force_zip64=True) as f:
                    pass
                zi = zipfile.ZipInfo(info.filename + "_")
                zi.compress_type = zipfile.ZIP_DEFLATED
                with out.open(zi, "w", force_zip64=True) as f:
                    block = bytes(1 << 20)
                    for _ in range(megabytes):
                        f.write(block)
            else:
                out.writestr(info, src.read(info.filename))


def test_zip_bomb_is_refused_with_bounded_memory(tmp_path):
    path = tmp_path / "bomb.pth"
    _bomb(path, 600)
    assert path.stat().st_size < 2 << 20  # under the app's upload limit
    code = f"""
import resource, sys
from poseviz.models.pretrained import read_state_dict
from poseviz.core.errors import CheckpointError
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    read_state_dict({str(path)!r})
    print("LOADED")
except CheckpointError as exc:
    print("REFUSED", exc)
print("GROWTH_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120).stdout
    assert "REFUSED" in out and "compressed records" in out
    growth_kb = int(out.split("GROWTH_KB")[1])
    assert growth_kb < 100 * 1024, out


def test_safetensors_with_too_many_tensors_is_refused_from_its_header(tmp_path):
    header = {f"t{i}": {"dtype": "F32", "shape": [1], "data_offsets": [4 * i, 4 * i + 4]} for i in range(200_000)}
    raw = json.dumps(header).encode()
    path = tmp_path / "many.safetensors"
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + bytes(4 * 200_000))
    t0 = time.perf_counter()
    with pytest.raises(CheckpointError, match="200000 tensors"):
        read_state_dict(path)
    assert time.perf_counter() - t0 < 5


@pytest.mark.parametrize("poison", ["nan", "inf", "bool"])
def test_broken_weights_are_refused(tmp_path, poison):
    state = {k: v.clone() for k, v in zoo.build("cpm_lsp").state_dict().items()}
    key = next(k for k, v in state.items() if v.is_floating_point() and v.ndim == 4)
    if poison == "nan":
        state[key][0, 0, 0, 0] = float("nan")
    elif poison == "inf":
        state[key][0, 0, 0, 0] = float("inf")
    else:
        state[key] = state[key] > 0
    path = tmp_path / "w.safetensors"
    save_file(state, str(path))
    with pytest.raises(CheckpointError, match="NaN or infinite" if poison != "bool" else "bool vs model"):
        load_pretrained("cpm_lsp", path)


def test_safetensors_whose_header_length_starts_with_the_pickle_byte_is_still_safetensors(tmp_path):
    from poseviz.models.pretrained import checkpoint_format

    # a header of 0x..80 bytes: its first byte is 0x80, the pickle protocol marker
    state = {f"t{i:03d}": torch.zeros(1) for i in range(40)}
    for pad in range(200):
        save_file({**state, "p" * pad: torch.zeros(1)}, str(tmp_path / "w.safetensors"))
        if (tmp_path / "w.safetensors").read_bytes()[0] == 0x80:
            break
    assert (tmp_path / "w.safetensors").read_bytes()[0] == 0x80
    assert checkpoint_format(tmp_path / "w.safetensors") == "safetensors"
    assert len(read_state_dict(tmp_path / "w.safetensors")) == 41
    torch.save({"w": torch.zeros(1)}, tmp_path / "z.pth")
    assert checkpoint_format(tmp_path / "z.pth") == "zip"


def _raw_safetensors(path, header: str, payload: bytes = b"\0" * 16) -> None:
    raw = header.encode()
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + payload)


@pytest.mark.parametrize("offsets", ["null", '["0", "16"]', "[0, 1e400]", "[16, 0]", "[0, 99999]", '{"a": 1}'])
def test_safetensors_with_impossible_data_offsets_get_a_message(tmp_path, offsets):
    path = tmp_path / "odd.safetensors"
    _raw_safetensors(path, '{"w": {"dtype": "F32", "shape": [4], "data_offsets": %s}}' % offsets)
    with pytest.raises(CheckpointError, match="no valid data_offsets"):
        read_state_dict(path)


def test_a_safetensors_header_nested_100000_deep_is_refused(tmp_path):
    path = tmp_path / "deep.safetensors"
    _raw_safetensors(path, '{"w": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(CheckpointError, match="nor a valid safetensors file"):
        read_state_dict(path)


@pytest.mark.parametrize("case", ["int keys", "float8", "sparse", "quantised"])
def test_checkpoints_holding_what_no_model_holds_are_refused_by_name(tmp_path, case):
    path = tmp_path / "odd.pth"
    w = torch.ones(2, 2)
    obj = {"int keys": {0: w, "b": w},
           "float8": {"w": w.to(torch.float8_e4m3fn)},
           "sparse": {"w": w.to_sparse()},
           "quantised": {"w": torch.quantize_per_tensor(w, 0.1, 0, torch.qint8)}}[case]
    torch.save(obj, path)
    pattern = {"int keys": "not a string", "float8": "float8_e4m3fn, a type", "sparse": "sparse", "quantised": "quantised"}[case]
    with pytest.raises(CheckpointError, match=pattern):
        read_state_dict(path)
    if case == "float8":  # the same tensor in a safetensors file
        save_file({"w": w.to(torch.float8_e4m3fn)}, tmp_path / "f8.safetensors")
        with pytest.raises(CheckpointError, match="float8_e4m3fn"):
            read_state_dict(tmp_path / "f8.safetensors")
