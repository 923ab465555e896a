"""Public-checkpoint loading: manifest layouts, wrappers, refusals, and no code execution."""
import json
import pickle

import pytest
import torch

from conftest import MANIFEST
from poseviz.core.errors import CheckpointError
from poseviz.models import HourglassConfig, HRNet, HRNetConfig, StackedHourglass
from poseviz.models.pretrained import load_state_dict_checked, read_state_dict

MODELS = {
    "hrnet_w32_256x192_coco": lambda: HRNet(HRNetConfig(width=32)),
    "hrnet_w48_256x192_coco": lambda: HRNet(HRNetConfig(width=48)),
    "hourglass_s2_b1_mpii": lambda: StackedHourglass(HourglassConfig(num_stacks=2)),
    "hourglass_s8_b1_mpii": lambda: StackedHourglass(HourglassConfig(num_stacks=8)),
}


def _random_checkpoint(name):
    g = torch.Generator().manual_seed(0)
    sd = {}
    for k, shape in json.loads(MANIFEST.read_text())[name]["state_dict"].items():
        sd[k] = torch.randint(0, 5, shape, generator=g) if k.endswith("num_batches_tracked") else torch.randn(shape, generator=g)
    return sd


@pytest.mark.devdata
@pytest.mark.parametrize("name", list(MODELS))
def test_manifest_shaped_checkpoint_loads_with_no_missing_or_unexpected_keys(name, tmp_path):
    sd = _random_checkpoint(name)
    path = tmp_path / "ckpt.pth"
    if name.startswith("hourglass"):  # pytorch-pose saves {'state_dict': {'module.' + key}}
        torch.save({"epoch": 3, "state_dict": {"module." + k: v for k, v in sd.items()}}, path)
    else:
        torch.save(sd, path)
    model = MODELS[name]()
    report = load_state_dict_checked(model, read_state_dict(path), path.name)
    assert report.ok and report.loaded == len(sd)
    key = next(k for k in sd if k.endswith("conv1.weight"))
    torch.testing.assert_close(model.state_dict()[key], sd[key])


@pytest.mark.devdata
def test_mmpose_layout_of_hrnet_loads_with_no_missing_or_unexpected_keys(tmp_path):
    sd = _random_checkpoint("hrnet_w32_256x192_coco")
    mm = {("keypoint_head." if k.startswith("final_layer.") else "backbone.") + k: v for k, v in sd.items()}
    path = tmp_path / "hrnet_w32_coco_256x192-c78dce93_20200708.pth"
    torch.save({"meta": {"epoch": 210}, "state_dict": mm}, path)
    model = MODELS["hrnet_w32_256x192_coco"]()
    report = load_state_dict_checked(model, read_state_dict(path), path.name)
    assert report.ok and report.loaded == len(sd)
    torch.testing.assert_close(model.state_dict()["final_layer.weight"], sd["final_layer.weight"])


@pytest.mark.devdata
def test_checkpoint_of_another_architecture_is_refused(tmp_path):
    path = tmp_path / "hg.pth"
    torch.save(_random_checkpoint("hourglass_s2_b1_mpii"), path)
    with pytest.raises(CheckpointError, match="does not fit HRNet: only .* match"):
        load_state_dict_checked(HRNet(HRNetConfig(width=32)), read_state_dict(path), path.name)


@pytest.mark.devdata
def test_wrong_width_is_reported_as_shape_mismatch(tmp_path):
    path = tmp_path / "w48.pth"
    torch.save(_random_checkpoint("hrnet_w48_256x192_coco"), path)
    with pytest.raises(CheckpointError, match="wrong shape"):
        load_state_dict_checked(HRNet(HRNetConfig(width=32)), read_state_dict(path), path.name)


class _Evil:
    def __init__(self, sentinel):
        self.sentinel = sentinel

    def __reduce__(self):
        import pathlib

        return (pathlib.Path.touch, (pathlib.Path(self.sentinel),))


def test_pickle_that_runs_code_is_refused_and_never_runs(tmp_path):
    sentinel = tmp_path / "pwned"
    for name, save in [("evil.pth", lambda p: torch.save({"state_dict": _Evil(str(sentinel))}, p)),
                       ("evil.pkl", lambda p: p.write_bytes(pickle.dumps(_Evil(str(sentinel)), protocol=2)))]:
        path = tmp_path / name
        save(path)
        with pytest.raises(CheckpointError, match="refused"):
            read_state_dict(path)
        assert not sentinel.exists()
    pickle.loads((tmp_path / "evil.pkl").read_bytes())  # the test's own control: the payload is live
    assert sentinel.exists()


def test_other_formats_are_refused(tmp_path):
    (tmp_path / "model.pt2").write_bytes(b"PK\x03\x04whatever")
    with pytest.raises(CheckpointError, match="pt2"):
        read_state_dict(tmp_path / "model.pt2")
    (tmp_path / "junk.bin").write_bytes(b"\x00\x01garbage")
    with pytest.raises(CheckpointError, match="neither a torch checkpoint nor a valid safetensors"):
        read_state_dict(tmp_path / "junk.bin")
    with pytest.raises(CheckpointError, match="not found"):
        read_state_dict(tmp_path / "missing.pth")


def test_safetensors_round_trip(tmp_path):
    from safetensors.torch import save_file

    m = StackedHourglass(HourglassConfig(num_stacks=1, num_feats=8, stem_planes=8, num_joints=4))
    save_file({k: v.contiguous() for k, v in m.state_dict().items()}, str(tmp_path / "w.safetensors"))
    m2 = StackedHourglass(HourglassConfig(num_stacks=1, num_feats=8, stem_planes=8, num_joints=4))
    assert load_state_dict_checked(m2, read_state_dict(tmp_path / "w.safetensors")).ok
    torch.testing.assert_close(m2.state_dict(), m.state_dict())
