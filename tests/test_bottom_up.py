"""Bottom-up inference and its COCO evaluation, with an ideal network built from known poses;
chart outputs and chart scores."""
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from poseviz.core.dense import dense_targets
from poseviz.core.heatmaps import input_to_heatmap, make_targets
from poseviz.core.paf import paf_targets
from poseviz.core.schemas import COCO17, LSP14, map_keypoints
from poseviz.explain.oks_errors import restrict_dataset
from poseviz.inference.bottom_up import ONE_SCALE, PAPER_SCALES, evaluate_bottom_up, predict_people
from poseviz.metrics.dense_eval import chart_scores
from poseviz.models import DenseOutput, PoseOutput


class IdealNet(torch.nn.Module):
    """Returns the exact Gaussian beliefs and PAFs of ``self.people`` (image pixels) for the input it is given."""

    heads = frozenset({"pafs"})  # the model protocol: it predicts part affinity fields
    limbs = LSP14.skeleton
    stride = 4
    config = SimpleNamespace(schema="lsp14", input_size=(128, 128))

    def __init__(self):
        super().__init__()
        self.people, self.resize = [], 1.0
        self.image_long = None  # set: each input's resize is read from its size (images that need no padding)

    def forward(self, x):
        h, w = x.shape[-2] // 4, x.shape[-1] // 4
        resize = max(x.shape[-2:]) / self.image_long if self.image_long else self.resize
        grid = []
        for p in self.people:
            q = p.astype(np.float64).copy()
            q[:, :2] = input_to_heatmap((q[:, :2] + 0.5) * resize - 0.5, self.stride)
            grid.append(q)
        if grid:
            hm = np.max([make_targets(q, (w, h), sigma=1.0)[0] for q in grid], axis=0)
        else:
            hm = np.zeros((14, h, w))
        paf = paf_targets(grid, list(self.limbs), (h, w), width=1.0).reshape(-1, h, w)
        return PoseOutput(stages=[torch.tensor(hm[None], dtype=torch.float32)], stage_names=["output"],
                          pafs=[torch.tensor(paf[None], dtype=torch.float32)])


def _figure(x0: float, y0: float, size: float) -> np.ndarray:
    """A standing LSP-14 figure (x, y, v) with its head top at (x0, y0)."""
    rel = {"head_top": (0, 0), "neck": (0, .15), "right_shoulder": (-.12, .18), "left_shoulder": (.12, .18),
           "right_elbow": (-.18, .35), "right_wrist": (-.2, .5), "left_elbow": (.18, .35), "left_wrist": (.2, .5),
           "right_hip": (-.08, .52), "left_hip": (.08, .52), "right_knee": (-.09, .75), "right_ankle": (-.09, .98),
           "left_knee": (.09, .75), "left_ankle": (.09, .98)}
    kp = np.ones((14, 3))
    for name, (dx, dy) in rel.items():
        kp[LSP14.index(name), :2] = (x0 + dx * size, y0 + dy * size)
    return kp


@pytest.mark.parametrize("scales", [ONE_SCALE, PAPER_SCALES, (1.0, 1.5)], ids=["one", "paper", "two"])
def test_two_people_come_back_in_image_pixels(scales):
    """Every scale (long sides 128–512 px of a 400 × 300 image, none padded) sees the people where they are;
    resampled onto one grid and averaged, they come back within a third of a 256 px grid cell
    (a scale's maps misaligned by half a cell would move them by more)."""
    net = IdealNet()
    rgb = np.zeros((300, 400, 3), np.uint8)
    people = [_figure(100, 30, 250), _figure(300, 20, 260)]
    net.people, net.resize, net.image_long = people, 256 / 400, 400
    res = predict_people(net, rgb, long_side=256, scales=scales)
    assert len(res.people) == 2
    assert res.scales == scales
    if len(scales) > 1:  # the network's one stage, then the mean that was grouped, on the scale-1 grid
        assert res.stage_names == ("stage 1", "mean of scales ×" + ", ".join(f"{s:g}" for s in scales))
        assert res.stages[-1].shape == res.stages[0].shape and res.pafs[-1].shape == res.pafs[0].shape
        # every scale saw the same figures, so their mean matches the single scale's maps where they peak
        peak = np.unravel_index(res.stages[0][0].argmax(), res.stages[0][0].shape)
        assert res.stages[-1][0][peak] == pytest.approx(res.stages[0][0][peak], abs=0.25)
    else:
        assert res.stage_names == ("stage 1",)
    cell = net.stride / net.resize  # one grid cell in image pixels (6.25 px)
    got = sorted(res.people, key=lambda p: p[:, 0].mean())
    for g, want in zip(got, people):
        assert (g[:, 2] > 0).all()
        assert np.abs(g[:, :2] - want[:, :2]).max() < 0.3 * cell
    assert res.image.shape[0] % 8 == 0 and res.image.shape[1] % 8 == 0


def test_scales_that_cannot_run_are_refused():
    net = IdealNet()
    rgb = np.zeros((300, 400, 3), np.uint8)
    for bad in [(), (0.0,), (-1.0,), (float("nan"),)]:
        with pytest.raises(ValueError, match="positive"):
            predict_people(net, rgb, scales=bad)
    with pytest.raises(ValueError, match=r"\[32, 2048\] px"):
        predict_people(net, rgb, long_side=256, scales=(1.0, 10.0))


