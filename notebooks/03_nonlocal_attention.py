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
# # Non-local attention
#
# The shipped `hrnet_nl_lsp` has an embedded-Gaussian non-local block (Wang et al. 2018) on its stage-3, 1/8-resolution branch. Its `PoseOutput.attention` is the full [N, N] matrix: row *q* is where query position *q* looks. GCNet (Cao et al. 2019) observed that these rows are nearly identical for all queries; we measure it with the mean Jensen–Shannon divergence between query maps.

# %%
import numpy as np
from poseviz.data.root import data_root, dataset_dir
from poseviz.pretrained import load_pretrained
from poseviz.image_io import load_image
from poseviz.inference import predict_person
from poseviz.geometry import apply_affine
from poseviz.attention import grid_cell, query_map, top_k, entropy_map, mean_attention, query_dependence, output_gate
from poseviz.plots.attention import attention_maps_figure

model = load_pretrained("hrnet_nl_lsp")
img = load_image(dataset_dir("lsp") / "images" / "im1010.jpg")
h, w = img.rgb.shape[:2]
pred = predict_person(model, img.rgb, (0, 0, w, h))
att, hw = pred.output.attention[0].numpy(), pred.output.attention_hw
print("attention", att.shape, "grid", hw, "rows sum to", att.sum(-1).min().round(6), "…", att.sum(-1).max().round(6))

# %% [markdown]
# One query per joint, at the joint's predicted location:

# %%
crop_kp = apply_affine(pred.keypoints[:, :2], pred.transform.matrix)
size = (pred.crop.shape[1], pred.crop.shape[0])
cells = [grid_cell(tuple(p), size, hw) for p in crop_kp]
maps = [query_map(att, hw, c) for c in cells]
attention_maps_figure(pred.crop, maps, list(pred.schema.joints), cells, hw, top=[top_k(m, 5) for m in maps]).show()

# %%
ent = entropy_map(att, hw)
# γ scales what the attended features add (z = x + BN(W_z y)); at 0 the block is the identity
print(f"output gate max |γ|: {output_gate(model.nonlocal_block):.3g}")
print(f"mean entropy {ent.mean():.3f} nats (uniform would be {np.log(att.shape[1]):.3f})")
print(f"query dependence (mean JS divergence): {query_dependence(att):.5f} nats  (0 = GCNet's query-independent context, ln 2 = {np.log(2):.3f} = disjoint)")
attention_maps_figure(pred.crop, [mean_attention(att, hw)], ["query-averaged attention"], [None], hw).show()
