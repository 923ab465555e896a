"""OKS and AP/AR cross-checked against pycocotools on the coco-mini annotations."""
import contextlib
import copy
import io
import json
import subprocess
import sys

import numpy as np
import pytest
from pycocotools.cocoeval import COCOeval

from conftest import COCO_GT, ROOT
from poseviz.core.schemas import COCO17
from poseviz.metrics import coco_keypoint_eval, oks, oks_terms, tolerance_radius


def _perturbed_results(gt, seed):
    """Detections from the ground truth at several noise levels, some persons dropped, false ones added."""
    rng = np.random.default_rng(seed)
    res = []
    for a in gt.annotations:
        for noise in (0.0, 2.0, 8.0, 25.0):
            if rng.random() < 0.25:
                continue  # a missed person
            kp = np.array(a["keypoints"], float).reshape(-1, 3)
            kp[:, :2] += rng.normal(0, noise, size=(17, 2))
            kp[:, 2] = 1
            res.append({"image_id": a["image_id"], "category_id": 1, "keypoints": kp.ravel().tolist(), "score": float(rng.random())})
    ids = [im["id"] for im in gt.images]
    for _ in range(40):  # persons that are not there
        kp = rng.uniform(0, 500, size=(17, 3))
        kp[:, 2] = 1
        res.append({"image_id": int(rng.choice(ids)), "category_id": 1, "keypoints": kp.ravel().tolist(), "score": float(rng.random())})
    return res


def _pycoco(gt, res):
    with contextlib.redirect_stdout(io.StringIO()):
        cg = gt.to_pycocotools()
        cd = cg.loadRes(copy.deepcopy(res))
        ev = COCOeval(cg, cd, "keypoints")
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return ev


@pytest.mark.parametrize("seed", [0, 1])
def test_oks_equals_pycocotools_for_every_pair(coco_gt, seed):
    res = _perturbed_results(coco_gt, seed)
    ref = _pycoco(coco_gt, res)
    mine = coco_keypoint_eval(coco_gt.dataset, res, COCO17.sigma_array)
    pairs = 0
    for (img_id, _cat), ious in ref.ious.items():
        ious = np.asarray(ious)
        if ious.size == 0:
            continue
        np.testing.assert_allclose(mine.ious[img_id], ious, atol=1e-6, rtol=0)
        pairs += ious.size
    assert pairs > 200


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ap_ar_equal_cocoeval_summarize(coco_gt, seed):
    res = _perturbed_results(coco_gt, seed)
    ref = _pycoco(coco_gt, res)
    mine = coco_keypoint_eval(coco_gt.dataset, res, COCO17.sigma_array)
    np.testing.assert_allclose(mine.stats, ref.stats, atol=1e-4)
    assert 0.1 < mine.stats[0] < 0.95  # a real, non-trivial score


def test_coco_eval_cli_prints_the_summarize_stats(coco_gt, tmp_path):
    res = _perturbed_results(coco_gt, 3)
    path = tmp_path / "results.json"
    path.write_text(json.dumps(res))
    ref = _pycoco(coco_gt, res)
    out = subprocess.run([sys.executable, "-m", "poseviz", "coco-eval", str(COCO_GT), str(path), "--json"],
                         capture_output=True, text=True, cwd=ROOT, check=True)
    stats = np.array(list(json.loads(out.stdout).values()))
    assert stats.shape == (10,)
    np.testing.assert_allclose(stats, ref.stats, atol=1e-4)
    text = subprocess.run([sys.executable, "-m", "poseviz", "coco-eval", str(COCO_GT), str(path)],
                          capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert f"= {ref.stats[0]:0.3f}" in text and text.count("Average") == 10


def test_oks_by_hand():
    # one labelled joint 5 px off, s² = 400, σ = 0.1 → k = 0.2: exp(-25 / (2·400·0.04)) = exp(-25/32)
    gt = np.array([[10.0, 10.0, 2.0], [0.0, 0.0, 0.0]])
    dt = np.array([[13.0, 14.0], [99.0, 99.0]])
    assert oks(gt, dt, 400.0, np.array([0.1, 0.1])) == pytest.approx(np.exp(-25 / 32))
    terms = oks_terms(gt, dt, 400.0, np.array([0.1, 0.1]))
    assert terms[0] == pytest.approx(np.exp(-25 / 32)) and np.isnan(terms[1])


@pytest.mark.parametrize("t", [0.5, 0.75, 0.95])
def test_tolerance_radius_gives_the_stated_term(t):
    r = tolerance_radius(1234.0, 0.062, t)
    gt = np.array([[50.0, 50.0, 2.0]])
    assert oks_terms(gt, np.array([[50.0 + r, 50.0]]), 1234.0, np.array([0.062]))[0] == pytest.approx(t)


def test_bootstrap_intervals_hold_the_estimate_and_shrink_with_more_data():
    import numpy as np

    from poseviz.metrics.bootstrap import bootstrap_coco_ap, bootstrap_mean

    rng = np.random.default_rng(0)
    lo, hi = bootstrap_mean(rng.random(40))
    lo2, hi2 = bootstrap_mean(rng.random(4000))
    assert lo < 0.5 < hi and lo2 < 0.5 < hi2 and (hi2 - lo2) < (hi - lo) / 5  # √100 narrower, about
    # COCO AP: perfect predictions on every image give AP 1 on every resample
    sig = np.full(17, 0.05)
    images, anns, res = [], [], []
    for i in range(1, 7):
        kp = np.column_stack([rng.uniform(10, 90, 17), rng.uniform(10, 90, 17), np.full(17, 2)])
        images.append({"id": i, "width": 100, "height": 100})
        anns.append({"id": i, "image_id": i, "category_id": 1, "keypoints": kp.ravel().tolist(), "num_keypoints": 17,
                     "bbox": [0, 0, 100, 100], "area": 5000.0, "iscrowd": 0})
        res.append({"image_id": i, "category_id": 1, "keypoints": kp.ravel().tolist(), "score": 1.0})
    data = {"images": images, "annotations": anns, "categories": [{"id": 1, "name": "person"}]}
    assert bootstrap_coco_ap(data, res, sig, resamples=20) == (1.0, 1.0)
    res[0] = {**res[0], "keypoints": (np.array(res[0]["keypoints"]) + 40).tolist()}  # one image wrong
    lo, hi = bootstrap_coco_ap(data, res, sig, resamples=50)
    assert lo < hi <= 1.0 and lo < 0.9