def test_coco_evaluation_of_bottom_up_results_equals_pycocotools(coco_gt):
    net = IdealNet()
    anns_by_image = {}
    for a in coco_gt.annotations:
        if not a["iscrowd"]:
            anns_by_image.setdefault(a["image_id"], []).append(a)

    def loader(im):
        kps = [map_keypoints(np.asarray(a["keypoints"], float).reshape(-1, 3), COCO17, LSP14) for a in anns_by_image.get(im["id"], [])]
        net.people = [np.column_stack([k[:, :2], (k[:, 2] > 0).astype(float)]) for k in kps]
        net.resize = 256 / max(im["width"], im["height"])
        return np.zeros((im["height"], im["width"], 3), np.uint8)

    ours, results = evaluate_bottom_up(net, coco_gt, loader, progress=False, scales=ONE_SCALE)
    data, sigmas, keep = restrict_dataset(coco_gt, LSP14)
    assert len(keep) == 12
    gt = COCO()
    gt.dataset = data
    gt.createIndex()
    ev = COCOeval(gt, gt.loadRes(results), "keypoints")
    ev.params.kpt_oks_sigmas = sigmas
    ev.evaluate()
    ev.accumulate()
    ev.summarize()
    np.testing.assert_allclose(ours.stats, ev.stats, atol=1e-9)
    assert ours.stats[0] > 0.4  # ideal maps: most people are found and placed within tolerance


def test_charts_pick_the_argmax_parts_coordinates():
    logits = torch.zeros(1, 3, 2, 2)
    logits[0, 0, 0, 0] = 5  # background
    logits[0, 1, 0, 1] = 5
    logits[0, 2, 1, :] = 5
    u = torch.rand(1, 2, 2, 2)
    v = torch.rand(1, 2, 2, 2)
    i, uu, vv = DenseOutput(logits, u, v).charts()
    assert i[0].tolist() == [[0, 1], [2, 2]]
    assert uu[0, 0, 0] == 0 and uu[0, 0, 1] == u[0, 0, 0, 1] and uu[0, 1, 0] == u[0, 1, 1, 0]
    assert vv[0, 1, 1] == v[0, 1, 1, 1]


def test_chart_scores_are_perfect_on_the_targets_and_drop_when_shifted():
    t = dense_targets(_figure(32, 4, 56)[:, :2], (64, 64))
    perfect = chart_scores([(t.I, t.U, t.V)], [t])
    assert perfect.miou == pytest.approx(1.0) and perfect.uv_error == 0
    assert perfect.miou_sideless == pytest.approx(1.0)
    shifted = chart_scores([(np.roll(t.I, 3, axis=1), t.U, t.V)], [t])
    assert 0 < shifted.miou < 0.9
    # every limb given its mirror part: per-part IoU of limbs drops to 0, the side-less IoU stays 1
    from poseviz.core.dense import PARTS

    mirror = np.array([PARTS.index(p.replace("right", "@").replace("left", "right").replace("@", "left")) for p in PARTS])
    swapped = chart_scores([(mirror[t.I], t.U, t.V)], [t])
    assert swapped.miou_sideless == pytest.approx(1.0) and np.nanmax(swapped.part_iou[3:]) == 0
    noisy = chart_scores([(t.I, np.clip(t.U + 0.1, 0, 1), t.V)], [t])
    assert noisy.miou == pytest.approx(1.0) and 0.02 < noisy.uv_error <= 0.05


@pytest.mark.devdata
def test_cli_predict_finds_every_person_with_a_paf_model(capsys):
    import json

    from conftest import COCO_MINI
    from poseviz.cli import main
    from poseviz.io.images import load_image
    from poseviz.models import zoo
    from poseviz.models.pretrained import load_pretrained

    path = sorted((COCO_MINI / "train2017").glob("*.jpg"))[0]
    name = zoo.shipped_models("paf")[0]
    assert main(["predict", str(path), "--model", name, "--json", "--bottom-up"]) == 0
    out = json.loads(capsys.readouterr().out)
    img = load_image(path)
    direct = predict_people(load_pretrained(name), img.rgb)
    assert len(out) == len(direct.people) >= 1  # the trained model finds people in this COCO image
    for r, kp, score in zip(out, direct.people, direct.scores):
        got = np.array(r["keypoints"]).reshape(-1, 3)
        found = kp[:, 2] > 0
        np.testing.assert_allclose(got[found, :2], img.to_original(kp[found, :2]), atol=0.01)
        assert (got[~found] == 0).all() and r["score"] == pytest.approx(score, abs=1e-4)


def test_chart_score_intervals_resample_images_and_pool_their_sums():
    t = dense_targets(_figure(32, 4, 56)[:, :2], (64, 64))
    same = chart_scores([(t.I, t.U, t.V)] * 5, [t] * 5).intervals()
    assert same["miou"] == pytest.approx((100.0, 100.0)) and same["uv_error"] == (0.0, 0.0)
    shifted = (np.roll(t.I, 3, axis=1), t.U, t.V)
    mixed = chart_scores([(t.I, t.U, t.V)] * 4 + [shifted] * 4, [t] * 8)
    alone = chart_scores([shifted], [t])
    lo, hi = mixed.intervals()["miou"]
    assert 100 * alone.miou < lo < 100 * mixed.miou < hi < 100  # the draws lie between all-shifted and all-perfect
