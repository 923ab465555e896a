"""Compare: 2–4 models on the same person — skeletons, disagreement, every stage, latency."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app.state import confidence_warning, get_model, image_and_person_ui, predict_cached
from poseviz.core.schemas import get_schema
from poseviz.explain.disagreement import max_pairwise_distance
from poseviz.models import zoo
from poseviz.plots import belief_maps_figure, draw_skeleton
from poseviz.plots.skeleton import draw_crop_box
from poseviz.plots.theme import TEMPLATE

st.title("Compare models")
image, box = image_and_person_ui("cmp", "cmp_person")
shipped = zoo.shipped_models(task=None)
chosen = st.sidebar.multiselect("Models (2–4)", shipped, default=shipped[:3], max_selections=4)
flip = st.sidebar.toggle("Flip test", value=False, key="cmp_flip")
if len(chosen) < 2:
    st.warning("Pick at least two models in the sidebar.")
    st.stop()

results = {n: predict_cached(image.digest, image.rgb, n, get_model(n), box, flip, "dark") for n in chosen}
for n, r in results.items():
    confidence_warning(r.keypoints, n)
cols = st.columns(len(chosen))
for col, (name, res) in zip(cols, results.items()):
    drawn = draw_crop_box(draw_skeleton(image.rgb, res.keypoints, res.schema), res.transform.inverse,
                          (res.crop.shape[1], res.crop.shape[0]))
    col.image(drawn, caption=f"{name} (cyan: the crop the network saw)", width="stretch")

schemas = {r.schema.name for r in results.values()}
if len(schemas) == 1:
    schema = get_schema(schemas.pop())
    dist = max_pairwise_distance([r.keypoints for r in results.values()])
    st.subheader("Per-joint disagreement")
    st.caption("Largest distance between any two models' predictions of the joint, in image pixels (joints in skeleton order).")
    fig = go.Figure(go.Bar(x=list(schema.joints), y=dist, marker_color=[f"rgb{c}" for c in schema.colors]))
    fig.update_layout(template=TEMPLATE, height=320, xaxis=dict(title="joint", categoryorder="array", categoryarray=list(schema.joints)),
                      yaxis_title="max pairwise distance (px)", margin=dict(l=10, r=10, t=20, b=10))
    st.plotly_chart(fig, width="stretch")
    joint = st.selectbox("Joint", schema.joints, key="cmp_joint")
    k = schema.index(joint)
    st.subheader(f"Every stage of {joint}, one row per model")
    for name, res in results.items():
        st.plotly_chart(belief_maps_figure(res.crop, res.stage_maps[:, k], [f"{name}: {s}" for s in res.stage_names]),
                        width="stretch")
else:
    st.info("These models use different keypoint schemas; disagreement is shown only for models of one schema.")

st.subheader("Latency")
st.caption("Steady-state median per crop on a 2-core CPU, from each model's card (this page's own first run includes start-up).")
st.dataframe(pd.DataFrame([{"model": n, "stages": len(r.stage_names),
                            "median ms per crop (model card)": zoo.card_metrics(n).get("median_ms_per_crop")}
                           for n, r in results.items()]), hide_index=True)
