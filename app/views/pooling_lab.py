"""Pooling laboratory: what each pooling keeps, throws away, and sends gradient to."""
import pandas as pd
import streamlit as st

from app.display import chart
from app.state import get_model, image_source_ui
from poseviz.explain.pooling import (
    POOLINGS,
    adaptive_formula_agrees,
    adaptive_windows,
    formula_windows,
    grey_working_image,
    model_feature_maps,
    most_varied_channel,
    pooling_panels,
    rectified_channel,
    unpool_panels,
)
from poseviz.models import zoo
from poseviz.plots.pooling import adaptive_windows_figure, pooling_figure

st.title("Pooling laboratory")
st.caption("Max, min, average, L2, stochastic, k-max, SoftPool, adaptive and global pooling on your image or on a feature map.")

image = image_source_ui()
if image is None:
    st.stop()
source = st.radio("Pool what", ["The image (grey levels)", "A model's feature map"], horizontal=True, key="pool_src")
# Each branch draws its own widgets inside one container, so the pooling widgets below keep their place and state.
branch = st.container()
if source.startswith("The image"):
    side = branch.slider("Working size (px)", 16, 128, 48, 8, key="pool_side", help="Small sizes make individual windows visible.")
    arr = grey_working_image(image.rgb, side)
else:
    names = zoo.shipped_networks(task=None)  # feature maps belong to one network, not to an ensemble
    name = branch.selectbox("Model", names, key="pool_model")
    model = get_model(name, fast=False)  # reads layers and features
    feats = model_feature_maps(model, image.rgb)
    fname = branch.selectbox("Feature map", list(feats), key="pool_feat")
    f = feats[fname]
    ch = branch.number_input(f"Channel (0–{f.shape[0] - 1}; starts at the most varied one)", 0, f.shape[0] - 1,
                         most_varied_channel(f), key=f"pool_ch_{name}_{fname}")
    arr = rectified_channel(f, ch)

c1, c2, c3, c4 = st.columns(4)
kind = c1.selectbox("Pooling", POOLINGS, key="pool_kind")
kernel = c2.number_input("Kernel (px)", 1, 9, 2, key="pool_kernel")
stride = c3.number_input("Stride (px)", 1, 9, 2, key="pool_stride")
padding = c4.number_input("Padding (px)", 0, int(kernel) // 2, 0, key="pool_pad")
k = st.slider("k (k-max)", 1, int(kernel) ** 2, min(2, int(kernel) ** 2), key="pool_kk") if kind == "kmax" else 2
out_size = st.slider("Output size (adaptive)", 1, max(1, min(arr.shape)), max(1, min(arr.shape) // 3), key="pool_out") if kind.startswith("adaptive") else 1
view = pooling_panels(arr, kind, kernel, stride, padding, output_size=out_size, k=k)
chart(st, pooling_figure(view.panels), width="stretch")
st.caption(f"{view.gradient_positions} of {view.input_positions} input positions receive gradient "
           f"({'only the arg-max of each window' if kind == 'max' else 'see the last panel'}).")

st.subheader("Max-pool, then max-unpool")
panels, u = unpool_panels(arr, kernel, stride, padding)
chart(st, pooling_figure(panels), width="stretch")
m1, m2 = st.columns(2)
m1.metric("Input positions kept", f"{100 * u.kept_fraction:.1f} %")
m2.metric("Reconstruction MSE", f"{u.mse:.4f}")

st.subheader("Adaptive pooling: the formula vs PyTorch")
st.caption("The shortcut stride = ⌊in/out⌋, kernel = in − (out−1)·stride is exact only when PyTorch's windows "
           "⌊i·in/out⌋ … ⌈(i+1)·in/out⌉ all have one size and step.")
a1, a2 = st.columns(2)
n_in = a1.number_input("Input size", 2, 64, 10, key="ad_in")
n_out = a2.number_input("Output size", 1, int(n_in), min(4, int(n_in)), key="ad_out")
chart(st, adaptive_windows_figure(adaptive_windows(int(n_in), int(n_out)), formula_windows(int(n_in), int(n_out)), int(n_in)), width="stretch")
rows = [{"input size": i, "formula agrees with PyTorch": adaptive_formula_agrees(i, int(n_out))} for i in range(int(n_out), int(n_out) + 30)]
st.dataframe(pd.DataFrame(rows), hide_index=True)
