"""Occlusion explorer: hide part of the person and watch every stage, the keypoints and the score change."""
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app.display import chart, skeleton
from app.state import confidence_warning, dragged_box, get_model, image_and_person_ui, predict_cached
from poseviz.core.geometry import apply_affine, rescale_points
from poseviz.data.lsp import load_lsp, lsp_ground_truth, lsp_split
from poseviz.data.root import dataset_dir
from poseviz.explain.occlusion import (
    FILLS,
    Occluder,
    apply_occluders,
    integrated_gradients,
    most_sensitive_point,
    occlude_photo,
    occlusion_pck,
    occlusion_sensitivity_all,
    occlusion_window,
    occlusion_sweep,
    occlusion_table,
    visibility_accuracy,
)
from poseviz.metrics.evaluation import evaluate_lsp
from poseviz.models import zoo
from poseviz.plots import belief_maps_figure
from poseviz.plots.attribution import attribution_figure
from poseviz.plots.occluders import outlined
from poseviz.plots.theme import TEMPLATE, zoomed
from streamlit_image_coordinates import streamlit_image_coordinates

st.title("Occlusion explorer")
st.caption("Why do models fail under occlusion? Paste occluders on the person and compare every stage with the clean result.")

image, box = image_and_person_ui()
names = zoo.shipped_models()
name = st.sidebar.selectbox("Model", names, key="occ_model")
model = get_model(name)
clean = predict_cached(image.digest, image.rgb, name, model, box, False, "dark")
confidence_warning(clean.keypoints)
schema = clean.schema
crop = clean.crop
cw, ch = crop.shape[1], crop.shape[0]

st.subheader("Occluders (crop pixels)")
# The table's rows live in the session: a drawn occluder is added to what the table shows (its edits included),
# and the table is then shown afresh under a new key (a widget whose data changed would show its old state).
rows_key, version_key, last_drag_key = "occ_rows", "occ_rows_version", "occ_last_drag"
if rows_key not in st.session_state or st.session_state.get("occ_rows_crop") != (cw, ch):
    st.session_state[rows_key] = pd.DataFrame([{"x": cw * 0.35, "y": ch * 0.25, "w": cw * 0.3, "h": ch * 0.25, "fill": "grey"}])
    st.session_state["occ_rows_crop"] = (cw, ch)
version = st.session_state.setdefault(version_key, 0)
table = st.data_editor(st.session_state[rows_key], num_rows="dynamic", key=f"occ_table_{version}",
                       column_config={"fill": st.column_config.SelectboxColumn("fill", options=list(FILLS), required=True)})
try:
    occluders = [Occluder(float(r.x), float(r.y), float(r.w), float(r.h), str(r.fill)) for r in table.itertuples() if r.w > 0 and r.h > 0]
except (TypeError, ValueError):
    st.error("Every occluder needs numeric x, y, w, h and a fill.")
    st.stop()
