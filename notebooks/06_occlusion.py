# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Occlusion
#
# How much does hiding part of a person hurt, which pixels does a joint's belief depend on, and how do the models do on the joints LSP marks as occluded?

# %%
import numpy as np, pandas as pd, plotly.graph_objects as go
from poseviz.data.root import data_root, dataset_dir
from poseviz import zoo
from poseviz.data.lsp import load_lsp, lsp_split, joints_box
from poseviz.evaluation import evaluate_lsp
from poseviz.geometry import box_to_center_scale, crop_transform, warp_crop
from poseviz.inference import DEFAULT_ENLARGE
from poseviz.occlusion import Occluder, apply_occluders, occlusion_sensitivity, integrated_gradients, occlusion_sweep, visibility_accuracy
from poseviz.plots.beliefs import overlay
from poseviz.pretrained import load_pretrained
from poseviz.training.dataset import load_images
import plotly.express as px

data = load_lsp(dataset_dir("lsp"))
idx = lsp_split("test")[:6]  # a handful keeps the notebook quick; the app's sweep takes up to 100
images = load_images(data, idx)
name = zoo.shipped_models()[0]
model = load_pretrained(name)

# %%
c, s = box_to_center_scale(joints_box(data.joints[idx[0]]), 1.0, DEFAULT_ENLARGE)
crop = warp_crop(images[0], crop_transform(c, s, (128, 128)))
sens = occlusion_sensitivity(model, crop, joint=6)
ig = integrated_gradients(model, crop, joint=6)
px.imshow(np.hstack([apply_occluders(crop, [Occluder(40, 30, 40, 30, "grey")]), overlay(crop, np.maximum(sens, 0)), overlay(crop, ig)])).show()

# %%
rows, fig = [], go.Figure()
for m in zoo.shipped_models():
    mdl = load_pretrained(m)
    res = occlusion_sweep(mdl, data, idx, sizes=(0.0, 0.15, 0.3, 0.45), grid=2, images=images, progress=False)
    fig.add_trace(go.Scatter(x=100 * res.sizes, y=res.drop, name=m, mode="lines+markers"))
    ev = evaluate_lsp(mdl, data, idx, images=images, progress=False)
    rows.append({"model": m, **visibility_accuracy(ev.pck.correct, data.joints[idx][..., 2])})
fig.update_layout(xaxis_title="occluder side (% of crop)", yaxis_title="PCK@0.2 drop (points)").show()
print("sweep sizes (% of crop):", (100 * res.sizes).round().tolist())
pd.DataFrame(rows).round(1)
