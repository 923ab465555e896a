"""The accuracy-first ensemble: views at several crop scales map back to the crop exactly, the stages
are the members' maps and their mean, and the zoo treats it as a model without weights of its own."""
from types import SimpleNamespace

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from poseviz.core.errors import PoseVizInputError
from poseviz.inference.top_down import keypoints_from_heatmaps, run_model
from poseviz.models import PoseOutput, create_model, zoo
from poseviz.models.ensemble import MEAN_STAGE, Ensemble


class Brightness(nn.Module):
    """A stand-in network whose belief map of every joint is the input's red channel averaged over
    4×4 cells: its peak is wherever the image is brightest, at stride 4 like the real models."""

    def __init__(self, joints: int = 14, schema: str = "lsp14", stride: int = 4):
        super().__init__()
        self.config = SimpleNamespace(schema=schema, input_size=(128, 128), num_joints=joints)
        self.stride = stride

    def forward(self, x):
        maps = F.avg_pool2d(x[:, :1], self.stride).repeat(1, self.config.num_joints, 1, 1)
        return PoseOutput(stages=[maps], stage_names=["output"])


def _blob(x0: float, y0: float, sigma: float = 8.0) -> torch.Tensor:
    """A normalised input with a bright Gaussian blob centred at crop pixel (x0, y0)."""
    yy, xx = np.mgrid[0:128, 0:128]
    g = np.exp(-((xx - x0) ** 2 + (yy - y0) ** 2) / (2 * sigma**2)).astype(np.float32)
    return torch.from_numpy(np.stack([g * 4, g * 0, g * 0]))[None]


def _peak(maps: torch.Tensor) -> np.ndarray:
    """Crop-pixel position of joint 0's sub-pixel peak (identity transform: crop = image)."""
    ident = SimpleNamespace(to_image=lambda p: p)
    return keypoints_from_heatmaps(maps.numpy(), [ident], 128 / maps.shape[-1])[0, 0, :2]


POSITIONS = [(20.3, 100.6), (50.3, 70.6), (100.2, 30.7), (35.1, 35.9)]


@pytest.mark.parametrize("scale", [0.85, 1.0, 1.2, 1.5])
@pytest.mark.parametrize("x0, y0", POSITIONS)
def test_a_view_at_any_scale_maps_back_onto_the_crop(scale, x0, y0):
    # Known sub-pixel positions. Mapping a view's maps back the wrong way moves them 4–24 px; what is
    # left (≤ 0.6 px at scale 1.5) is a coarser view's map decoded after bilinear resampling.
    out = Ensemble({"b": Brightness()}, (scale,))(_blob(x0, y0))
    np.testing.assert_allclose(_peak(out.stages[-1]), (x0, y0), atol=0.6 if scale > 1 else 0.15)


@pytest.mark.parametrize("x0, y0", POSITIONS)
def test_a_coarser_members_maps_are_resampled_with_pixel_centres_aligned(x0, y0):
    # A stride-8 member (16×16 maps) is brought to the 32×32 grid; aligning corners instead of
    # pixel centres would shift the far positions by over a pixel.
    out = Ensemble({"b": Brightness(stride=8)})(_blob(x0, y0))
    assert out.stages[-1].shape[-1] == 32
    np.testing.assert_allclose(_peak(out.stages[-1]), (x0, y0), atol=0.6)


def test_a_zoomed_in_view_sees_the_centre_larger_and_a_zoomed_out_one_adds_a_black_margin():
    seen = []

    class Spy(Brightness):
        def forward(self, x):
            seen.append(x.clone())
            return super().forward(x)

    x = torch.zeros(1, 3, 128, 128)
    x[..., 56:72, 56:72] = 1.0  # a 16 px square at the centre
    Ensemble({"s": Spy()}, (0.5, 2.0))(x)
    views = seen[0]
    assert views.shape[0] == 2  # both views in one batch
    # zoom in ×2: the square fills 32 px; zoom out ×2: 8 px, and the border is black (normalised)
    assert int((views[0, 0] > 0.5).sum()) == pytest.approx(32 * 32, rel=0.1)
    assert int((views[1, 0] > 0.5).sum()) == pytest.approx(8 * 8, rel=0.2)
    from poseviz.core.preprocess import MEAN, STD

    np.testing.assert_allclose(views[1, :, 0, 0].numpy(), (0 - MEAN) / STD, atol=1e-5)


