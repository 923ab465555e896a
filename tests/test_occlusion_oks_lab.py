"""Occlusion tools and the OKS laboratory's error taxonomy."""
import numpy as np
import pytest
import torch
from torch import nn

from poseviz.explain.occlusion import Occluder, apply_occluders, integrated_gradients, occlusion_sensitivity, visibility_accuracy
from poseviz.explain.oks_errors import classify_errors, mirror_permutation, oks_curve
from poseviz.models import PoseOutput


class _RegionModel(nn.Module):
    """Joint 0's belief map is the mean brightness of rows 40–63, columns 70–93 (and nothing else)."""

    def forward(self, x):
        region = x[:, :, 40:64, 70:94].mean(dim=(1, 2, 3))
        hm = region[:, None, None, None].expand(-1, 1, 32, 32) * torch.ones(1, 1, 32, 32)
        return PoseOutput(stages=[hm], stage_names=["out"])


def test_occlusion_sensitivity_peaks_in_the_region_the_joint_depends_on():
    crop = np.full((128, 128, 3), 230, np.uint8)
    sens = occlusion_sensitivity(_RegionModel(), crop, 0, window=16, stride=8)
    ys, xs = np.nonzero(sens > 0.5 * sens.max())
    assert 40 - 16 < ys.min() and ys.max() < 64 + 16 and 70 - 16 < xs.min() and xs.max() < 94 + 16
    far = sens[:16, :16]
    assert np.abs(far).max() == 0
    ig = integrated_gradients(_RegionModel(), crop, 0, steps=8)
    assert ig[40:64, 70:94].sum() == pytest.approx(ig.sum(), rel=1e-6)


@pytest.mark.parametrize("fill", ["grey", "noise", "blur", "patch", "limb"])
def test_occluders_change_only_their_rectangle(fill):
    img = np.random.default_rng(0).integers(0, 256, size=(60, 80, 3), dtype=np.uint8)
    out = apply_occluders(img, [Occluder(10, 20, 30, 15, fill)])
    diff = np.any(out != img, -1)
    assert diff.any()
    ys, xs = np.nonzero(diff)
    assert ys.min() >= 20 and ys.max() < 35 and xs.min() >= 10 and xs.max() < 40
    with pytest.raises(ValueError, match="unknown occluder fill"):
        apply_occluders(img, [Occluder(0, 0, 5, 5, "paint")])


def test_error_taxonomy():
    names = ["left_wrist", "right_wrist", "left_knee", "right_knee"]
    sig = np.array([0.062, 0.062, 0.087, 0.087])
    area = 10000.0
    gt = np.array([[100, 100, 2], [200, 100, 2], [100, 300, 2], [200, 300, 0]], float)
    other = np.array([[400, 100, 2], [500, 100, 2], [400, 300, 2], [500, 300, 2]], float)
    r85 = oks_curve(np.array([1.0]), area, sig[0])  # a 1 px error is "good"
    assert r85[0] > 0.85
    pred = np.array([[101, 100], [200 + 10, 100], [200, 300], [0, 0]], float)  # good, jitter, ...
    pred[2] = gt[3, :2] + 0  # left knee predicted on the right knee, which is unlabelled → miss, not inversion
    errs = classify_errors(pred, gt, area, sig, mirror_permutation(names), [(other, area)])
    assert errs[:2] == ["good", "jitter"] and errs[3] is None
    assert errs[2] == "miss"
    pred2 = pred.copy()
    pred2[0] = gt[1, :2]  # left wrist on the right wrist → inversion
    pred2[2] = other[2, :2]  # left knee on another person's knee → swap
    errs2 = classify_errors(pred2, gt, area, sig, mirror_permutation(names), [(other, area)])
    assert errs2[0] == "inversion" and errs2[2] == "swap"


def test_visibility_accuracy_splits_by_lsp_flag():
    correct = np.array([[True, False], [True, True]])
    vis = np.array([[2, 1], [2, 1]])
    r = visibility_accuracy(correct, vis)
    assert r["visible"] == 100 and r["occluded"] == 50 and r["occluded joints"] == 2


