"""The failure atlas: rows checked against pycocotools and by hand, error rows, resuming, refusing to mix runs."""
from __future__ import annotations

import functools
import json
import shutil

import numpy as np
import pytest

from poseviz.atlas import build_atlas, open_source, read_atlas, spec_from
from poseviz.atlas.rows import crowd_index, match_detection
from poseviz.core.errors import PoseVizInputError

from conftest import SHARED


TWO_PHOTOS = ("05_yoga-warrior-indoor.jpg", "01_soccer-three-players.jpg")


@functools.cache
def _fixture_people(photos: tuple[str, ...] = TWO_PHOTOS, per_photo: int = 3) -> tuple[list[dict], list[dict]]:
    """Images and COCO-17 annotations made from two bundled photos: each person the detector finds, with
    hrnet_lsp's joints as its 'ground truth' (what matters here is the atlas's bookkeeping, not accuracy)."""
    import poseviz
    from poseviz.core.schemas import COCO17, LSP14, joint_mapping
    from poseviz.gallery import PHOTOS_DIR
    from poseviz.inference.person_boxes import person_candidates
    from poseviz.inference.top_down import predict_person
    from poseviz.io.images import load_image

    model = poseviz.load_model("hrnet_lsp")
    images, anns = [], []
    for n, name in enumerate(photos, start=1):
        rgb = load_image(PHOTOS_DIR / name, max_side=None).rgb
        images.append({"id": n, "file_name": name, "width": rgb.shape[1], "height": rgb.shape[0]})
        for c in person_candidates(rgb)[:per_photo]:
            kp = predict_person(model, rgb, c.crop_box).keypoints
            coco = np.zeros((17, 3))
            for i, j in joint_mapping(LSP14, COCO17):
                coco[j] = (*kp[i, :2].round(1), 2)
            x, y, w, h = (round(float(v), 1) for v in c.box)
            anns.append({"id": len(anns) + 1, "image_id": n, "category_id": 1, "keypoints": coco.ravel().tolist(),
                         "num_keypoints": 12, "bbox": [x, y, w, h], "area": w * h * 0.6, "iscrowd": 0})
    return images, anns


def _dataset(tmp_path, extra_images=(), extra_anns=(), photos: tuple[str, ...] = TWO_PHOTOS) -> tuple[str, str]:
    """A COCO keypoint file and images folder in ``tmp_path`` (see ``_fixture_people``)."""
    from poseviz.gallery import PHOTOS_DIR

    images, anns = _fixture_people(photos)
    folder = tmp_path / "images"
    folder.mkdir(exist_ok=True)
    for im in images:
        shutil.copy(PHOTOS_DIR / im["file_name"], folder / im["file_name"])
    from poseviz.core.schemas import COCO17

    cat = {"id": 1, "name": "person", "keypoints": list(COCO17.joints)}
    path = tmp_path / "people.json"
    path.write_text(json.dumps({"images": images + list(extra_images), "annotations": anns + list(extra_anns),
                                "categories": [cat]}))
    return str(path), str(folder)


def test_crowd_index_and_detection_matching_by_hand():
    from poseviz.inference.person_boxes import PersonCandidate

    me = {"keypoints": [10, 10, 2, 20, 20, 2, 0, 0, 0, 30, 30, 1], "bbox": [0, 0, 40, 40]}
    other = {"keypoints": [5, 5, 2, 35, 35, 2, 50, 50, 2, 0, 0, 0]}  # two of its labelled joints fall in my box
    assert crowd_index(me, [other]) == pytest.approx(2 / 3)
    assert crowd_index(me, []) == 0.0
    dets = [PersonCandidate((100, 100, 40, 40), 0.9, "detector"), PersonCandidate((2, 0, 40, 40), 0.5, "detector")]
    hit, iou = match_detection([0, 0, 40, 40], dets)
    assert hit == 1 and iou == pytest.approx(38 * 40 / (2 * 1600 - 38 * 40))
    assert match_detection([300, 300, 10, 10], dets)[0] is None


def test_bad_images_and_annotations_become_error_rows_and_the_rest_is_scored(tmp_path):
    good = _fixture_people()[1][0]
    missing = {"id": 99, "file_name": "nowhere.jpg", "width": 100, "height": 100}
    bad_ann = dict(good, id=501, keypoints=[1, 2, 2])  # 1 keypoint where 17 are declared
    on_missing = dict(good, id=502, image_id=99)
    path, folder = _dataset(tmp_path, [missing], [bad_ann, on_missing])
    m = build_atlas(spec_from(path, ["hrnet_lsp", "cpm_lsp"], images=folder, shard_size=3), tmp_path / "atlas", progress=False)
    df, _ = read_atlas(tmp_path / "atlas")
    people = len(_fixture_people()[1]) + 2
    assert m["people"] == people and len(df) == 2 * people
    bad = df.set_index(["ann_id", "model"])
    assert "annotation" in bad.loc[(501, "hrnet_lsp"), "error"] and "keypoints" in bad.loc[(501, "hrnet_lsp"), "error"]
    assert "nowhere.jpg" in bad.loc[(502, "cpm_lsp"), "error"]
    ok = df[df.error == ""]
    assert len(ok) == 2 * (people - 2) and ok.oks.between(0, 1).all()
    # the 'ground truth' is hrnet_lsp's own joints on the detector's box, so hrnet_lsp scores it near 1 on the
    # annotated box (the crop differs a little) and the other model lower
    by_model = ok.groupby("model").oks.mean()
    assert by_model["hrnet_lsp"] > 0.8 and by_model["hrnet_lsp"] > by_model["cpm_lsp"]
    row = ok.iloc[0]
    assert len(row.joints) == 12 and len(row.err_px) == 12 and set(row.error_class) <= {"good", "jitter", "inversion", "swap", "miss"}
    assert len(row.stage_peak) == len(row.stage_names) >= 1


