"""Failure atlas: every person of a dataset through every model, worst first, down to the stage."""
from pathlib import Path

import cv2
import numpy as np
import streamlit as st

from app.state import hide_server_paths, open_person
from poseviz.atlas import browse
from poseviz.core.errors import PoseVizInputError
from poseviz.data.root import data_root
from poseviz.io.images import load_image
from poseviz.plots.atlas import ERROR_COLOURS, error_thumbnail

st.title("Failure atlas")
st.caption("Every annotated person of a dataset through every chosen model: OKS, each joint's error class "
           "(good · jitter · inversion · swap · miss, Ronchi & Perona 2017), each stage's error. Filter, then open a "
           "person in Explore, Occlusion or Compare with the same box and model.")

found = browse.list_atlases(data_root())
command = ("python -m poseviz atlas coco-mini --models efficientpose_rt,hrnet_lsp "
           f"--out {data_root() / browse.ATLASES / 'coco-mini'}")
if not found:
    st.info("No atlas in the data root yet. Make one (a few minutes for the COCO sample), then reload this page:")
    st.code(hide_server_paths(command), language="bash")
    st.stop()


@st.cache_resource(max_entries=2, show_spinner="Reading the atlas…")
def _load(path: str, mtime: float) -> tuple[browse.Atlas, object, object]:
    """The atlas with its summaries, shared read-only by every session (a copy per rerun would cost more than a
    filter change may take)."""
    atlas = browse.load(path)
    return atlas, browse.summary(atlas), browse.joint_summary(atlas)


choice = st.sidebar.selectbox("Atlas", found, format_func=lambda p: p.name, key="atlas_path")
try:
    latest = max(p.stat().st_mtime for p in choice.iterdir())  # a resumed run adds shards
    atlas, per_model, per_joint = _load(str(choice), latest)
except PoseVizInputError as exc:
    st.error(f"This atlas cannot be read: {hide_server_paths(exc)}")
    st.stop()
m = atlas.manifest
done = int(atlas.people.groupby("model").size().max()) if len(atlas.people) else 0
st.caption(f"{m['dataset']}: {m['people']} people, {'annotated' if m['options']['boxes'] == 'gt' else 'detected'} boxes"
           f"{', flip test' if m['options']['flip'] else ''}; {done} of {m['people']} people done"
           + ("" if done == m["people"] else " (the run is not finished: resume it with the same command)."))

st.subheader("Per model")
st.dataframe(per_model, hide_index=True)
st.caption("OKS on the joints each model shares with the annotations. Stage gain: mean error (over √area) of the first "
           "stage minus the last's — positive when refinement helped; empty for single-output networks.")
with st.expander("Mean error per joint (error / √area)"):
    st.dataframe(per_joint)

st.sidebar.subheader("Filters")
model = st.sidebar.selectbox("Model", atlas.models, key="atlas_model")
joints = sorted(atlas.joints.joint.unique())
joint = st.sidebar.selectbox("Joint", ["any"] + joints, key="atlas_joint")
klass = st.sidebar.selectbox("Error class", ["any", *ERROR_COLOURS], key="atlas_class")
vis = st.sidebar.selectbox("Visibility", ["any", "visible (v = 2)", "occluded (v = 1)"], key="atlas_vis")
size = st.sidebar.selectbox("Person size (√area)", ["any", *browse.SIZE_BANDS], key="atlas_size")
crowd_max = float(max(atlas.people.crowd_index.max(skipna=True), 0.01)) if len(atlas.people) else 1.0
crowd = st.sidebar.slider("Crowd index", 0.0, round(crowd_max + 0.005, 2), (0.0, round(crowd_max + 0.005, 2)),
                          key="atlas_crowd", help="CrowdPose's: other people's joints inside the box over the person's own.")
f = browse.Filters(model=model, joint=None if joint == "any" else joint, error_class=None if klass == "any" else klass,
                   visibility={"any": None, "visible (v = 2)": 2, "occluded (v = 1)": 1}[vis],
                   size=browse.SIZE_BANDS.get(size), crowding=crowd)
hits = browse.filter_people(atlas, f)
st.subheader(f"Worst first: {len(hits)} people")
legend = " · ".join(f"<span style='color:rgb{c}'>■</span> {k}" for k, c in ERROR_COLOURS.items())
st.markdown(f"White dot: the annotation; line and dot: the prediction, coloured by error class — {legend}",
            unsafe_allow_html=True)


@st.cache_data(max_entries=64, show_spinner=False)
def _image(images: str, file_name: str) -> np.ndarray:
    from poseviz.data.paths import resolve_inside

    return load_image(resolve_inside(Path(images), file_name), max_side=None).rgb


def _open(page: str, row, models: dict) -> None:
    rgb, box = browse.for_pages(_image(m["images"], row.file_name), row)
    ok, png = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    open_person(page, png.tobytes(), f"{m['dataset']} person {row.ann_id}", box, models)


shown = hits.head(12)
if shown.empty:
    st.info("No person matches these filters.")
for start in range(0, len(shown), 4):
    cols = st.columns(4)
    for col, row in zip(cols, shown.iloc[start:start + 4].itertuples()):
        try:
            thumb = error_thumbnail(_image(m["images"], row.file_name), row)
        except PoseVizInputError as exc:
            col.warning(f"Person {row.ann_id}: {hide_server_paths(exc)}")
            continue
        worst = f" · {row.worst_joint}" if row.worst_joint else ""
        col.image(thumb, caption=f"person {row.ann_id} · OKS {row.oks:.2f}{worst}", width="stretch")
        if row.box_source == "missed":
            col.caption("The detector missed this person.")
            continue
        others = [n for n in atlas.models if n != model][:3]
        with col.popover("Open in…", width="stretch"):
            if st.button("Explore", key=f"atlas_x_{row.person}", width="stretch"):
                _open("views/explore.py", row, {"model": model})
            if st.button("Occlusion explorer", key=f"atlas_o_{row.person}", width="stretch"):
                _open("views/occlusion.py", row, {"occ_model": model})
            if st.button(f"Compare with {', '.join(others)}" if others else "Compare (the atlas has one model)",
                         key=f"atlas_c_{row.person}", disabled=not others, width="stretch"):
                _open("views/compare.py", row, {"cmp_request": (int(row.person), [model, *others])})

st.subheader("Where one model fails and another does not")
c1, c2 = st.columns(2)
a = c1.selectbox("Fails (OKS < 0.5)", atlas.models, key="atlas_a")
b = c2.selectbox("Succeeds (OKS ≥ 0.5)", atlas.models, index=min(1, len(atlas.models) - 1), key="atlas_b")
if a == b:
    st.info("Choose two different models.")
else:
    gap = browse.fails_where_other_does_not(atlas, a, b)
    st.caption(f"{len(gap)} people: {a} below OKS 0.5 where {b} reaches it, largest gap first.")
    st.dataframe(gap.head(50).rename(columns={"oks_a": f"OKS {a}", "oks_b": f"OKS {b}"}), hide_index=True)
