"""Every page with the data root pointed at an empty folder (a user's first start): no exception,
the gallery still has photos, and pages that need annotations say what is missing."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from conftest import BROWSER_ONLY_PAGES, ROOT

VIEWS = ROOT / "app" / "views"
PAGES = sorted(p.name for p in VIEWS.glob("*.py") if p.name not in BROWSER_ONLY_PAGES)  # live.py: an empty data root in Chromium


@pytest.fixture
def empty_root(tmp_path, monkeypatch):
    monkeypatch.setenv("POSEVIZ_DATA", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_with_an_empty_data_root(empty_root, page):
    at = AppTest.from_file(str(VIEWS / page), default_timeout=240).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    sample = [sb for sb in at.sidebar.selectbox if sb.key == "img_gallery"]
    if sample:
        assert sample[0].value == "Yoga warrior indoor"  # the bundled gallery, needing no data root
        assert not any(o.startswith(("LSP", "COCO")) for o in sample[0].options)


def test_oks_laboratory_says_what_is_missing(empty_root):
    at = AppTest.from_file(str(VIEWS / "oks_lab.py"), default_timeout=120).run()
    assert not at.exception
    assert any("with its images" in i.value and "data fetch coco-val2017" in i.value for i in at.info)


def test_occlusion_sweep_says_lsp_is_missing(empty_root):
    at = AppTest.from_file(str(VIEWS / "occlusion.py"), default_timeout=240).run()
    assert not at.exception
    assert any("data fetch lsp" in i.value for i in at.info)


def test_data_page_lists_every_entry_as_absent(empty_root):
    from poseviz.data.registry import REGISTRY

    at = AppTest.from_file(str(VIEWS / "data.py"), default_timeout=60).run()
    table = at.dataframe[0].value
    assert list(table["name"]) == list(REGISTRY) and set(table["present"]) == {"no"}
    assert table["get it with"].iloc[0] == f"python -m poseviz data fetch {next(iter(REGISTRY))}"


def test_oks_laboratory_refuses_a_folder_outside_the_data_root(empty_root):
    at = AppTest.from_file(str(VIEWS / "oks_lab.py"), default_timeout=120).run()
    at.sidebar.text_input(key="oks_imgdir").set_value("/etc").run()
    assert any("inside the data root" in e.value for e in at.error)
    at.sidebar.text_input(key="oks_imgdir").set_value("../../etc").run()
    assert any("inside the data root" in e.value for e in at.error)


def test_oks_laboratory_with_nobody_labelled_says_so(empty_root):
    import json

    doc = {"images": [{"id": 1, "file_name": "a.jpg", "width": 50, "height": 50}],
           "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "keypoints": [0] * 51, "bbox": [1, 1, 10, 10],
                            "area": 100, "iscrowd": 0}],
           "categories": [{"id": 1, "name": "person"}]}
    at = AppTest.from_file(str(VIEWS / "oks_lab.py"), default_timeout=120).run()
    at.sidebar.file_uploader(key="oks_json").set_value(("gt.json", json.dumps(doc).encode(), "application/json")).run()
    assert not at.exception, at.exception
    assert any("nothing to score" in i.value for i in at.info)


def test_explore_loads_a_checkpoint_from_the_data_root_folder(empty_root):
    import torch

    from app.state import FOLDER_CHECKPOINT
    from poseviz.models import zoo

    arch = "Stacked Hourglass, 2 stacks, MPII 256×256 (pytorch-pose)"
    (empty_root / "checkpoints").mkdir()
    state = {"module." + k: v for k, v in zoo.build_public(arch).state_dict().items()}
    torch.save({"state_dict": state}, empty_root / "checkpoints" / "hg_s2.pth")
    at = AppTest.from_file(str(VIEWS / "explore.py"), default_timeout=240).run()
    at.sidebar.selectbox(key="model").set_value(FOLDER_CHECKPOINT).run()
    assert at.sidebar.selectbox(key="model_file").options == ["hg_s2.pth"]
    at.sidebar.selectbox(key="model_farch").set_value(arch).run()
    assert not at.exception, at.exception
    assert any("tensors loaded" in s.value for s in at.sidebar.success)


def test_explore_without_checkpoints_folder_says_how_to_get_one(empty_root):
    from app.state import FOLDER_CHECKPOINT

    at = AppTest.from_file(str(VIEWS / "explore.py"), default_timeout=240).run()
    at.sidebar.selectbox(key="model").set_value(FOLDER_CHECKPOINT).run()
    assert not at.exception
    assert any("data fetch hrnet_w32_coco_256x192" in i.value for i in at.info)


def test_explore_says_no_confident_person_on_a_blank_image(empty_root):
    import io

    import numpy as np
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.full((240, 320, 3), 128, np.uint8)).save(buf, "PNG")
    at = AppTest.from_file(str(VIEWS / "explore.py"), default_timeout=240).run()
    at.sidebar.radio(key="img_source").set_value("Upload").run()
    at.file_uploader(key="img_upload").set_value(("blank.png", buf.getvalue(), "image/png")).run()
    assert not at.exception
    assert any("No confident person here" in w.value for w in at.warning)
    # nothing found in a blank image: the whole image is the default person
    assert at.sidebar.selectbox(key=next(k for k in at.session_state if str(k).startswith("person_"))).value == "Whole image"


def test_oks_laboratory_messages_never_show_server_paths(empty_root):
    at = AppTest.from_file(str(VIEWS / "oks_lab.py"), default_timeout=120).run()
    at.sidebar.radio(key="oks_kind").set_value("LSP joints.mat").run()
    at.sidebar.text_input(key="oks_lsp_root").set_value("somewhere").run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors and all(str(empty_root) not in e for e in errors) and any("‹data root›" in e for e in errors)


def test_oks_laboratory_never_reads_an_image_outside_the_images_folder(empty_root, tmp_path_factory):
    """A COCO file naming '../secret.png' or an absolute path: the sentinel outside the images folder is
    never decoded (load_image is watched), and the message is the same as for a missing file."""
    import json

    import numpy as np
    from PIL import Image

    import poseviz.io.images as image_io

    outside = tmp_path_factory.mktemp("outside")
    secret = outside / "secret.png"
    Image.fromarray(np.full((64, 48, 3), 200, np.uint8)).save(secret)
    (empty_root / "imgs").mkdir()
    Image.fromarray(np.full((64, 48, 3), 200, np.uint8)).save(empty_root / "secret.png")  # one level up from imgs/
    read = []
    real = image_io.load_image
    image_io.load_image = lambda src, *a, **k: (read.append(str(src)), real(src, *a, **k))[1]
    try:
        for name in ("../secret.png", str(secret), "missing.png"):
            kp = [10, 10, 2] * 17
            doc = {"images": [{"id": 1, "file_name": name, "width": 48, "height": 64}],
                   "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "keypoints": kp, "bbox": [2, 2, 40, 60],
                                    "area": 2400, "iscrowd": 0}], "categories": [{"id": 1, "name": "person"}]}
            at = AppTest.from_file(str(VIEWS / "oks_lab.py"), default_timeout=120).run()
            at.sidebar.text_input(key="oks_imgdir").set_value("imgs").run()
            at.sidebar.file_uploader(key="oks_json").set_value(("gt.json", json.dumps(doc).encode(), "application/json")).run()
            assert not at.exception
            errors = " ".join(e.value for e in at.error)
            assert "Cannot run the model on these annotations" in errors and str(empty_root) not in errors and str(outside) not in errors
    finally:
        image_io.load_image = real
    assert not any("secret" in r for r in read), read


def _own_annotations(photo):
    """A COCO file for one person of ``photo``: its detector box, joints where efficientpose_rt puts them."""
    import json

    import numpy as np

    import poseviz
    from poseviz.core.schemas import COCO17, MPII16, map_keypoints
    from poseviz.inference.person_boxes import default_box

    rgb = poseviz.load_image(photo).rgb
    box = default_box(rgb)
    kp = map_keypoints(poseviz.predict_person(poseviz.load_model("efficientpose_rt"), rgb, box).keypoints, MPII16, COCO17)
    kp = np.nan_to_num(kp)
    kp[:, 2] = np.where(kp[:, 0] > 0, 2, 0)
    ann = {"id": 1, "image_id": 1, "category_id": 1, "keypoints": kp.ravel().round(1).tolist(), "bbox": [round(v, 1) for v in box],
           "area": float(box[2] * box[3]), "iscrowd": 0}
    doc = {"images": [{"id": 1, "file_name": "photos/" + photo.name, "width": rgb.shape[1], "height": rgb.shape[0]},
                      {"id": 2, "file_name": "not_uploaded.jpg", "width": 10, "height": 10}],
           "annotations": [ann], "categories": [{"id": 1, "name": "person", "keypoints": list(COCO17.joints)}]}
    return json.dumps(doc).encode()


def test_oks_laboratory_scores_an_uploaded_json_with_its_images_in_a_zip(empty_root):
    """A fresh install: the annotations and their images both come from the user (a zip, matched by base name)."""
    import io
    import zipfile

    photo = ROOT / "poseviz" / "gallery" / "photos" / "05_yoga-warrior-indoor.jpg"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("my_photos/" + photo.name, photo.read_bytes())
        z.writestr("my_photos/README.txt", "not an image")
    at = AppTest.from_file(str(VIEWS / "oks_lab.py"), default_timeout=240).run()
    at.sidebar.file_uploader(key="oks_json").set_value(("gt.json", _own_annotations(photo), "application/json")).run()
    at.sidebar.file_uploader(key="oks_images").set_value([("photos.zip", buf.getvalue(), "application/zip")]).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert any("1 of the annotations' 2 images are not in the upload" in w.value for w in at.warning)
    oks = float(next(m for m in at.metric if m.label == "OKS of this instance").value)
    assert oks > 0.9  # the annotation is the model's own prediction, so the score is (nearly) perfect


def test_oks_laboratory_refuses_a_zip_of_non_images(empty_root):
    import io
    import json
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("notes.txt", "x" * 1000)
    doc = {"images": [{"id": 1, "file_name": "a.jpg"}], "annotations": [], "categories": [{"id": 1, "name": "person"}]}
    at = AppTest.from_file(str(VIEWS / "oks_lab.py"), default_timeout=120).run()
    at.sidebar.file_uploader(key="oks_json").set_value(("gt.json", json.dumps(doc).encode(), "application/json")).run()
    at.sidebar.file_uploader(key="oks_images").set_value([("bad.zip", buf.getvalue(), "application/zip")]).run()
    assert not at.exception and any("holds no images" in e.value for e in at.error)
