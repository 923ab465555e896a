"""Every app page driven by Streamlit's AppTest on real images, asserting on values."""
import json

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest

from conftest import LSP_ROOT, ROOT
from media import model

pytestmark = pytest.mark.devdata  # every test here reads ../shared/data

VIEWS = ROOT / "app" / "views"
TIMEOUT = 180


def _page(name: str) -> AppTest:
    return AppTest.from_file(str(VIEWS / name), default_timeout=TIMEOUT).run()


def _upload(at: AppTest, path) -> AppTest:
    at.sidebar.radio(key="img_source").set_value("Upload").run()
    at.sidebar.get("file_uploader")  # the uploader is in the sidebar
    at.file_uploader(key="img_upload").set_value((path.name, path.read_bytes(), "image/jpeg")).run()
    return at


def _plot_titles(at: AppTest, index: int) -> list[str]:
    spec = json.loads(at.get("plotly_chart")[index].proto.spec)
    return [a["text"].replace("<br>", " ") for a in spec["layout"].get("annotations", [])]  # titles wrap to fit


def _table_with(at: AppTest, column: str):
    """The first rendered dataframe that has ``column``."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _key(at: AppTest, prefix: str, suffix: str = "") -> str:
    """The session key of a widget whose key carries the data's digest (and, optionally, ends with ``suffix``)."""
    return next(str(k) for k in at.session_state if str(k).startswith(prefix) and str(k).endswith(suffix))


def _n_stages(name: str) -> int:
    from poseviz.models import zoo

    with torch.no_grad():
        return zoo.build(name)(torch.zeros(1, 3, 128, 128)).num_stages


