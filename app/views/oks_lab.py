"""OKS laboratory: how COCO scores a pose, person by person and joint by joint."""
import copy
import hashlib
from pathlib import Path

import pandas as pd
import streamlit as st

from app.display import chart
from app.state import UPLOAD_MB, get_model, hide_server_paths, images_folder_ui, read_dataset_image
from poseviz.core.errors import PoseVizInputError
from poseviz.data.lsp import load_lsp
from poseviz.data.lsp_coco import lsp_as_coco
from poseviz.data.mpii import load_mpii
from poseviz.data.root import dataset_dir
from poseviz.explain.oks_errors import (
    MAX_LAB_PEOPLE,
    checked_sigmas,
    error_totals,
    informative_instance,
    instances_as_results,
    instances_csv,
    instances_from_results,
    instances_table,
    joint_table,
    mirror_permutation,
    predict_dataset,
    score_instance,
)
from poseviz.io.coco import load_coco, load_results
from poseviz.io.image_set import IMAGE_SUFFIXES, image_set
from poseviz.io.images import load_image
from poseviz.metrics import coco_keypoint_eval
from poseviz.models import zoo
from poseviz.plots.oks import TOLERANCE_LEVELS, error_totals_figure, oks_curves_figure, oks_instance_image, oks_terms_figure, pr_curve_figure


@st.cache_data(max_entries=4, show_spinner="Reading the annotations…")
def _lsp_gt(root: str, first: int, last: int, kind: str = "lsp"):
    data = load_lsp(root) if kind == "lsp" else load_mpii(root)
    if last > len(data):
        raise PoseVizInputError(f"these annotations hold {len(data)} people; choose numbers up to {len(data)}")
    return lsp_as_coco(data, range(first - 1, last))


@st.cache_resource(max_entries=2, show_spinner="Reading the images…")
def uploaded_images(file_ids: tuple[str, ...], _files):
    """The uploaded images as an ImageSet and a short digest, unpacked once per upload, not on every rerun."""
    h = hashlib.sha256()
    for f in _files:
        h.update(f.getvalue())
    return image_set([(f.name, f.getvalue()) for f in _files]), h.hexdigest()[:16]


st.title("OKS laboratory")
st.caption("OKS = Σᵢ exp(−dᵢ²/2s²kᵢ²)·δ(vᵢ>0) / Σᵢ δ(vᵢ>0), with s² the person's area and kᵢ = 2σᵢ. "
           "The networks trained here predict LSP's 14 joints, EfficientPose MPII's 16: COCO annotations are scored on "
           "the 12 body joints they share with COCO, LSP annotations on the 14 LSP joints.")

# COCO sets in the data root, in order of preference: the small sample, then the fetched validation set
COCO_SETS = [(name, dataset_dir(name) / "annotations" / js, folder) for name, js, folder in
             (("coco-mini", "person_keypoints_train2017.json", "coco-mini/train2017"),
              ("coco-val2017", "person_keypoints_val2017.json", "coco-val2017/val2017"))]
st.sidebar.subheader("Data")
kind = st.sidebar.radio("Annotations", ["COCO keypoint JSON", "LSP joints.mat", "MPII-style JSON"], horizontal=True, key="oks_kind")
up = None
images = None  # an uploaded ImageSet, when the user gives the images with the JSON
if kind == "COCO keypoint JSON":
    present = [(n, js, folder) for n, js, folder in COCO_SETS if js.is_file()]
    up = st.sidebar.file_uploader("COCO keypoint JSON" + (f" (default: {present[0][0]})" if present else ""), type=["json"],
                                  key="oks_json", max_upload_size=UPLOAD_MB)
    pictures = st.sidebar.file_uploader("Its images: several files or one .zip (or a folder below)", accept_multiple_files=True,
                                        type=[s.lstrip(".") for s in IMAGE_SUFFIXES] + ["zip"], key="oks_images",
                                        max_upload_size=UPLOAD_MB)
    if pictures:
        try:
            images, images_digest = uploaded_images(tuple(f.file_id for f in pictures), pictures)
        except PoseVizInputError as exc:
            st.error(f"These images cannot be used: {exc}")
            st.stop()
        img_dir = None
        st.sidebar.caption(f"{len(images)} images uploaded; the annotations' file names are matched by their base names.")
    else:
        img_dir = images_folder_ui("Images folder (under the data root)", present[0][2] if present else "coco-mini/train2017", "oks_imgdir")
    if up is None and not present:
        st.info("Upload a COCO keypoint JSON in the sidebar with its images (several files or one zip), or fetch COCO's "
                "validation set with `python -m poseviz data fetch coco-val2017` (the Data page lists what is present).")
        st.stop()
    try:
        gt = load_coco(up.getvalue() if up is not None else present[0][1])
    except PoseVizInputError as exc:
        st.error(f"These annotations cannot be used: {hide_server_paths(exc)}")
        st.stop()
    digest = hashlib.sha256(up.getvalue()).hexdigest() if up is not None else present[0][0]
    if images is not None:
        digest += ":" + images_digest
        lacking = images.missing([im["file_name"] for im in gt.images if "file_name" in im])
        if lacking:
            st.warning(f"{len(lacking)} of the annotations' {len(gt.images)} images are not in the upload "
                       f"(e.g. {', '.join(lacking[:3])}); their people cannot be run.")