def test_instances_from_results_match_the_core_oks(coco_gt):
    from poseviz.explain.oks_errors import instances_from_results
    from poseviz.metrics import coco_keypoint_eval

    rng = np.random.default_rng(0)
    results = []
    for a in coco_gt.annotations:
        kp = np.array(a["keypoints"], float).reshape(-1, 3)
        kp[:, :2] += rng.normal(0, 3, size=(17, 2))
        results.append({"image_id": a["image_id"], "category_id": 1, "keypoints": kp.ravel().tolist(), "score": 0.9})
    inst, data, sig = instances_from_results(coco_gt, results)
    ev = coco_keypoint_eval(data, results, sig)
    best = {}
    for img, ious in ev.ious.items():
        for g, a in enumerate(coco_gt.annotations_of(img)):
            if ious.size:
                best[a["id"]] = ious[:, g].max()
    for i in inst:
        assert i.oks == pytest.approx(best[i.ann_id], abs=1e-9)
    assert len(inst) == sum(1 for a in coco_gt.annotations if not a["iscrowd"] and a["num_keypoints"] > 0)


def test_occlusion_sweep_matches_one_crop_at_a_time(lsp):
    """The sweep batches an image's crops and runs the clean crop once; the scores must not change."""
    from poseviz.core.geometry import box_to_center_scale, crop_transform, warp_crop
    from poseviz.core.heatmaps import decode, heatmap_to_input
    from poseviz.core.preprocess import to_tensor
    from poseviz.data.lsp import joints_box, lsp_split
    from poseviz.explain.occlusion import occlusion_sweep
    from poseviz.inference.top_down import DEFAULT_ENLARGE
    from poseviz.metrics.pck import lsp_torso_size, pck
    from poseviz.models.pretrained import load_pretrained
    from poseviz.training.dataset import load_images

    model = load_pretrained("hrnet_nl_lsp").eval()
    idx = lsp_split("test")[:4]
    images = load_images(lsp, idx)
    sizes, grid = (0.0, 0.25, 0.45), 2
    res = occlusion_sweep(model, lsp, idx, sizes=sizes, grid=grid, images=images, progress=False)

    centres = [((i + 0.5) / grid, (j + 0.5) / grid) for j in range(grid) for i in range(grid)]
    preds = np.zeros((len(sizes), len(centres), len(idx), 14, 2))
    for n, (img, i) in enumerate(zip(images, idx)):
        c, s = box_to_center_scale(joints_box(lsp.joints[i]), 1.0, DEFAULT_ENLARGE)
        t = crop_transform(c, s, (128, 128))
        crop = warp_crop(img, t)
        for si, size in enumerate(sizes):
            for p, (cx, cy) in enumerate(centres):
                side = size * 128
                occ = apply_occluders(crop, [Occluder(cx * 128 - side / 2, cy * 128 - side / 2, side, side, "grey")]) if size else crop
                with torch.no_grad():
                    hm = model(to_tensor(occ[None])).heatmaps.numpy()
                xy = heatmap_to_input(decode(hm, "dark", dark_blur_kernel=3)[0], 128 / hm.shape[-1])[0]
                preds[si, p, n] = t.to_image(xy)
    gt = lsp.joints[idx]
    want = np.array([[pck(preds[si, p], gt, lsp_torso_size(gt)).mean for p in range(len(centres))] for si in range(len(sizes))])
    np.testing.assert_allclose(res.pck_per_position, want, atol=1e-9)
    assert np.ptp(res.pck_per_position[0]) == 0  # the clean crop scores the same at every "position"
    assert res.pck[0] > res.pck[-1]  # a 45 % square costs this trained model joints
    pck_ci, drop_ci = res.intervals()
    assert ((pck_ci[:, 0] <= res.pck + 1e-9) & (res.pck <= pck_ci[:, 1] + 1e-9)).all()
    assert tuple(drop_ci[0]) == (0.0, 0.0) and drop_ci[-1, 0] <= res.drop[-1] <= drop_ci[-1, 1]