with st.expander("Draw an occluder on the crop"):
    st.caption("Drag a rectangle over the part to hide (press, move, release): it is added to the table with a grey fill, "
               "which you can change there.")
    zoom = max(1, 384 // max(cw, ch))
    drag = streamlit_image_coordinates(zoomed(outlined(crop, occluders), zoom), key="occ_draw", click_and_drag=True, cursor="crosshair")
    drawn = dragged_box(drag, 1 / zoom, cw, ch, min_side=2)
    if drawn is not None and drag != st.session_state.get(last_drag_key):
        st.session_state[last_drag_key] = drag
        x, y, w, h = drawn
        st.session_state[rows_key] = pd.concat([table, pd.DataFrame([{"x": x, "y": y, "w": w, "h": h, "fill": "grey"}])],
                                               ignore_index=True)
        st.session_state[version_key] = version + 1
        st.rerun()
# occlude in crop space, then express the occluded crop as an image so the same pipeline runs
occluded_crop = apply_occluders(crop, occluders)
img_occ = occlude_photo(image.rgb, crop, occluded_crop, clean.transform.inverse)
digest = image.digest + str(hash(tuple(occluders)))
occ = predict_cached(digest, img_occ, name, model, box, False, "dark")

joint = st.selectbox("Joint", schema.joints, index=schema.joints.index("right_wrist") if "right_wrist" in schema.joints else 0, key="occ_joint")
k = schema.index(joint)
chart(st, belief_maps_figure(crop, clean.stage_maps[:, k], [f"clean: {s}" for s in clean.stage_names]), width="stretch")
chart(st, belief_maps_figure(occ.crop, occ.stage_maps[:, k], [f"occluded: {s}" for s in occ.stage_names]), width="stretch")
c1, c2 = st.columns(2)
c1.image(skeleton(image.rgb, clean.keypoints, schema), caption="clean", width="stretch")
c2.image(skeleton(img_occ, occ.keypoints, schema), caption="occluded", width="stretch")
gt = lsp_ground_truth(image.path)
if gt is not None:
    gt = rescale_points(gt, image.scale)  # the file's pixels → the processed image's
rows = occlusion_table(schema.joints, clean.keypoints, occ.keypoints, gt)
st.dataframe(pd.DataFrame(rows), hide_index=True)
scores = st.container()  # one slot with or without ground truth, so the widgets below keep their state
if gt is not None:
    m1, m2 = scores.columns(2)
    pc, po = occlusion_pck(rows)
    m1.metric("PCK@0.2 clean", f"{pc:.1f} %")
    m2.metric("PCK@0.2 occluded", f"{po:.1f} %", delta=f"{po - pc:.1f} points")

st.subheader(f"What the {joint} belief depends on")


def sensitivities(digest: str, model_name: str, crop, model, bar):
    """Every joint's occlusion sensitivity from one sweep: once per image, person and model, then any joint is free.
    Kept in the session (its last four), not in st.cache_data: a cached function may not move a bar drawn outside it."""
    store = st.session_state.setdefault("occ_sweeps", {})
    if (digest, model_name) not in store:
        store[(digest, model_name)] = occlusion_sensitivity_all(model, crop, progress_callback=lambda f: bar.progress(
            0.8 * f, text=f"Occlusion sensitivity of every joint (one sweep, once for this person)… {100 * f:.0f} %"))
        while len(store) > 4:
            store.pop(next(iter(store)))
    return store[(digest, model_name)]


@st.cache_data(max_entries=16, show_spinner=False)
def gradients(digest: str, model_name: str, joint: int, _crop, _model):
    return integrated_gradients(_model, _crop, joint)


def attributions(digest: str, model_name: str, joint: int, _crop, _model):
    bar = st.progress(0.0, text="Occlusion sensitivity of every joint (one sweep, once for this person)…")
    sens = sensitivities(digest, model_name, _crop, _model, bar)[joint]
    bar.progress(0.8, text="Integrated gradients of this joint (captum)…")
    ig = gradients(digest, model_name, joint, _crop, _model)
    bar.empty()
    return sens, ig


# Attribution takes seconds, so it runs on request; its result stays while model, person and joint stay.
inputs = (image.digest, str(box), name, k)
if st.button(f"Attribute the {joint} belief (seconds the first time for this person, then about one per joint)", key="occ_attr"):
    st.session_state["occ_attr_inputs"] = inputs
shown = st.container()  # one slot before and after the button, so the widgets below keep their state
if st.session_state.get("occ_attr_inputs") != inputs:
    shown.caption("Press the button to see which pixels this belief depends on (occlusion sensitivity and integrated gradients).")
else:
    with shown:
        sens, ig = attributions(image.digest + str(box), name, k, crop, model)
    chart(shown, attribution_figure(crop, {f"occlusion sensitivity (belief drop, {occlusion_window(crop)}-px mask)": sens,
                                                 "integrated gradients |attribution| (grey baseline)": ig}), width="stretch")
    sx, sy = most_sensitive_point(sens)
    peak = apply_affine(clean.keypoints[k:k + 1, :2], clean.transform.matrix)[0]
    shown.caption(f"Most sensitive region centred near ({sx}, {sy}) crop px; the predicted {joint} is at ({peak[0]:.0f}, {peak[1]:.0f}).")

st.subheader("Sweep: occluder size × position over LSP test images")
n_img = st.slider("LSP test images", 5, 100, 20, 5, key="occ_n")
if not (dataset_dir("lsp") / "joints.mat").is_file():
    st.info("The sweep runs over LSP test images, and the data root has no LSP: fetch it with "
            "`python -m poseviz data fetch lsp` (the Data page lists what is present).")
elif st.button("Run the sweep for every shipped model", key="occ_run"):
    data = load_lsp(dataset_dir("lsp"))
    idx = lsp_split("test")[:n_img]
    fig = go.Figure()
    vis_rows = []
    for m in names:
        bar = st.progress(0.0, text=f"{m}: occlusion sweep")
        res = occlusion_sweep(get_model(m), data, idx, progress=False, progress_callback=lambda f, b=bar, m=m: b.progress(f, text=f"{m}: occlusion sweep"))
        bar.empty()
        fig.add_trace(go.Scatter(x=100 * res.sizes, y=res.drop, mode="lines+markers", name=m))
        ev = evaluate_lsp(get_model(m), data, idx, progress=False)
        vis_rows.append({"model": m, **visibility_accuracy(ev.pck.correct, data.joints[idx][..., 2])})
    fig.update_layout(template=TEMPLATE, xaxis_title="occluder side (% of the crop)", yaxis_title="PCK@0.2 drop (points)", height=340)
    chart(st, fig, width="stretch")
    st.dataframe(pd.DataFrame(vis_rows).round(1), hide_index=True)
