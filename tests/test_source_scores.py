"""eval's three sources: COCO with ground-truth boxes against pycocotools, refusals, path safety."""
from __future__ import annotations

import contextlib
import copy
import io

import numpy as np
import pytest
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from conftest import COCO_MINI, SHARED
from poseviz.cli import main
from poseviz.core.errors import PoseVizInputError
from poseviz.data.paths import resolve_inside
from poseviz.io.images import load_image
from poseviz.metrics.evaluation import evaluate_coco_boxes
from poseviz.metrics.source_scores import score_sources
from poseviz.models import zoo
from poseviz.models.pretrained import load_pretrained

needs_data = pytest.mark.skipif(not (SHARED / "data" / "mpii").is_dir(), reason="needs the development data (../shared/data)")


@needs_data
def test_coco_box_ap_equals_pycocotools(coco_gt):
    model = load_pretrained("cpm_lsp")
    ev, results, parts = evaluate_coco_boxes(model, coco_gt, lambda im: load_image(COCO_MINI / "train2017" / im["file_name"],
                                                                             max_side=None).rgb, progress=False)
    # the 86 non-crowd people with labelled joints, less the 2 with none of the 12 body joints labelled
    assert len(results) == 84
    assert parts.people_whole + parts.people_partial == 84 and parts.people_whole == 31  # the sample's whole people
    from poseviz.core.schemas import LSP14
    from poseviz.explain.oks_errors import restrict_dataset

    data, sigmas, keep = restrict_dataset(coco_gt, LSP14)
    assert len(keep) == 12
    with contextlib.redirect_stdout(io.StringIO()):
        cg = COCO()
        cg.dataset = copy.deepcopy(data)
        cg.createIndex()
        cd = cg.loadRes(copy.deepcopy(results))
        ref = COCOeval(cg, cd, "keypoints")
        ref.params.kpt_oks_sigmas = sigmas
        ref.evaluate()
        ref.accumulate()
        ref.summarize()
    assert np.allclose(ev.stats, ref.stats, atol=1e-9)
    assert 0.05 < ev.stats[0] < 0.9


def test_eval_refuses_nonsense_limits_and_alpha(capsys):
    assert main(["eval", "--model", "cpm_lsp", "--limit", "0"]) == 2
    assert "--limit must be a whole number ≥ 1" in capsys.readouterr().err
    assert main(["eval", "--model", "cpm_lsp", "--limit", "-5"]) == 2
    assert main(["eval", "--model", "cpm_lsp", "--alpha", "nan"]) == 2
    assert "--alpha must be a number in (0, 1]" in capsys.readouterr().err
    assert main(["eval", "--model", "cpm_lsp", "--sources", "lsp,kitti"]) == 2
    assert "unknown evaluation source 'kitti'" in capsys.readouterr().err


def test_missing_coco_file_is_named(tmp_path):
    with pytest.raises(PoseVizInputError, match="COCO keypoint file not found"):
        score_sources(zoo.build("cpm_lsp"), ("coco",), root=tmp_path, progress=False)


def test_image_names_cannot_leave_the_folder(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "secret.jpg").write_bytes(b"x")
    for name in ("../secret.jpg", str(tmp_path / "secret.jpg")):
        with pytest.raises(PoseVizInputError, match="outside the images folder"):
            resolve_inside(tmp_path / "images", name)
    (tmp_path / "images" / "link.jpg").symlink_to(tmp_path / "secret.jpg")
    with pytest.raises(PoseVizInputError, match="outside the images folder"):
        resolve_inside(tmp_path / "images", "link.jpg")
    assert resolve_inside(tmp_path / "images", "a.jpg") == (tmp_path / "images" / "a.jpg").resolve()


@needs_data
def test_eval_prints_all_three_sources(capsys):
    assert main(["eval", "--model", "cpm_lsp", "--limit", "5", "--json"]) == 0
    import json

    out = json.loads(capsys.readouterr().out)
    assert out["lsp"]["people"] == 5 and out["mpii"]["people"] == 5 and out["coco"]["images"] <= 5
    assert 0 <= out["lsp"]["mean"] <= 100 and 0 <= out["coco"]["AP"] <= 1


def test_eval_scores_a_users_mpii_style_folder(tmp_path, capsys):
    """Every person of a user's MPII-style folder, PCKh@0.5 (a perfect prediction is impossible to fake
    here, so check the count and range, and that a bad layout is refused naming the field)."""
    import json as _json

    import cv2

    (tmp_path / "images").mkdir()
    cv2.imwrite(str(tmp_path / "images" / "a.jpg"), np.full((120, 80, 3), 127, np.uint8))
    joints = [[40.0, 20.0 + 5 * k] for k in range(16)]
    (tmp_path / "annotations.json").write_text(_json.dumps({"people": [{"image": "a.jpg", "joints": joints}] * 3}))
    assert main(["eval", "--model", "cpm_lsp", "--sources", "mpii", "--mpii-root", str(tmp_path), "--json"]) == 0
    out = _json.loads(capsys.readouterr().out)
    assert out["mpii"]["people"] == 3 and 0 <= out["mpii"]["mean"] <= 100
    (tmp_path / "annotations.json").write_text(_json.dumps({"people": [{"image": "a.jpg", "joints": joints[:15]}]}))
    assert main(["eval", "--model", "cpm_lsp", "--sources", "mpii", "--mpii-root", str(tmp_path)]) == 2
    assert "'joints' must be 16 entries" in capsys.readouterr().err


def test_completeness_splits_whole_and_partial_people_and_scores_each_by_cocos_oks():
    """Two people by hand: a whole one predicted exactly (OKS 1) and an upper body alone, every
    labelled joint predicted 3 px off: OKS = mean exp(-d² / (2 · area · (2σ)²)) (COCO's definition)."""
    from poseviz.core.schemas import COCO17
    from poseviz.metrics.evaluation import completeness

    keep = list(range(5, 17))  # the 12 body joints
    names = [COCO17.joints[j] for j in keep]
    sigmas = COCO17.sigma_array[keep]
    xy = np.column_stack([np.linspace(10, 120, 12), np.linspace(20, 200, 12)])
    whole = np.column_stack([xy, np.full(12, 2.0)])
    upper = whole.copy()
    upper[6:, 2] = 0  # hips, knees, ankles unlabelled
    anns = [{"keypoints": whole.ravel().tolist(), "area": 4000.0}, {"keypoints": upper.ravel().tolist(), "area": 2500.0}]
    off = np.column_stack([xy + [3.0, 0.0], np.ones(12)])
    results = [{"keypoints": np.column_stack([xy, np.ones(12)]).ravel().tolist()}, {"keypoints": off.ravel().tolist()}]
    c = completeness(anns, results, names, sigmas)
    expected = np.mean(np.exp(-9.0 / (2 * 2500.0 * (2 * sigmas[:6]) ** 2)))
    assert (c.people_whole, c.people_partial) == (1, 1)
    assert c.mean_oks_whole == pytest.approx(1.0) and c.mean_oks_partial == pytest.approx(expected, rel=1e-6)
    assert 0.3 < expected < 0.99  # the offset matters but does not zero the score
