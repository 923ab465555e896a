"""Dense correspondence: a DensePose-style chart (part I, coordinates U, V) for every body pixel."""
import pandas as pd
import streamlit as st

from app.display import chart
from app.state import confidence_warning, get_model, image_and_person_ui, predict_cached
from poseviz.core.dense import part_stats
from poseviz.models import zoo
from poseviz.plots.dense import chart_channels_figure, chart_figure

st.title("Dense correspondence")
st.caption("Every body pixel → a part index I and chart coordinates U and V, in the form DensePose (Güler et al. "
           "2018) predicts them. Here U runs along the part and V across it — this project's skeleton convention; "
           "DensePose's U and V are coordinates on the 24 charts of the SMPL body surface.")
st.info("**Skeleton-derived charts, not DensePose-COCO.** No DensePose-COCO data is available here, so this model was "
        "trained on charts made from LSP skeletons: each limb is a capsule around its bone (U = position along the bone, "
        "V = across it), the torso is the shoulder–hip quadrilateral and the head a capsule from neck to head top. "
        "It has not seen a body surface model.", icon=":material/info:")

names = zoo.shipped_models("dense")
if not names:
    st.warning("No DensePose-style model has trained weights in assets/ yet.")
    st.stop()
image, box = image_and_person_ui()
name = st.sidebar.selectbox("Model", names, key="dense_model", format_func=lambda n: f"{n} — {zoo.ZOO[n].description}")
model = get_model(name)
res = predict_cached(image.digest, image.rgb, name, model, box, False, "dark")
confidence_warning(res.keypoints)
index, u, v = res.charts
crop = res.crop

c1, c2 = st.columns(2)
opacity = c1.slider("Part colour opacity", 0.0, 1.0, 0.6, 0.05, key="dense_opacity")
levels = c2.slider("Iso-lines per unit of U and V", 2, 20, 10, key="dense_levels")
chart(st, chart_figure(crop, index, u, v, opacity, levels), width="stretch")
st.subheader("The raw channels")
st.caption(f"The head predicts on a {index.shape[1]}×{index.shape[0]} grid (stride {crop.shape[1] // index.shape[1]} px "
           "of the crop); above they are upsampled to the crop.")
chart(st, chart_channels_figure(index, u, v), width="stretch")

st.subheader("Parts found")
rows = part_stats(index, u, v, cell_area=(crop.shape[1] / index.shape[1]) * (crop.shape[0] / index.shape[0]))
st.dataframe(pd.DataFrame(rows), hide_index=True, key="dense_table")
st.caption(f"Network time {res.latency_ms:.0f} ms. Model card: assets/{name}.md")