def test_main_routes_to_explore():
    at = AppTest.from_file(str(ROOT / "app" / "main.py"), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert at.title[0].value == "Explore belief maps"


def test_explore_upload_every_stage_panel_and_json_equal_a_direct_call():
    from poseviz.inference.top_down import DEFAULT_ENLARGE, predict_person
    from poseviz.io.images import load_image
    from poseviz.models.pretrained import load_pretrained

    path = LSP_ROOT / "images" / "im1005.jpg"
    at = _upload(_page("explore.py"), path)
    assert not at.exception, at.exception
    person = next(sb for sb in at.sidebar.selectbox if "Whole image" in sb.options)
    person.set_value("Whole image").run()
    from poseviz.models import zoo

    for model in zoo.shipped_models():
        at.sidebar.selectbox(key="model").set_value(model).run()
        assert not at.exception
        first = "member" if zoo.is_ensemble(model) else "stage"  # an ensemble's maps are its members' and their mean
        assert _plot_titles(at, 0) == [s for s in at.dataframe[0].value[first]]
        assert len(_plot_titles(at, 0)) == _n_stages(model)
    # the downloadable JSON equals a direct poseviz call on the same image and box
    img = load_image(path)
    h, w = img.rgb.shape[:2]
    f = 1 / DEFAULT_ENLARGE
    direct = predict_person(load_pretrained(model), img.rgb, (w * (1 - f) / 2, h * (1 - f) / 2, w * f, h * f), method="dark")
    shown = np.array(json.loads(at.code[0].value)[0]["keypoints"]).reshape(-1, 3)
    np.testing.assert_allclose(shown[:, :2], direct.keypoints[:, :2], atol=0.01)
    # switching joint and stage changes the table and the grid, without errors
    before = at.dataframe[0].value.copy()
    at.selectbox[0].select("left_ankle").run()
    assert not at.dataframe[0].value.equals(before)
    stages = at.select_slider[0].options
    at.select_slider[0].set_value(stages[0]).run()
    assert not at.exception
    assert len(_plot_titles(at, 1)) == 14  # all joints of the chosen stage


def test_explore_non_image_upload_shows_an_error_not_an_exception():
    at = _page("explore.py")
    at.sidebar.radio(key="img_source").set_value("Upload").run()
    at.file_uploader(key="img_upload").set_value(("notes.jpg", b"this is not an image at all", "image/jpeg")).run()
    assert not at.exception
    assert any("cannot be used" in e.value for e in at.error)


def test_compare_page_lists_latency_per_model():
    at = _page("compare.py")
    assert not at.exception, at.exception
    chosen = at.sidebar.multiselect[0].value
    from poseviz.models import zoo

    # the default model beside the fastest networks trained here
    assert chosen == zoo.comparison_default() and chosen[0] == zoo.shipped_models(None)[0]
    assert all(zoo.entry(n).trained_here for n in chosen[1:])
    lat = at.dataframe[-1].value
    assert list(lat["model"]) == chosen
    from poseviz.models import zoo

    # the card's steady-state median beside a median measured in this session
    assert list(lat["median ms per crop, model card"]) == [zoo.card_metrics(n)["median_ms_per_crop"] for n in chosen]
    assert all(0 < v < 5000 for v in lat["median ms per crop, this server"])
    # the disagreement bars on the joints every chosen model predicts (LSP-14 and MPII-16 share 13 by name),
    # then one strip of belief maps per model with its stage count
    import json as _json

    bars = _json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    from poseviz.explain.disagreement import shared_joints
    from poseviz.inference.top_down import model_schema

    assert len({model_schema(model(n)).name for n in chosen}) == 2  # the default mixes schemas
    assert bars["x"] == shared_joints([model_schema(model(n)) for n in chosen])[0]
    for i, name in enumerate(chosen):
        assert len(_plot_titles(at, i + 1)) == _n_stages(name)


def test_receptive_field_page_table_matches_the_walker():
    from poseviz.explain.receptive_field import stage_receptive_fields
    from poseviz.models import zoo

    at = _page("receptive_field.py")
    assert not at.exception, at.exception
    name = at.selectbox(key="rf_model").value
    table = at.dataframe[0].value
    expected = [r.rf.size for r in stage_receptive_fields(zoo.build(name))]
    np.testing.assert_array_equal(table["RF (px)"].to_numpy(), expected)
    erf = at.dataframe[-1].value
    assert len(erf) == len(expected)
    assert (erf["trained r90 (px)"] >= erf["trained r50 (px)"]).all()
    from poseviz.cards.ablations import load_ablations

    # The measured ablations: accuracy against each stage's field, and the matched-size comparison.
    ablations = load_ablations()
    spec = json.loads(next(c for c in at.get("plotly_chart") if "receptive field of the stage" in c.proto.spec).proto.spec)
    assert spec["data"][0]["x"] == [r["rf_px"] for r in ablations["receptive_field"]["stages"]]
    matched = next(d.value for d in at.dataframe if "best validation score %" in d.value.columns)
    assert list(matched["parameters"]) == [m["params"] for m in ablations["matched"]]


def test_nonlocal_page_attention_equals_the_model_and_rows_sum_to_one():

    at = _page("nonlocal_attention.py")
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert len(table) == 5 and (table["weight"].diff().dropna() <= 0).all()  # top-5, strongest first
    at.radio(key="nl_mode").set_value("Every joint side by side").run()
    assert not at.exception
    assert len(at.dataframe[0].value) == 14 * 5
    js = float(at.metric[0].value.split()[0])
    assert 0 <= js <= np.log(2)
    # The shipped block is open: what it attends to reaches the prediction (its gate was once 0).
    assert float(at.metric[3].value) > 1e-3
    assert not [w for w in at.warning if "gate" in w.value]
    from poseviz.models import zoo

    effect = zoo.card_metrics("hrnet_nl_lsp")["nonlocal"]  # what silencing the block costs, from its card
    assert any(f"to {effect['pck_flip_silenced']:.2f} %" in i.value for i in at.info)


def test_pooling_page_counts_gradient_positions_like_torch():
    at = _page("pooling_lab.py")
    assert not at.exception, at.exception
    caption = next(c.value for c in at.caption if "receive gradient" in c.value)
    n_grad, n_all = (int(v) for v in caption.split(" input positions")[0].split(" of "))
    assert n_grad <= n_all
    at.selectbox(key="pool_kind").set_value("avg").run()
    assert not at.exception
    kept = float(at.metric[0].value.rstrip(" %"))
    assert 0 < kept <= 25.0 + 1e-6  # 2×2 max-pool keeps at most one position in four
    agree = at.dataframe[0].value
    assert agree.loc[agree["input size"] == 8, "formula agrees with PyTorch"].item()
    assert not agree.loc[agree["input size"] == 10, "formula agrees with PyTorch"].item()


def test_oks_lab_page_oks_equals_the_core_metric_and_edits_update_it():
    at = _page("oks_lab.py")
    assert not at.exception, at.exception
    stats = _table_with(at, "AP")
    assert list(stats.columns) == ["AP", "AP .5", "AP .75", "AP (M)", "AP (L)", "AR", "AR .5", "AR .75", "AR (M)", "AR (L)"]
    instances = _table_with(at, "OKS")
    assert instances["OKS"].is_monotonic_increasing  # worst first
    best = instances.iloc[-1]
    at.selectbox(key=_key(at, "oks_ann_")).set_value(int(best["annotation"])).run()
    shown = float(at.metric[0].value)
    assert shown == pytest.approx(best["OKS"], abs=1e-3)
    radii = _table_with(at, "radius at 0.5 (px)")
    labelled = radii["type"] != "unlabelled"
    assert shown == pytest.approx(radii.loc[labelled, "term"].mean(), abs=1e-3)
    # each drawn radius r makes the joint's term exp(−r²/(2·area·(2σ)²)) equal its threshold
    sigmas = _table_with(at, "sigma")["sigma"].to_numpy()
    for t in (0.5, 0.75, 0.95):
        r = radii[f"radius at {t} (px)"].to_numpy()
        np.testing.assert_allclose(np.exp(-(r**2) / (2 * best["area (px²)"] * (2 * sigmas) ** 2)), t, atol=2e-3)
    at.selectbox(key=_key(at, "oks_edit_joint_", str(int(best["annotation"])))).set_value(radii.loc[labelled, "joint"].iloc[0]).run()
    at.number_input(key=_key(at, "oks_dx_", str(int(best["annotation"])))).set_value(15.0).run()
    assert not at.exception
    assert float(at.metric[0].value) < shown


def test_occlusion_page_reports_pck_change_for_an_lsp_image():
    at = _page("occlusion.py")
    sample = at.sidebar.selectbox(key="img_gallery")
    sample.set_value(next(o for o in sample.options if o.startswith("LSP test"))).run()  # LSP images carry ground truth
    assert not at.exception, at.exception
    table = _table_with(at, "moved (image px)")
    from poseviz.inference.top_down import model_schema

    schema = model_schema(model(at.sidebar.selectbox(key="occ_model").value))
    assert list(table.joint) == list(schema.joints) and (table["moved (image px)"] >= 0).all()
    # scored on the 14 LSP joints (an MPII-16 model: its upper neck as LSP's neck; pelvis and thorax unscored)
    assert table["correct clean (PCK@0.2)"].notna().sum() == 14
    assert "PCK@0.2 clean" in at.metric[0].label
    clean = float(at.metric[0].value.rstrip(" %"))
    assert clean == pytest.approx(100 * table["correct clean (PCK@0.2)"].mean(), abs=0.1)


def test_oks_lab_with_a_results_file_shows_cocoeval_stats(coco_gt):
    from poseviz.core.schemas import COCO17
    from poseviz.metrics import coco_keypoint_eval

    rng = np.random.default_rng(1)
    results = []
    for a in coco_gt.annotations:
        kp = np.array(a["keypoints"], float).reshape(-1, 3)
        kp[:, :2] += rng.normal(0, 4, size=(17, 2))
        results.append({"image_id": a["image_id"], "category_id": 1, "keypoints": kp.ravel().tolist(), "score": float(rng.random())})
    at = _page("oks_lab.py")
    at.sidebar.radio(key="oks_pred_src").set_value("Load a results JSON").run()
    at.file_uploader(key="oks_results").set_value(("results.json", json.dumps(results).encode(), "application/json")).run()
    assert not at.exception, at.exception
    stats = _table_with(at, "AP")
    ref = coco_keypoint_eval(coco_gt.dataset, results, COCO17.sigma_array).stats
    np.testing.assert_allclose(stats.iloc[0].to_numpy(dtype=float), ref, atol=6e-4)  # the page rounds to 3 decimals
    at.file_uploader(key="oks_results").set_value(("bad.json", b'[{"image_id": 1}]', "application/json")).run()
    assert not at.exception and any("cannot be used" in e.value for e in at.error)


def _whole_image_box(rgb):
    from poseviz.inference.top_down import DEFAULT_ENLARGE

    h, w = rgb.shape[:2]
    f = 1 / DEFAULT_ENLARGE
    return (w * (1 - f) / 2, h * (1 - f) / 2, w * f, h * f)


def test_dense_page_part_areas_equal_a_direct_chart_prediction():
    from poseviz.core.dense import PARTS
    from poseviz.inference.top_down import predict_person
    from poseviz.io.images import load_image
    from poseviz.models import zoo
    from poseviz.models.pretrained import load_pretrained

    path = LSP_ROOT / "images" / "im1005.jpg"
    at = _upload(_page("dense.py"), path)
    assert not at.exception, at.exception
    next(sb for sb in at.sidebar.selectbox if "Whole image" in sb.options).set_value("Whole image").run()
    assert any("not DensePose-COCO" in i.value for i in at.info)
    assert _plot_titles(at, 0) == ["part index I", "U (along the part)", "V (across the part)"]
    table = at.dataframe[0].value
    img = load_image(path)
    pred = predict_person(load_pretrained(zoo.shipped_models("dense")[0]), img.rgb, _whole_image_box(img.rgb))
    index, u, _ = (a[0].numpy() for a in pred.output.dense.charts())
    cell = (128 / index.shape[1]) ** 2
    assert list(table["part"]) == list(PARTS[1:])
    np.testing.assert_allclose(table["area (crop px²)"], [cell * (index == p).sum() for p in range(1, len(PARTS))])
    assert table["area (crop px²)"].sum() > 0  # a trained model finds a body in an LSP person crop
    mean_u = table["mean U"].dropna()
    assert ((mean_u >= 0) & (mean_u <= 1)).all()


def test_paf_page_people_count_equals_a_direct_bottom_up_call():
    from poseviz.inference.bottom_up import predict_people
    from poseviz.io.images import load_image
    from poseviz.models import zoo
    from poseviz.models.pretrained import load_pretrained

    path = sorted((LSP_ROOT.parent / "coco-mini" / "train2017").glob("*.jpg"))[0]
    at = _upload(_page("paf.py"), path)
    assert not at.exception, at.exception
    model = load_pretrained(zoo.shipped_models("paf")[0])
    direct = predict_people(model, load_image(path).rgb)
    assert int(at.metric[0].value) == len(direct.people) >= 1
    titles = _plot_titles(at, 0)
    n = len(direct.stages)
    # the network's stages, then the mean of the scales that was grouped
    assert titles[:n] == [f"{s}: beliefs" for s in direct.stage_names] and len(titles) == 2 * n
    assert titles[n - 1] == "mean of scales ×0.5, 1, 1.5, 2: beliefs"
    at.selectbox(key="paf_limb").set_value(3).run()
    assert not at.exception
    assert "left_knee → left_ankle" in _plot_titles(at, 0)[n]
    at.checkbox(key="paf_multi").uncheck().run()  # one scale: the network's stages alone, as a direct call
    one = predict_people(model, load_image(path).rgb, scales=(1.0,))
    assert not at.exception and int(at.metric[0].value) == len(one.people)
    assert _plot_titles(at, 0)[: len(one.stages)] == [f"stage {i + 1}: beliefs" for i in range(len(one.stages))]


def test_oks_lab_scores_lsp_joints_mat_on_all_14_joints(lsp):
    from poseviz.core.schemas import LSP14
    from poseviz.data.lsp import joints_box
    from poseviz.inference.top_down import predict_person
    from poseviz.metrics.oks import oks_terms
    from poseviz.models.pretrained import load_pretrained
    from poseviz.training.dataset import load_images

    at = _page("oks_lab.py")
    at.sidebar.radio(key="oks_kind").set_value("LSP joints.mat").run()
    at.sidebar.slider(key="oks_lsp_range").set_value((1001, 1008)).run()
    assert not at.exception, at.exception
    # an MPII-16 model (the default) shares 13 of LSP's joints by name (neck and upper neck are not one point)
    assert len(_table_with(at, "sigma")) == 13 and "neck" not in list(_table_with(at, "sigma")["joint"])
    at.sidebar.selectbox(key="oks_model").set_value("hrnet_lsp").run()
    sig = _table_with(at, "sigma")
    assert list(sig["joint"]) == list(LSP14.joints)
    np.testing.assert_allclose(sig["sigma"], LSP14.sigma_array)
    instances = _table_with(at, "OKS")
    assert sorted(instances["annotation"]) == list(range(1001, 1009))
    # one person, recomputed here: the model on the joints' box, OKS with s² = that box's area
    i = 1004
    gt = lsp.joints[i - 1]
    box = joints_box(gt)
    pred = predict_person(load_pretrained(at.sidebar.selectbox(key="oks_model").value), load_images(lsp, [i - 1])[0], box).keypoints
    want = float(np.mean(oks_terms(gt, pred, box[2] * box[3], LSP14.sigma_array)))
    got = float(instances.loc[instances["annotation"] == i, "OKS"].iloc[0])
    assert got == pytest.approx(want, abs=1e-4)
    at.sidebar.text_input(key="oks_lsp_root").set_value("no/such/folder").run()  # folders are named inside the data root
    assert not at.exception and any("cannot be used" in e.value for e in at.error)


def test_occlusion_attributions_run_on_request_and_stay_until_inputs_change():
    at = _page("occlusion.py")
    at.sidebar.selectbox(key="occ_model").set_value("cpm_lsp").run()  # a quick network: the behaviour is the page's
    assert not at.exception
    assert not any("Most sensitive region" in c.value for c in at.caption)  # nothing computed before asking
    at.button(key="occ_attr").click().run()
    assert not at.exception
    assert any("Most sensitive region" in c.value for c in at.caption)
    at.slider(key="occ_n").set_value(10).run()  # an unrelated control: the result stays
    assert any("Most sensitive region" in c.value for c in at.caption)
    at.selectbox(key="occ_joint").set_value("left_ankle").run()  # another joint: ask again
    assert not any("Most sensitive region" in c.value for c in at.caption)


def test_oks_lab_scores_mpii_style_annotations():
    at = _page("oks_lab.py")
    at.sidebar.radio(key="oks_kind").set_value("MPII-style JSON").run()
    at.sidebar.slider(key="oks_mpii_range").set_value((1, 6)).run()
    assert not at.exception, at.exception
    instances = _table_with(at, "OKS")
    assert len(instances) == 6 and instances["OKS"].between(0, 1).all()


def test_explore_shows_efficientposes_pass_1_fields_limb_by_limb():
    from poseviz.models.efficientpose import skeleton_paf_labels

    at = _page("explore.py")
    at.sidebar.selectbox(key="model").set_value("efficientpose_rt").run()
    assert not at.exception, at.exception
    assert any(h.value.startswith("Pass 1") for h in at.subheader)
    limb = at.selectbox(key=next(str(k) for k in at.session_state if str(k).startswith("explore_paf_limb_")))
    titles = lambda: [t for i in range(len(at.get("plotly_chart"))) for t in _plot_titles(at, i) if t.startswith("pass 1")]
    first = skeleton_paf_labels()[limb.value]  # the strongest field of this crop comes first
    assert titles() == [f"pass 1: |PAF| {first}", f"pass 1: PAF {first} (arrows)"]
    limb.set_value(9 if limb.value != 9 else 8).run()
    assert titles()[0] == f"pass 1: |PAF| {skeleton_paf_labels()[limb.value]}" != f"pass 1: |PAF| {first}"
    at.sidebar.selectbox(key="model").set_value("hrnet_lsp").run()  # a network without such fields: no section
    assert not any(h.value.startswith("Pass 1") for h in at.subheader)