def test_stages_are_each_members_maps_then_their_mean():
    torch.manual_seed(0)
    a = create_model("cpm", num_stages=2, num_joints=14, input_size=(128, 128), schema="lsp14").eval()
    b = create_model("hourglass", num_stacks=1, num_feats=16, stem_planes=16, num_joints=14, input_size=(128, 128),
                     schema="lsp14").eval()
    ens = Ensemble({"a": a, "b": b}).eval()
    x = torch.randn(2, 3, 128, 128)
    with torch.no_grad():
        out = ens(x)
        ref = [F.interpolate(m(x).stages[-1], size=(32, 32), mode="bilinear", align_corners=False) for m in (a, b)]
    assert out.stage_names == ["a", "b", MEAN_STAGE]
    for got, want in zip(out.stages, ref):
        torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(out.stages[-1], (ref[0] + ref[1]) / 2, atol=1e-5, rtol=1e-4)


def test_members_must_agree_and_scales_must_be_positive():
    with pytest.raises(ValueError, match="share schema"):
        Ensemble({"a": Brightness(), "b": Brightness(joints=17, schema="coco17")})
    with pytest.raises(ValueError, match="positive"):
        Ensemble({"a": Brightness()}, (1.0, 0.0))
    with pytest.raises(ValueError, match="at least one member"):
        Ensemble({})


def test_flip_test_through_the_ensemble_keeps_a_blob_in_place():
    ens = Ensemble({"b": Brightness()}, (0.85, 1.2))
    crop = np.zeros((1, 128, 128, 3), np.uint8)
    yy, xx = np.mgrid[0:128, 0:128]
    crop[0, ..., 0] = np.round(255 * np.exp(-((xx - 40.2) ** 2 + (yy - 90.7) ** 2) / 128)).astype(np.uint8)
    np.testing.assert_allclose(_peak(run_model(ens, crop, flip=True).stages[-1]), (40.2, 90.7), atol=0.6)


def test_the_zoo_ensemble_gives_each_members_maps_and_their_mean_on_the_quarter_grid():
    name = "ensemble_lsp"
    m = zoo.build(name).eval()
    w, h = m.config.input_size
    with torch.no_grad():
        out = m(torch.randn(2, 3, h, w))
    assert out.stage_names == [*zoo.members(name), MEAN_STAGE]
    assert all(s.shape == (2, m.config.num_joints, h // m.stride, w // m.stride) for s in out.stages)
    assert out.heatmaps is out.stages[-1] and out.pafs is None and out.dense is None


def test_the_zoo_ensemble_is_shipped_from_its_members_weights_and_not_trained():
    from poseviz.models.pretrained import load_pretrained
    from poseviz.training.loop import TrainConfig

    name = "ensemble_lsp"
    members = zoo.members(name)
    assert zoo.is_ensemble(name) and len(members) >= 2 and not zoo.weights_path(name).is_file()
    assert name in zoo.shipped_models() and name not in zoo.shipped_networks(None)
    assert all(m in zoo.shipped_networks(None) for m in members)
    model = load_pretrained(name)
    assert model.config.members == members
    own = load_pretrained(members[0]).state_dict()
    for k, v in model.members[0].state_dict().items():
        torch.testing.assert_close(v, own[k])  # the member's shipped weights, not random ones
    with pytest.raises(PoseVizInputError, match="no weights of its own"):
        load_pretrained(name, "somewhere.safetensors")
    with pytest.raises(PoseVizInputError, match="no weights of its own to train"):
        TrainConfig(model=name).check()