else:
    # LSP joints.mat or an MPII-style annotations.json: a folder under the data root and a range of people
    mpii = kind == "MPII-style JSON"
    what = "MPII" if mpii else "LSP"
    folder = images_folder_ui(f"{what} folder ({'annotations.json' if mpii else 'joints.mat'} and images/, under the data root)",
                              "mpii" if mpii else "lsp", f"oks_{what.lower()}_root")
    first, last = st.sidebar.slider("People (1-based numbers)" if mpii else "LSP images (1-based numbers)", 1, 2000,
                                    (1, 100) if mpii else (1001, 1100), key=f"oks_{what.lower()}_range",
                                    help=None if mpii else "1001–2000 is the standard test split; 1–1000 are training images.")
    img_dir = folder / "images"
    try:
        gt = _lsp_gt(str(folder), first, last, what.lower())
    except PoseVizInputError as exc:
        st.error(f"This {what} folder cannot be used: {hide_server_paths(exc)}")
        st.stop()
    digest = f"{what.lower()}:{folder}:{first}-{last}"
    st.sidebar.caption(("MPII's 16 joints are scored on the 14 LSP shares (upper neck as neck). " if mpii else "") +
                       f"{what} has no person areas: OKS uses the area of each person's joint box as s², and LSP-14's "
                       "sigmas (neck and head top: 0.079).")
names = zoo.shipped_models(task=None)  # every shipped model predicts top-down; joints are matched by name
source = st.sidebar.radio("Predictions", ["Run a model", "Load a results JSON"], key="oks_pred_src")
res_up = None
if source == "Run a model":
    model_name = st.sidebar.selectbox("Model", names, key="oks_model")
    flip = st.sidebar.toggle("Flip test", value=False, key="oks_flip")
else:
    res_up = st.sidebar.file_uploader("COCO results JSON", type=["json"], key="oks_results", max_upload_size=UPLOAD_MB)
    if res_up is None:
        st.info("Upload a results file: a JSON list of {image_id, category_id, keypoints, score}.")
        st.stop()


def read_image(file_name: str):
    """An annotated image, from the upload or the images folder."""
    if images is not None:
        return load_image(images.get(file_name), max_side=None).rgb
    return read_dataset_image(Path(img_dir), file_name)


@st.cache_data(max_entries=4, show_spinner=False)
def run(digest: str, model_name: str, flip: bool, img_dir: str, _gt, _read):
    bar = st.progress(0.0, text="Running the model on every annotated person…")

    def loader(im):
        return _read(_gt.file_name(im["id"]))

    out = predict_dataset(get_model(model_name), _gt, loader, flip=flip, progress=False,
                          progress_callback=lambda f: bar.progress(f, text=f"Running the model on every annotated person… {100 * f:.0f} %"))
    bar.empty()
    return out


left_out = 0
if res_up is None:  # a results file costs no network time: it is scored whole
    gt, left_out = gt.first_people(MAX_LAB_PEOPLE)
try:
    if res_up is None:
        instances, data, sigmas0 = run(digest, model_name, flip, str(img_dir), gt, read_image)
    else:
        uploaded_results = load_results(res_up.getvalue(), gt)
        instances, data, sigmas0 = instances_from_results(gt, uploaded_results)
except PoseVizInputError as exc:
    # a bad results file is the predictions' fault; a missing image is the images folder's
    st.error(f"These predictions cannot be used: {hide_server_paths(exc)}" if res_up is not None
             else f"Cannot run the model on these annotations: {hide_server_paths(exc)}")
    st.stop()