def test_a_killed_run_resumes_without_duplicating_or_losing_rows(tmp_path, monkeypatch):
    import poseviz.atlas.build as build

    path, folder = _dataset(tmp_path)
    spec = spec_from(path, ["cpm_lsp"], images=folder, shard_size=1)
    fresh = build_atlas(spec, tmp_path / "fresh", progress=False)
    assert fresh["shards"] >= 3
    real, calls = build.write_shard, []

    def dies_on_the_second(out, index, data):
        calls.append(index)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real(out, index, data)

    monkeypatch.setattr(build, "write_shard", dies_on_the_second)
    with pytest.raises(KeyboardInterrupt):
        build_atlas(spec, tmp_path / "killed", progress=False)
    monkeypatch.setattr(build, "write_shard", real)
    resumed = build_atlas(spec, tmp_path / "killed", progress=False)
    assert resumed["resumed"] == 1 and resumed["written"] == fresh["shards"] - 1
    a, _ = read_atlas(tmp_path / "fresh")
    b, _ = read_atlas(tmp_path / "killed")
    assert not b.duplicated(["ann_id", "model"]).any()
    assert list(a.ann_id) == list(b.ann_id) and np.allclose(a.oks, b.oks)


def test_an_atlas_folder_refuses_another_runs_shards(tmp_path):
    path, folder = _dataset(tmp_path)
    build_atlas(spec_from(path, ["cpm_lsp"], images=folder, limit=2), tmp_path / "a", progress=False)
    with pytest.raises(PoseVizInputError, match="another run.*models"):
        build_atlas(spec_from(path, ["hrnet_lsp"], images=folder, limit=2), tmp_path / "a", progress=False)
    with pytest.raises(PoseVizInputError, match="another run.*options"):
        build_atlas(spec_from(path, ["cpm_lsp"], images=folder, limit=2, flip=True), tmp_path / "a", progress=False)
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    manifest["models"]["cpm_lsp"] = "0" * 64  # other weights under the same name
    (tmp_path / "a" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(PoseVizInputError, match="another run.*models"):
        build_atlas(spec_from(path, ["cpm_lsp"], images=folder, limit=2), tmp_path / "a", progress=False)
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "notes.txt").write_text("mine")
    with pytest.raises(PoseVizInputError, match="other files"):
        build_atlas(spec_from(path, ["cpm_lsp"], images=folder, limit=2), tmp_path / "b", progress=False)
    assert (tmp_path / "b" / "notes.txt").read_text() == "mine"


def test_an_empty_dataset_and_bad_options_get_messages(tmp_path):
    from poseviz.cli import main

    path, folder = _dataset(tmp_path)
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"images": [], "annotations": []}))
    with pytest.raises(PoseVizInputError, match="no annotated people"):
        open_source(str(empty), folder)
    assert main(["atlas", path, "--images", folder, "--models", "no_such_model", "--out", str(tmp_path / "x")]) == 2
    assert main(["atlas", path, "--images", folder, "--models", "cpm_lsp", "--out", str(tmp_path / "x"), "--workers", "0"]) == 2
    assert main(["atlas", path, "--models", "cpm_lsp", "--out", str(tmp_path / "x")]) == 2  # no --images
    assert main(["atlas", path, "--images", folder, "--models", "cpm_lsp", "--out", str(tmp_path / "x"),
                 "--address", "ray://h:1"]) == 2  # --address without --engine ray


@pytest.mark.devdata
def test_each_rows_oks_is_pycocotools_on_the_coco_sample(tmp_path):
    """On the COCO sample (ground-truth boxes, 12 shared joints): every row's OKS equals pycocotools' computeOks
    for that person and that prediction, and its error classes follow its OKS terms."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    from poseviz import load_model
    from poseviz.core.schemas import COCO17
    from poseviz.explain.oks_errors import restrict_dataset
    from poseviz.inference.top_down import model_schema

    build_atlas(spec_from("coco-mini", ["hrnet_lsp"], root=str(SHARED / "data"), limit=12), tmp_path / "a", progress=False)
    df, _ = read_atlas(tmp_path / "a")
    assert (df.error == "").all() and len(df) == 12
    src = open_source("coco-mini", root=str(SHARED / "data"))
    data, _, keep = restrict_dataset(src.gt, model_schema(load_model("hrnet_lsp")))
    coco = COCO()
    coco.dataset = data
    coco.createIndex()
    scored = df[df.num_labelled > 0]
    assert len(scored) >= 8
    for row in scored.itertuples():
        kp = np.column_stack([row.pred_x, row.pred_y, np.ones(len(row.pred_x))])
        res = coco.loadRes([{"image_id": row.image_id, "category_id": 1, "keypoints": kp.ravel().tolist(), "score": 1.0}])
        ev = COCOeval(coco, res, "keypoints")
        ev.params.kpt_oks_sigmas = COCO17.sigma_array[keep]
        ev.params.imgIds = [row.image_id]
        ev.params.useSegm = None
        ev._prepare()
        ious = ev.computeOks(row.image_id, 1)
        col = [g["id"] for g in ev._gts[row.image_id, 1]].index(row.ann_id)
        assert row.oks == pytest.approx(float(ious[0, col]), abs=1e-9)
        ks = np.asarray(row.ks)
        for c, k in zip(row.error_class, ks):
            assert (c == "") == np.isnan(k)
            if c == "good":
                assert k >= 0.85
            elif c == "jitter":
                assert 0.5 <= k < 0.85
            elif c:
                assert k < 0.5
