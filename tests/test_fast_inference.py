"""BatchNorm folding and channels-last inference: same outputs as the eager model, original untouched."""
import numpy as np
import pytest
import torch
from torch import nn

from poseviz.inference.top_down import predict_person
from poseviz.io.images import load_image
from poseviz.models import hourglass as hg_module
from poseviz.models import zoo
from poseviz.models.fast_inference import count_batchnorms, fold_batchnorm, for_inference
from poseviz.models.pretrained import load_pretrained


def _randomise_batchnorms(model: nn.Module, seed: int = 0) -> None:
    """Non-trivial running statistics and affine parameters, so a wrong fold changes the output."""
    g = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            n = m.num_features
            m.running_mean.copy_(torch.randn(n, generator=g) * 0.5)
            m.running_var.copy_(torch.rand(n, generator=g) * 2 + 0.2)
            m.weight.data.copy_(torch.randn(n, generator=g))
            m.bias.data.copy_(torch.randn(n, generator=g) * 0.3)


def _all_tensors(out) -> list[torch.Tensor]:
    ts = [*out.stages, *out.features.values()]
    if out.pafs is not None:
        ts += out.pafs
    if out.dense is not None:
        ts += [out.dense.part_logits, out.dense.u, out.dense.v]
    if out.attention is not None:
        ts.append(out.attention)
    return ts


def _expected_left(model: nn.Module) -> int:
    """BNs that cannot fold: the hourglass's pre-activation bn1 (it reads the block input)."""
    return sum(isinstance(m, hg_module.Bottleneck) for m in model.modules())


@pytest.mark.parametrize("name", zoo.list_zoo(None))
def test_fast_model_matches_the_eager_model(name):
    torch.manual_seed(0)
    model = zoo.build(name).eval()
    _randomise_batchnorms(model)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    n_bn = count_batchnorms(model)
    fast = for_inference(model)
    w, h = model.config.input_size
    x = torch.randn(2, 3, h, w)
    with torch.inference_mode():
        ref, got = model(x), fast(x)
    for a, b in zip(_all_tensors(ref), _all_tensors(got)):
        assert b.is_contiguous()  # decoders .view() these
        scale = a.abs().max().item() + 1e-6
        assert (a - b).abs().max().item() <= 1e-4 * scale
    assert count_batchnorms(fast) == _expected_left(model)
    assert count_batchnorms(model) == n_bn > _expected_left(model)  # the original keeps its layers …
    for k, v in model.state_dict().items():  # … and its weights
        assert torch.equal(v, before[k]), k
    assert not any(p.requires_grad for p in fast.parameters())


def test_fold_count_and_a_wrong_pair_would_show():
    # A conv-BN Sequential folds once; swapping a declared pair to the wrong BN changes the output.
    torch.manual_seed(0)
    seq = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU())
    _randomise_batchnorms(seq)
    folded, n = fold_batchnorm(seq)
    assert n == 1 and isinstance(folded[1], nn.Identity) and isinstance(seq[1], nn.BatchNorm2d)
    x = torch.randn(1, 3, 8, 8)
    torch.testing.assert_close(folded(x), seq.eval()(x), rtol=1e-5, atol=1e-5)

    block = hg_module.Bottleneck(8, 4).eval()
    _randomise_batchnorms(block)
    good, n = fold_batchnorm(block)
    assert n == 2
    x = torch.randn(1, 8, 8, 8)
    torch.testing.assert_close(good(x), block(x), rtol=1e-4, atol=1e-5)
    wrong_pairs = (("conv2", "bn2"),)  # bn2 reads conv1, not conv2: folding it there would be wrong
    original = hg_module.Bottleneck.conv_bn_pairs
    try:
        hg_module.Bottleneck.conv_bn_pairs = wrong_pairs
        bad, _ = fold_batchnorm(block)
        assert (bad(x) - block(x)).abs().max() > 1e-2
    finally:
        hg_module.Bottleneck.conv_bn_pairs = original


@pytest.mark.parametrize("name", zoo.shipped_models("keypoints"))
def test_shipped_weights_predict_the_same_keypoints(name, lsp):
    model = load_pretrained(name)
    fast = for_inference(model)
    rgb = load_image(lsp.image_path(1000)).rgb  # first test image
    box = (0.0, 0.0, float(rgb.shape[1]), float(rgb.shape[0]))
    ref = predict_person(model, rgb, box, flip=True)
    got = predict_person(fast, rgb, box, flip=True)
    np.testing.assert_allclose(got.keypoints[:, :2], ref.keypoints[:, :2], atol=1e-2)
    np.testing.assert_allclose(got.keypoints[:, 2], ref.keypoints[:, 2], atol=1e-4)