joint_names = data["categories"][0]["keypoints"]
with st.container():  # one slot however many notes, so the widgets below keep their state
    for note in gt.notes:
        st.info(note)
    if left_out:
        st.info(f"A model runs on at most {MAX_LAB_PEOPLE} people here: these are the first {len(gt.images)} images' "
                f"people; {left_out} more in the file are not scored. Load a results JSON to score the whole file.")
if not instances:
    st.info("No person in these annotations has a labelled joint the model predicts, so there is nothing to score. "
            "Choose annotations with labelled keypoints.")
    st.stop()

with st.expander("Per-joint sigmas (editable: custom keypoint sets need their own)"):
    edited = st.data_editor(pd.DataFrame({"joint": joint_names, "sigma": sigmas0}), disabled=["joint"], hide_index=True, key="oks_sigmas")
try:
    sigmas = checked_sigmas(edited["sigma"])
except PoseVizInputError as exc:
    st.error(f"These sigmas cannot be used: {exc}.")
    st.stop()
flip_perm = mirror_permutation(joint_names)
instances = [score_instance(copy.copy(i), sigmas, flip_perm) for i in instances]

# a results file is scored as it is (every detection, its own scores); a model's run gives one detection per person
results = uploaded_results if res_up is not None else instances_as_results(instances)
ev = coco_keypoint_eval(data, results, sigmas)
st.subheader("Dataset")
stats = ev.as_dict()
st.dataframe(pd.DataFrame([{k: (round(v, 3) if v >= 0 else "—") for k, v in stats.items()}]), hide_index=True)
empty = [k for k, v in stats.items() if v < 0]
undefined = st.container()
if empty:
    undefined.caption(f"— ({', '.join(empty)}): no ground-truth person in that size range (medium: 32²–96² px², large: over 96² px²), "
               "so COCO leaves the figure undefined.")
c1, c2 = st.columns(2)
chart(c1, pr_curve_figure(ev.precision), width="stretch")
chart(c2, error_totals_figure(error_totals(instances)), width="stretch")
table = pd.DataFrame(instances_table(instances))
st.markdown("**Worst instances first**")
st.dataframe(table, hide_index=True, height=220)
st.download_button("Per-instance scores (CSV)", instances_csv(instances), "poseviz_oks_instances.csv", "text/csv")

st.subheader("One instance")
# Keys carry the data's digest: a new file or dataset starts from its own default, never from stale edits.
ann_ids = table["annotation"].tolist()
ann = st.selectbox("Annotation (default: the one with most labelled joints)", ann_ids, key=f"oks_ann_{digest}",
                   index=ann_ids.index(instances[informative_instance(instances)].ann_id))
inst = copy.copy(next(i for i in instances if i.ann_id == ann))
inst.pred = inst.pred.copy()
with st.expander("Edit a predicted joint and watch OKS change"):
    e1, e2, e3 = st.columns(3)
    ej = e1.selectbox("Joint", joint_names, key=f"oks_edit_joint_{digest}_{ann}")
    dx = e2.number_input("Move x (px)", -500.0, 500.0, 0.0, 1.0, key=f"oks_dx_{digest}_{ann}")
    dy = e3.number_input("Move y (px)", -500.0, 500.0, 0.0, 1.0, key=f"oks_dy_{digest}_{ann}")
    inst.pred[joint_names.index(ej), :2] += (dx, dy)
score_instance(inst, sigmas, flip_perm)
st.metric("OKS of this instance", f"{inst.oks:.4f}")
try:
    image = read_image(gt.file_name(inst.image_id))
except PoseVizInputError as exc:
    st.error(str(exc))
    st.stop()
c1, c2 = st.columns([1, 1])
c1.image(oks_instance_image(image, inst.gt, inst.pred, inst.area, sigmas, inst.errors, inst.bbox),
         caption="white rings: OKS term 0.5 / 0.75 / 0.95 around each labelled joint; arrows: error; colour: error type", width="stretch")
chart(c2, oks_terms_figure(joint_names, inst.terms, inst.errors, inst.oks), width="stretch")
chart(c2, oks_curves_figure(joint_names, sigmas, inst.area), width="stretch")
radii = pd.DataFrame(joint_table(inst, joint_names, sigmas, TOLERANCE_LEVELS))
st.dataframe(radii, hide_index=True)
