"""Compare: 2–4 models on the same person — skeletons, disagreement, every stage, latency."""
import itertools

import numpy as np
import pandas as pd
import streamlit as st

from app.state import confidence_warning, get_model, image_and_person_ui, predict_cached
from poseviz import zoo
from poseviz.plots import belief_maps_figure, draw_skeleton
from poseviz.schemas import get_schema

st.title("Compare models")
image, box = image_and_person_ui("cmp", "cmp_person")
shipped = zoo.shipped_models()
chosen = st.sidebar.multiselect("Models (2–4)", shipped, default=shipped[:3], max_selections=4)
flip = st.sidebar.toggle("Flip test", value=False, key="cmp_flip")
if len(chosen) < 2:
    st.warning("Pick at least two models in the sidebar.")
    st.stop()

results = {n: predict_cached(image.digest, image.rgb, n, get_model(n), box, flip, "dark") for n in chosen}
for n, r in results.items():
    confidence_warning(r["keypoints"], n)
cols = st.columns(len(chosen))
for col, (name, res) in zip(cols, results.items()):
    col.image(draw_skeleton(image.rgb, res["keypoints"], get_schema(res["schema"])), caption=name, width="stretch")

schemas = {r["schema"] for r in results.values()}
if len(schemas) == 1:
    schema = get_schema(schemas.pop())
    kps = np.stack([r["keypoints"][:, :2] for r in results.values()])
    pairs = list(itertools.combinations(range(len(chosen)), 2))
    dist = np.stack([np.linalg.norm(kps[a] - kps[b], axis=-1) for a, b in pairs])
    st.subheader("Per-joint disagreement")
    st.caption("Largest distance between any two models' predictions of the joint, in image pixels.")
    st.bar_chart(pd.DataFrame({"joint": schema.joints, "max pairwise distance (px)": dist.max(0)}).set_index("joint"))
    joint = st.selectbox("Joint", schema.joints, key="cmp_joint")
    k = schema.index(joint)
    st.subheader(f"Every stage of {joint}, one row per model")
    for name, res in results.items():
        st.plotly_chart(belief_maps_figure(res["crop"], res["stages"][:, k], [f"{name}: {s}" for s in res["stage_names"]]),
                        width="stretch")
else:
    st.info("These models use different keypoint schemas; disagreement is shown only for models of one schema.")

st.subheader("Latency")
st.dataframe(pd.DataFrame([{"model": n, "stages": len(r["stage_names"]), "inference (ms, incl. crop and decode)": round(r["latency_ms"], 1)}
                           for n, r in results.items()]), hide_index=True)
