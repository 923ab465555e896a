"""Non-local attention: what each position of the HRNet non-local block attends to."""
import pandas as pd
import streamlit as st

from app.display import chart
from app.state import confidence_warning, get_model, image_and_person_ui, predict_cached
from poseviz.core.geometry import apply_affine
from poseviz.explain.attention import (
    entropy_map,
    entropy_share_map,
    grid_cell,
    mean_attention,
    output_gate,
    query_dependence,
    query_map,
    top_k,
    uniform_entropy,
)
from poseviz.models import zoo
from poseviz.plots.attention import attention_maps_figure
from poseviz.plots.theme import zoomed

st.title("Non-local attention")
st.caption("A non-local block (Wang et al. 2018) lets every position attend to every other: "
           "softmax(θ(x)ᵀφ(x)) weighs g(x). GCNet (Cao et al. 2019) found the maps barely depend on the query — check it here.")

NAME = "hrnet_nl_lsp"
if NAME not in zoo.shipped_models():
    st.warning(f"The model with a non-local block ({NAME}) has no trained weights in assets/ yet.")
    st.stop()
image, box = image_and_person_ui()
model = get_model(NAME, fast=False)  # reads the block's BatchNorm γ
res = predict_cached(image.digest, image.rgb, NAME, model, box, False, "dark")
confidence_warning(res.keypoints)
att, hw, crop = res.attention_map, tuple(res.output.attention_hw), res.crop
schema = res.schema
crop_kp = apply_affine(res.keypoints[:, :2], res.transform.matrix)
size = (crop.shape[1], crop.shape[0])
st.caption(f"Attention grid {hw[1]}×{hw[0]} (stage {model.config.nonlocal_at[0]}, branch {model.config.nonlocal_at[1] + 1}); "
           f"each cell covers {size[0] // hw[1]}×{size[1] // hw[0]} crop px.")

mode = st.radio("Query", ["A joint's predicted location", "Click on the crop", "Every joint side by side"], horizontal=True, key="nl_mode")
k = st.slider("Top-k attended positions", 1, 20, 5, key="nl_k")
if mode == "Every joint side by side":
    cells = [grid_cell(tuple(crop_kp[j]), size, hw) for j in range(schema.num_joints)]
    titles = list(schema.joints)
else:
    if mode == "Click on the crop":
        from streamlit_image_coordinates import streamlit_image_coordinates

        scale = 3
        st.caption("Click a point on the crop below to make it the query.")
        click = streamlit_image_coordinates(zoomed(crop, scale), key="nl_click")
        xy = ((click["x"] / scale, click["y"] / scale) if click else tuple(crop_kp[0]))
        titles = [f"query at ({xy[0]:.0f}, {xy[1]:.0f}) px"]
    else:
        joint = st.selectbox("Joint", schema.joints, key="nl_joint")
        xy = tuple(crop_kp[schema.index(joint)])
        titles = [f"query: {joint}"]
    cells = [grid_cell(xy, size, hw)]
maps = [query_map(att, hw, c) for c in cells]
tops = [top_k(m, k) for m in maps]
chart(st, attention_maps_figure(crop, maps, titles, cells, hw, top=tops), width="stretch")

st.subheader("Per-query entropy and the query-averaged (global-context) map")
ent = entropy_map(att, hw)
avg = mean_attention(att, hw)
# Two figures, each with its own colour bar: entropy (0–1 of ln N) and attention weight differ by orders of magnitude.
e1, e2 = st.columns(2)
chart(e1, attention_maps_figure(crop, [entropy_share_map(att, hw)], ["entropy / ln N (1 = uniform)"], [None], hw,
                                      colorbar_title="entropy / ln N", height=440), width="stretch")
chart(e2, attention_maps_figure(crop, [avg], ["mean over all queries"], [None], hw,
                                      colorbar_title="mean attention weight", height=440), width="stretch")
js = query_dependence(att)
gate = output_gate(model.nonlocal_block)
if gate == 0:
    st.warning("This block's output gate γ is 0: it is the identity, so its attention never reaches the prediction.")
c1, c2, c3, c4 = st.columns(4)
c1.metric("Mean JS divergence between queries", f"{js:.4f} nats", help="0 = every query attends identically (GCNet's finding); ln 2 = disjoint")
c2.metric("Mean entropy", f"{ent.mean():.2f} nats", help=f"uniform attention would be ln N = {uniform_entropy(att):.2f}")
c3.metric("Grid positions N", f"{att.shape[1]}")
c4.metric("Output gate max |γ|", f"{gate:.3g}", help="z = x + BN(W_z y): γ scales what attention adds to the features; it starts at 0 (identity)")
effect = zoo.card_metrics(NAME).get("nonlocal")
if effect:
    st.info(f"Measured over LSP test (model card): silencing this block (its output BatchNorm set to 0) takes PCK@0.2 from "
            f"{effect['pck_flip']:.2f} % to {effect['pck_flip_silenced']:.2f} %, while its attention varies by only "
            f"{effect['query_dependence']:.4f} nats between queries: it adds one global context to every position, "
            "which a query-independent block (GCNet) could compute for less.")
st.dataframe(pd.DataFrame([{"query": t, "rank": r + 1, "column": cx, "row": cy, "weight": round(wt, 5)}
                           for t, tp in zip(titles, tops) for r, (cx, cy, wt) in enumerate(tp)]), hide_index=True)
