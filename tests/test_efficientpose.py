"""EfficientPose RT and I: the authors' graph and weights run by ``KerasGraph``, checked against their reference."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from conftest import ROOT, SHARED
from poseviz.core.schemas import MPII16
from poseviz.models import create_model
from poseviz.models.efficientpose import AUTHORS_JOINTS, STAGE_NAMES, VARIANTS
from poseviz.models.fast_inference import count_batchnorms, for_inference
from poseviz.models.keras_graph import KerasGraph, same_padding
from poseviz.models.pretrained import read_state_dict

AUTHORS = SHARED / "models" / "efficientpose"
TAGS = {"rt": "RT", "i": "I"}


def _shipped(variant: str):
    model = create_model("efficientpose", variant=variant).eval()
    model.load_state_dict(read_state_dict(ROOT / "assets" / f"efficientpose_{variant}.safetensors"))
    return model


def test_same_padding_is_tensorflows():
    # TensorFlow: out = ceil(n / s), total = max((out - 1) s + k - n, 0), the odd pixel after.
    assert same_padding(224, 3, 2) == (0, 1)  # stride 2 pads only bottom/right on an even size
    assert same_padding(112, 5, 2) == (1, 2)
    assert same_padding(28, 5, 1) == (2, 2)
    assert same_padding(7, 3, 2) == (1, 1)
    assert same_padding(28, 1, 1) == (0, 0)


def test_a_hand_built_graph_computes_what_its_layers_say():
    graph = [{"name": "x", "op": "input", "inputs": []},
             {"name": "c", "op": "conv", "inputs": ["x"], "cin": 1, "cout": 1, "kernel": 3, "stride": 2, "groups": 1, "bias": False},
             {"name": "m", "op": "spatial_mean", "inputs": ["c"]},
             {"name": "g", "op": "sigmoid", "inputs": ["m"]},
             {"name": "y", "op": "mul", "inputs": ["g", "c"]}]
    net = KerasGraph(graph, ["c", "y"])
    with torch.no_grad():
        net.layers["c"].conv.weight.fill_(1.0)
    x = torch.arange(16.0).reshape(1, 1, 4, 4)
    out = net(x)
    # "same", stride 2 on 4 px: no padding before, one row/column after; windows start at 0 and 2.
    xp = F.pad(x, (0, 1, 0, 1))
    expected = torch.stack([torch.stack([xp[0, 0, r:r + 3, c:c + 3].sum() for c in (0, 2)]) for r in (0, 2)])
    assert torch.equal(out["c"][0, 0], expected)
    assert torch.allclose(out["y"], torch.sigmoid(expected.mean()) * out["c"])
    with pytest.raises(ValueError, match="does not know: lstm"):
        KerasGraph([{"name": "x", "op": "lstm", "inputs": []}], ["x"])


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_every_pass_is_returned_in_mpii_order(variant):
    model = _shipped(variant)
    side = VARIANTS[variant]
    x = torch.randn(1, 3, side, side, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        out = model(x)
        raw = model.net(x)
    assert out.stage_names == list(STAGE_NAMES) and [tuple(s.shape) for s in out.stages] == [(1, 16, side, side)] * 3
    assert tuple(out.pafs[0].shape) == (1, 28, side // 8, side // 8)
    final = raw[model.net.outputs[-1]]
    for j, name in enumerate(MPII16.joints):
        assert torch.equal(out.heatmaps[0, j], final[0, AUTHORS_JOINTS.index(name)]), name
    pass3 = F.interpolate(raw[model.net.outputs[2]], size=(side, side), mode="bilinear", align_corners=False)
    assert torch.equal(out.stages[1][0, MPII16.index("head_top")], pass3[0, 0])


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_the_shipped_weights_reproduce_their_committed_reference(variant):
    ref = np.load(ROOT / "tests" / "data" / "efficientpose_reference.npz")
    side = VARIANTS[variant]
    x = torch.randn(1, 3, side, side, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        out = _shipped(variant)(x)
    np.testing.assert_allclose(F.avg_pool2d(out.heatmaps, 8).numpy(), ref[f"{variant}_final_avgpool8"], rtol=0, atol=1e-5)
    np.testing.assert_allclose(out.pafs[0].mean((2, 3)).numpy(), ref[f"{variant}_pafs_mean"], rtol=0, atol=1e-5)


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_folding_batchnorm_keeps_the_output(variant):
    model = _shipped(variant)
    fast = for_inference(model)
    assert count_batchnorms(model) > 40 and count_batchnorms(fast) == 0
    side = VARIANTS[variant]
    x = torch.randn(1, 3, side, side, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        a, b = model(x).heatmaps, fast(x).heatmaps
    assert float((a - b).abs().max() / a.abs().max()) < 1e-4


@pytest.mark.devdata
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_equal_to_the_authors_network(variant):
    """The authors' Keras file read afresh equals their reference output to 1e-4 (relative)."""
    from poseviz.models.keras_import import read_keras_model

    if not AUTHORS.is_dir():
        pytest.skip("../shared/models/efficientpose is not here")
    graph, outputs, state, size = read_keras_model(AUTHORS / f"EfficientPose{TAGS[variant]}.h5")
    assert size == VARIANTS[variant]
    net = KerasGraph(graph, outputs).eval()
    net.load_state_dict(state, strict=True)
    ref = np.load(AUTHORS / f"reference_{TAGS[variant]}.npz")
    with torch.no_grad():
        final = net(torch.from_numpy(ref["input"]))[outputs[-1]]
    pooled = F.avg_pool2d(final, 4).numpy()
    assert np.abs(pooled - ref["final_output_avgpool4"]).max() <= 1e-4 * np.abs(ref["final_output_avgpool4"]).max()
    np.testing.assert_array_equal(final.flatten(2).argmax(-1).numpy(), ref["final_output_argmax"])
    np.testing.assert_allclose(final.flatten(2).max(-1).values.numpy(), ref["final_output_max"], rtol=1e-4)


