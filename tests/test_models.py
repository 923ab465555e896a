"""Every architecture: shapes, stage counts, gradients, published sizes, learning."""
import json

import numpy as np
import pytest
import torch

from conftest import MANIFEST
from poseviz.models import CPM, CPMConfig, HourglassConfig, HRNet, HRNetConfig, NonLocalBlock, StackedHourglass, zoo


def _n_params(m):
    return sum(p.numel() for p in m.parameters())


# Trainable networks: an ensemble has no weights of its own (its forward: tests/test_ensemble.py).
@pytest.mark.parametrize("name", zoo.list_networks(None))
def test_zoo_model_forward_every_stage(name):
    torch.manual_seed(0)
    m = zoo.build(name)
    w, h = m.config.input_size
    out = m(torch.randn(2, 3, h, w))
    k = m.config.num_joints
    assert out.num_stages == len(out.stage_names) >= 1
    for s in out.stages:
        assert s.shape == (2, k, h // m.stride, w // m.stride)
        assert torch.isfinite(s).all()
    assert out.heatmaps is out.stages[-1]
    loss = sum(s.square().mean() for s in out.stages)
    if zoo.ZOO[name].task == "paf":
        assert len(out.pafs) == out.num_stages
        for p in out.pafs:
            assert p.shape == (2, 2 * len(m.limbs), h // m.stride, w // m.stride)
        loss = loss + sum(p.square().mean() for p in out.pafs)
    elif "skeleton_pafs" in m.heads:  # EfficientPose: one PAF pass (x, y per limb of MPII's 14-limb skeleton) at 1/8
        assert [tuple(p.shape) for p in out.pafs] == [(2, 28, h // 8, w // 8)]
        loss = loss + out.pafs[0].square().mean()
    else:
        assert out.pafs is None
    if zoo.ZOO[name].task == "dense":
        assert out.dense.part_logits.shape == (2, m.num_parts + 1, h // 2, w // 2)
        assert out.dense.u.shape == out.dense.v.shape == (2, m.num_parts, h // 2, w // 2)
        loss = loss + out.dense.part_logits.square().mean() + out.dense.u.mean() + out.dense.v.mean()
    else:
        assert out.dense is None
    loss.backward()
    missing = [n for n, p in m.named_parameters() if p.grad is None]
    # the zero-initialised BN after W_z blocks gradients to θ/φ/g at the first step, by design
    assert all("nonlocal_block" in n for n in missing), missing


@pytest.mark.parametrize(
    "model, input_hw, stages",
    [
        (lambda: CPM(CPMConfig()), (368, 368), 6),
        (lambda: StackedHourglass(HourglassConfig(num_stacks=8)), (256, 256), 8),
        (lambda: HRNet(HRNetConfig(width=32)), (256, 192), 1),
        (lambda: HRNet(HRNetConfig(width=48)), (256, 192), 1),
    ],
    ids=["cpm-paper", "hourglass-8", "hrnet-w32", "hrnet-w48"],
)
def test_paper_configs_forward(model, input_hw, stages):
    m = model().eval()
    with torch.no_grad():
        out = m(torch.randn(1, 3, *input_hw))
    assert out.num_stages == stages
    assert out.heatmaps.shape[-2:] == (input_hw[0] // m.stride, input_hw[1] // m.stride)


@pytest.mark.devdata
def test_published_parameter_counts():
    assert _n_params(HRNet(HRNetConfig(width=32))) / 1e6 == pytest.approx(28.5, abs=0.05)
    assert _n_params(HRNet(HRNetConfig(width=48))) / 1e6 == pytest.approx(63.6, abs=0.05)
    assert _n_params(StackedHourglass(HourglassConfig(num_stacks=8))) / 1e6 == pytest.approx(25.0, rel=0.05)
    manifest = json.loads(MANIFEST.read_text())
    assert _n_params(HRNet(HRNetConfig(width=32))) == manifest["hrnet_w32_256x192_coco"]["parameters"]
    assert _n_params(StackedHourglass(HourglassConfig(num_stacks=2))) == manifest["hourglass_s2_b1_mpii"]["parameters"]


def test_cpm_batch_norm_option_normalises_every_hidden_conv_and_paper_config_has_none():
    paper = CPM(CPMConfig())
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in paper.modules())
    m = CPM(CPMConfig(num_stages=2, trunk_channels=8, head_channels=16, stage_channels=8, num_pools=2, batch_norm=True))
    convs = [c for c in m.modules() if isinstance(c, torch.nn.Conv2d)]
    bns = [b for b in m.modules() if isinstance(b, torch.nn.BatchNorm2d)]
    # every conv but the two belief-map outputs is conv-BN-ReLU, and those convs drop their bias
    assert len(bns) == len(convs) - 2
    assert sum(c.bias is None for c in convs) == len(bns)
    out = m.eval()(torch.randn(1, 3, 64, 64))
    assert [s.shape for s in out.stages] == [(1, 14, 16, 16)] * 2


def test_hrnet_returns_every_branch_of_every_stage():
    m = HRNet(HRNetConfig(width=8, stages=((1, 1), (1, 1), (1, 1)), layer1_blocks=1, num_joints=3)).eval()
    out = m(torch.randn(1, 3, 64, 64))
    assert {"stage2_branch2", "stage3_branch3", "stage4_branch1"} <= set(out.features)
    assert out.features["stage3_branch3"].shape == (1, 32, 4, 4)


def test_nonlocal_attention_is_softmax_of_theta_phi_and_block_starts_as_identity():
    torch.manual_seed(0)
    blk = NonLocalBlock(8).eval()
    x = torch.randn(2, 8, 5, 6)
    z, att = blk(x)
    theta = torch.einsum("oc,bchw->bohw", blk.theta.weight[:, :, 0, 0], x) + blk.theta.bias[None, :, None, None]
    phi = torch.einsum("oc,bchw->bohw", blk.phi.weight[:, :, 0, 0], x) + blk.phi.bias[None, :, None, None]
    ref = torch.softmax(theta.flatten(2).transpose(1, 2) @ phi.flatten(2), -1)
    torch.testing.assert_close(att, ref)
    torch.testing.assert_close(att.sum(-1), torch.ones(2, 30))
    torch.testing.assert_close(z, x)  # zero-initialised BN: identity
    torch.nn.init.ones_(blk.W_z[1].weight)
    z, att = blk(x)
    g = blk.g(x).flatten(2).transpose(1, 2)
    y = (att @ g).transpose(1, 2).reshape(2, 4, 5, 6)
    torch.testing.assert_close(z, x + blk.W_z(y))


def test_hrnet_with_nonlocal_returns_attention_on_its_branch_grid():
    m = zoo.build("hrnet_nl_lsp").eval()
    out = m(torch.randn(1, 3, 128, 128))
    assert out.attention_hw == (16, 16)
    assert out.attention.shape == (1, 256, 256)


@pytest.mark.parametrize("name", zoo.trainable_networks(None))  # what this project trains
def test_every_stage_loss_falls_when_overfitting_8_images(name, lsp):
    """The full training loss of every stage (belief maps, + PAFs, + charts) halves within 60 Adam steps."""
    from torch.utils.data import DataLoader

    from poseviz.training.dataset import LSPPoseDataset
    from poseviz.training.loop import task_losses

    torch.manual_seed(0)
    m = zoo.build(name)
    ds = LSPPoseDataset(lsp, np.arange(8), tuple(m.config.input_size), m.stride, 1.5, augment=None, task=zoo.ZOO[name].task)
    batch = next(iter(DataLoader(ds, batch_size=8)))
    opt = torch.optim.Adam(m.parameters(), lr=2e-3)
    jw = torch.ones(m.config.num_joints)
    m.train()
    first = first_ce = None
    for _ in range(60):
        out = m(batch["image"])
        losses = task_losses(out, batch, jw, torch.device("cpu"))
        first = losses.detach() if first is None else first
        if out.dense is not None:
            ce = torch.nn.functional.cross_entropy(out.dense.part_logits, batch["dense_i"]).detach()
            first_ce = ce if first_ce is None else first_ce
        if (losses.detach() < 0.5 * first).all() and (first_ce is None or ce < 0.5 * first_ce):
            break  # halved: no need to run the remaining steps
        opt.zero_grad()
        losses.sum().backward()
        opt.step()
    assert (losses.detach() < 0.5 * first).all(), (first, losses)
    if first_ce is not None:  # the chart head itself learns, not only the keypoint head
        assert ce < 0.5 * first_ce, (first_ce, ce)


def test_every_shipped_model_says_what_it_predicts_and_its_output_agrees():
    """The model protocol (poseviz.models.protocol): ``heads`` names exactly the extra outputs forward fills."""
    from poseviz.models import PoseModel, heads
    from poseviz.models.zoo import build, shipped_models

    expected = {"openpose_lsp": {"pafs"}, "hrnet_dense_lsp": {"charts"}, "hrnet_nl_lsp": {"attention"},
                "efficientpose_rt": {"skeleton_pafs"}, "efficientpose_i": {"skeleton_pafs"}}
    for name in shipped_models(None):
        model = build(name).eval()
        assert isinstance(model, PoseModel)
        assert heads(model) == expected.get(name, set()), name
        with torch.no_grad():
            out = model(torch.zeros(1, 3, 128, 128))
        assert (out.pafs is not None, out.dense is not None, out.attention is not None) == (
            bool({"pafs", "skeleton_pafs"} & heads(model)), "charts" in heads(model), "attention" in heads(model)), name