def test_occluded_crop_pixels_land_back_in_the_photo():
    from poseviz.core.geometry import crop_transform, warp_crop
    from poseviz.explain.occlusion import occlude_photo

    photo = np.full((60, 80, 3), 100, np.uint8)
    t = crop_transform(np.array([40.0, 30.0]), np.array([0.2, 0.2]), (40, 40))  # a 40-px box, 1:1
    crop = warp_crop(photo, t)
    occluded = crop.copy()
    occluded[10:20, 10:20] = 7
    out = occlude_photo(photo, crop, occluded, t.inverse)
    assert (out == 7).all(-1).sum() == 100  # exactly the 10 × 10 occluder, nothing else
    assert out[30, 40, 0] == 100 and (out != 7).all(-1).sum() == 60 * 80 - 100


def test_occlusion_table_scores_pck_by_hand():
    from poseviz.core.schemas import LSP14
    from poseviz.explain.occlusion import occlusion_table

    gt = np.zeros((14, 3))
    gt[:, 2] = 2
    gt[LSP14.index("right_shoulder"), :2] = (0, 0)
    gt[LSP14.index("left_hip"), :2] = (0, 100)  # torso 100 px: PCK@0.2 tolerance 20 px
    clean = gt.copy()
    clean[:, 2] = 0.5
    occluded = clean.copy()
    occluded[0, :2] += (25, 0)  # right ankle pushed out of tolerance
    occluded[1, :2] += (15, 0)  # right knee still within
    rows = occlusion_table(LSP14.joints, clean, occluded, gt)
    assert rows[0]["moved (image px)"] == 25.0 and rows[0]["correct clean (PCK@0.2)"] and not rows[0]["correct occluded"]
    assert rows[1]["correct occluded"] and all(r["correct clean (PCK@0.2)"] for r in rows)
    assert "correct occluded" not in occlusion_table(LSP14.joints, clean, occluded)[0]


def test_lsp_ground_truth_only_for_lsp_images(lsp, tmp_path):
    from conftest import LSP_ROOT
    from poseviz.data.lsp import lsp_ground_truth

    np.testing.assert_array_equal(lsp_ground_truth(LSP_ROOT / "images" / "im1004.jpg", LSP_ROOT), lsp.joints[1003])
    (tmp_path / "im1004.jpg").write_bytes(b"x")
    assert lsp_ground_truth(tmp_path / "im1004.jpg", LSP_ROOT) is None
    assert lsp_ground_truth(None) is None


def test_informative_instance_prefers_labelled_joints_then_area():
    from poseviz.explain.oks_errors import Instance, informative_instance

    def inst(n_labelled, area):
        gt = np.zeros((12, 3))
        gt[:n_labelled, 2] = 2
        return Instance(1, 1, gt, gt.copy(), area, (0, 0, 1, 1))

    assert informative_instance([inst(1, 5000.0), inst(12, 900.0), inst(12, 2000.0), inst(3, 9e4)]) == 2


def test_attribution_display_is_not_dominated_by_a_few_pixels():
    """Integrated gradients are heavy-tailed: one pixel 1000× the rest must not blank the map (scaled by the maximum,
    the rest would show 0.001); scaling by the 98th percentile keeps it visible, and a zero map stays zero."""
    import numpy as np

    from poseviz.explain.occlusion import attribution_display

    a = np.ones((50, 50))
    a[0, 0] = 1000.0
    shown = attribution_display(a)
    assert np.median(shown) == 1.0 and shown.max() == 1.0
    b = np.linspace(0, 1, 100).reshape(10, 10)
    assert np.isclose(attribution_display(b)[5, 0], 0.5 / np.percentile(b, 98), atol=0.02)
    assert not attribution_display(np.zeros((4, 4))).any()