def test_receptive_field_walks_the_graph_with_tensorflow_padding():
    """Hand-derived (size, jump, start of unit 0) at RT's 224 px: the stem's 3×3 stride-2 convolution pads nothing
    before (TensorFlow "same" on an even size), so unit 0 sees pixels 0–2, centre 1; block 1a's 3×3 depthwise
    adds 2 × 2 px; block 2a's 3×3 stride-2 depthwise at 112 px again pads nothing before: size 7 + 2 × 2 = 11,
    jump 4, centre 1 + 1 × 2 = 3."""
    from poseviz.explain.receptive_field import receptive_fields, stage_receptive_fields

    rows = {r.name: r.rf for r in receptive_fields(create_model("efficientpose", variant="rt"))}
    assert (rows["stem_conv_res1"].size, rows["stem_conv_res1"].jump, rows["stem_conv_res1"].start) == (3, 2, 1)
    assert (rows["block1a_dwconv_res1"].size, rows["block1a_dwconv_res1"].start) == (7, 1)
    assert (rows["block2a_dwconv_res1"].size, rows["block2a_dwconv_res1"].jump, rows["block2a_dwconv_res1"].start) == (11, 4, 3)
    stages = stage_receptive_fields(create_model("efficientpose", variant="rt"))
    assert [r.name for r in stages] == list(STAGE_NAMES)
    assert [r.rf.jump for r in stages] == [8, 8, 1] and stages[0].rf.size < stages[1].rf.size < stages[2].rf.size


def test_each_named_paf_pair_points_along_its_limb_on_the_bundled_photos():
    """Pass 1's channel pairs (``SKELETON_PAF_LIMBS``): sampled along the segment between the two predicted joints of
    its limb, a named pair's field points from the first joint to the second (mean dot product with the segment's
    unit vector > 0.15), more than any other pair's field does along that limb."""
    import poseviz
    from poseviz.core.geometry import apply_affine
    from poseviz.gallery import gallery_photos
    from poseviz.inference.people import predict_everyone
    from poseviz.io.images import load_image
    from poseviz.models.efficientpose import SKELETON_PAF_LIMBS, skeleton_paf_labels

    model = poseviz.load_model("efficientpose_rt")
    named = [(k, MPII16.index(a), MPII16.index(b)) for k, limb in enumerate(SKELETON_PAF_LIMBS) if limb for a, b in [limb]]
    sums, counts = np.zeros((len(named), 14)), np.zeros(len(named))
    photos = [p for p in gallery_photos() if p.path.name[:2] in ("01", "05", "08", "09", "10", "11")]
    for photo in photos:
        for person in predict_everyone(model, load_image(photo.path).rgb, refine=0)[:2]:
            pred = person.prediction
            paf = pred.output.pafs[0][0].numpy()
            h, w = paf.shape[1:]
            xy = apply_affine(pred.keypoints[:, :2], pred.transform.matrix) / (pred.crop.shape[1] / w) - 0.5
            for n, (_, a, b) in enumerate(named):
                v = xy[b] - xy[a]
                if min(pred.keypoints[a, 2], pred.keypoints[b, 2]) < 0.3 or np.linalg.norm(v) < 2:
                    continue
                u = v / np.linalg.norm(v)
                cells = np.clip(np.rint([xy[a] + t * v for t in np.linspace(0.1, 0.9, 9)]), 0, [w - 1, h - 1]).astype(int)
                along = paf[0::2, cells[:, 1], cells[:, 0]] * u[0] + paf[1::2, cells[:, 1], cells[:, 0]] * u[1]
                sums[n] += along.mean(axis=1)
                counts[n] += 1
    assert (counts >= 3).all(), counts
    mean = sums / counts[:, None]
    for n, (k, _, _) in enumerate(named):
        assert mean[n, k] > 0.15 and mean[n, k] == mean[n].max(), (skeleton_paf_labels()[k], mean[n].round(2))
