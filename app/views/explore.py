"""Explore: every stage's belief maps for one person, joint by joint."""
import json

import cv2
import pandas as pd
import streamlit as st

from app.display import chart, skeleton
from app.state import confidence_warning, image_and_person_ui, model_ui, predict_cached
from poseviz.core.geometry import rescale_points
from poseviz.io.coco import coco_result
from poseviz.models import zoo
from poseviz.models.efficientpose import skeleton_paf_labels
from poseviz.models.protocol import heads
from poseviz.plots.paf import field_length, skeleton_paf_figure, strongest_field
from poseviz.plots import belief_maps_figure, belief_strip_image, joint_grid_figure, stage_peak_table, stage_peaks
from poseviz.plots.skeleton import draw_crop_box

st.title("Explore belief maps")
st.caption("Each stage of a network refines its belief maps: watch a joint's belief sharpen stage by stage.")

image, box = image_and_person_ui()
label, model = model_ui()
if model is None:
    st.stop()
st.sidebar.subheader("Options")
flip = st.sidebar.toggle("Flip test", help="Average with the belief maps of the mirrored crop.", key="explore_flip")
method = st.sidebar.radio("Decoding", ["argmax", "quarter", "dark"], index=2, horizontal=True,
                          help="argmax; ¼-pixel shift toward the higher neighbour (HRNet); DARK Taylor refinement")

res = predict_cached(image.digest, image.rgb, label, model, box, flip, method)
confidence_warning(res.keypoints)
schema = res.schema
stages, names, crop = res.stage_maps, res.stage_names, res.crop
view = res.photo_view(image.rgb)  # the maps are drawn over the photo's own pixels, not the 128-px input blown up

c1, c2 = st.columns([1, 2])
c1.image(crop, caption=f"Network input: {crop.shape[1]}×{crop.shape[0]} px crop", width="stretch")
full = draw_crop_box(skeleton(image.rgb, res.keypoints, schema), res.transform.inverse, (crop.shape[1], crop.shape[0]))
c2.image(full, caption=f"Prediction on the full image ({label}, {res.latency_ms:.0f} ms)", width="stretch")

ensemble = label in zoo.ZOO and zoo.is_ensemble(label)  # its "stages" are its members' maps and their mean
st.subheader("One joint, every member and their mean" if ensemble else "One joint, every stage")
j1, j2, j3 = st.columns([2, 2, 1])
joint = j1.selectbox("Joint", schema.joints, index=schema.joints.index("right_wrist") if "right_wrist" in schema.joints else 0)
opacity = j2.slider("Belief-map opacity", 0.0, 1.0, 0.65, 0.05)
shared = j3.toggle("One colour scale", value=True, help="Off: each stage on its own scale.")
k = schema.index(joint)
table = stage_peak_table(stages[:, k], res.stride, names, method, members=ensemble)
peaks = stage_peaks(stages[:, k], res.stride, method)[:, :2]
chart(st, belief_maps_figure(crop, stages[:, k], names, opacity, shared, peaks=peaks, photo=view), width="stretch")
st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch")

st.subheader("All joints of one stage")
stage = st.select_slider("Stage", options=names, value=names[-1])
chart(st, joint_grid_figure(crop, stages[names.index(stage)], list(schema.joints), opacity, photo=res.photo_view(image.rgb, 256)), width="stretch")

if "skeleton_pafs" in heads(model) and res.output.pafs:
    st.subheader("Pass 1: the skeleton's part affinity fields")
    st.caption("EfficientPose's first pass predicts one field per limb: at each cell of its 1/8-resolution grid a "
               "vector pointing along the limb where the limb is. Passes 2 and 3 read these fields with the image "
               "features to place the joints. Which channel pair is which limb was measured here (the authors do "
               "not publish it).")
    labels, fields = skeleton_paf_labels(), res.output.pafs[0][0].numpy()
    pair = st.selectbox("Limb", range(len(labels)), format_func=labels.__getitem__, index=strongest_field(fields),
                        key=f"explore_paf_limb_{image.digest}", help="First: the limb with the strongest field in this crop.")
    field = fields[2 * pair:2 * pair + 2]
    chart(st, skeleton_paf_figure(crop, field, crop.shape[1] / field.shape[-1], labels[pair]), width="stretch")
    longest = field_length(field)
    if longest < 0.2:
        st.caption(f"A weak field: its longest vector is {longest:.2f} (1 on a limb seen clearly) — the network barely "
                   "sees this limb in this crop; arrows shorter than 0.1 are not drawn.")

st.subheader("Downloads")
d1, d2 = st.columns(2)
strip = belief_strip_image(crop, stages[:, k], names, opacity, shared)
ok, png = cv2.imencode(".png", cv2.cvtColor(strip, cv2.COLOR_RGB2BGR))
d1.download_button("Belief maps of this joint (PNG)", png.tobytes(), file_name=f"poseviz_{joint}_stages.png", mime="image/png")
results_json = json.dumps([coco_result(rescale_points(res.keypoints, 1 / image.scale), 0)])  # the file's own pixels
d2.download_button("Predictions (COCO results JSON)", results_json, file_name="poseviz_results.json", mime="application/json")
with st.expander("Predictions as COCO results JSON (original image pixels)"):
    st.code(results_json, language="json")