def test_an_mpii_models_occlusion_table_is_scored_on_the_lsp_joints_it_shares():
    from poseviz.core.schemas import LSP14, MPII16
    from poseviz.explain.occlusion import occlusion_pck, occlusion_table

    rng = np.random.default_rng(0)
    gt = np.column_stack([rng.uniform(50, 150, (14, 2)), np.full(14, 2.0)])
    gt[LSP14.index("right_shoulder"), :2], gt[LSP14.index("left_hip"), :2] = (60, 60), (140, 160)  # torso 128 px
    clean = np.zeros((16, 3))
    for i, name in enumerate(MPII16.joints):
        lsp = "neck" if name == "upper_neck" else name
        if lsp in LSP14.joints:
            clean[i, :2] = gt[LSP14.index(lsp), :2]
    occluded = clean.copy()
    occluded[MPII16.index("right_wrist"), :2] += 100  # far beyond 0.2 × torso
    rows = occlusion_table(MPII16.joints, clean, occluded, gt)
    by = {r["joint"]: r for r in rows}
    assert len(rows) == 16 and by["pelvis"]["correct occluded"] is None and by["thorax"]["correct clean (PCK@0.2)"] is None
    assert by["upper_neck"]["correct clean (PCK@0.2)"] is True and by["right_wrist"]["correct occluded"] is False
    assert occlusion_pck(rows) == (100.0, pytest.approx(100 * 13 / 14))


def test_the_occlusion_mask_scales_with_the_crop():
    from poseviz.explain.occlusion import occlusion_window

    assert occlusion_window(np.zeros((128, 128, 3))) == 16 and occlusion_window(np.zeros((224, 224, 3))) == 28


def test_one_sweep_for_every_joint_equals_captums_sweep_per_joint():
    """The Occlusion page reads every joint from one sweep; captum's Occlusion (one joint per sweep) is the reference."""
    from poseviz.explain.occlusion import occlusion_sensitivity_all
    from poseviz.models.pretrained import load_pretrained

    model = load_pretrained("cpm_lsp")
    crop = (np.random.default_rng(3).random((128, 128, 3)) * 255).astype(np.uint8)
    every = occlusion_sensitivity_all(model, crop, window=32, stride=16)
    assert every.shape == (14, 128, 128)
    for joint in (0, 9):
        np.testing.assert_allclose(every[joint], occlusion_sensitivity(model, crop, joint, window=32, stride=16), atol=1e-5)
    assert np.abs(every).max() > 1e-3  # the sweep found something to attribute


def _sweep(correct: np.ndarray) -> "SweepResult":
    from poseviz.explain.occlusion import SweepResult

    labelled = np.ones(correct.shape[2:], bool)
    per_pos = 100 * correct.mean((2, 3))
    return SweepResult(np.array([0.0, 0.3]), per_pos.mean(1), per_pos, correct, labelled)


def test_compare_sweeps_gives_the_difference_of_drops_with_a_paired_interval():
    from poseviz.explain.occlusion import compare_sweeps

    rng = np.random.default_rng(0)
    clean = rng.random((30, 14)) < 0.8  # 30 people, one position; both models alike when unoccluded
    a_occ, b_occ = clean.copy(), clean.copy()
    a_occ[:, :4] = False  # under the square, a loses 4 joints of each person, b loses 2
    b_occ[:, :2] = False
    a, b = _sweep(np.stack([clean, a_occ])[:, None]), _sweep(np.stack([clean, b_occ])[:, None])
    want = 100 * ((clean[:, 2:4]).sum() / clean.size)  # the extra joints a loses, as a share of all joints
    rows = compare_sweeps(a, b, ("a", "b"))
    assert rows[0]["a drops more by (points)"] == 0 and rows[0]["95 % CI (paired)"] == "0.0 – 0.0"
    assert rows[1]["a drops more by (points)"] == pytest.approx(want, abs=0.05)
    lo, hi = (float(x) for x in rows[1]["95 % CI (paired)"].split(" – "))
    assert 0 < lo < want < hi
    assert compare_sweeps(b, a, ("b", "a"))[1]["b drops more by (points)"] == pytest.approx(-want, abs=0.05)
    with pytest.raises(ValueError, match="same people"):
        compare_sweeps(a, _sweep(np.stack([clean[:10], b_occ[:10]])[:, None]), ("a", "b"))
