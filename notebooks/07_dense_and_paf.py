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
# # Dense correspondence and part affinity fields
#
# Two more ways to see a body. **DensePose-style charts** give every body pixel a part index I and chart coordinates U, V. **OpenPose-style part affinity fields** (PAFs) give every limb a 2-D unit-vector field, so people can be assembled bottom-up from a whole image.
#
# > The chart model here is trained on **skeleton-derived charts** built from LSP joints (limb capsules, a torso quadrilateral, a head capsule) — not DensePose-COCO, which is not available to this project.

# %%
import numpy as np
import plotly.express as px
from poseviz.data.root import data_root, dataset_dir
from poseviz import zoo
from poseviz.bottom_up import predict_people
from poseviz.data.lsp import load_lsp, lsp_split
from poseviz.dense import PARTS, dense_targets
from poseviz.dense_eval import evaluate_dense
from poseviz.heatmaps import input_to_heatmap
from poseviz.image_io import load_image
from poseviz.inference import predict_person
from poseviz.plots.dense import chart_figure, chart_channels_figure
from poseviz.plots.paf import paf_stages_figure, people_image
from poseviz.pretrained import load_pretrained
from poseviz.schemas import LSP14

SHARED = data_root()
data = load_lsp(SHARED / "lsp")
dense_model = load_pretrained(zoo.shipped_models("dense")[0])
paf_model = load_pretrained(zoo.shipped_models("paf")[0])

# %% [markdown]
# ## Charts of one LSP test person
#
# Parts in colour, then U and V as iso-lines over the crop, as DensePose draws them; below, the raw channels on the head's 64×64 grid.

# %%
i = int(lsp_split("test")[3])
img = load_image(data.image_path(i)).rgb
x0, y0 = data.joints[i][:, :2].min(0); x1, y1 = data.joints[i][:, :2].max(0)
pred = predict_person(dense_model, img, (x0, y0, x1 - x0, y1 - y0))
index, u, v = (a[0].numpy() for a in pred.output.dense.charts())
chart_figure(pred.crop, index, u, v).show()
chart_channels_figure(index, u, v).show()
cell = (pred.crop.shape[0] / index.shape[0]) ** 2
for p, name in enumerate(PARTS[1:], start=1):
    print(f"{name:<16} {cell * (index == p).sum():7.0f} crop px²")

# %% [markdown]
# What the model was taught for this crop: the chart made from the ground-truth skeleton.

# %%
gt_crop = pred.transform.to_crop(data.joints[i][:, :2])
t = dense_targets(input_to_heatmap(gt_crop, 2), index.shape)
chart_figure(pred.crop, t.I, t.U, t.V).show()
scores = evaluate_dense(dense_model, data, lsp_split("test")[:10], progress=False)
print(f"mean part IoU on 10 LSP test crops: {100 * scores.miou:.1f} %, U/V error {scores.uv_error:.3f}")

# %% [markdown]
# ## Part affinity fields, bottom-up
#
# One pass over the whole image; every stage predicts belief maps and PAFs. Pick a limb to see its field sharpen stage by stage.

# %%
coco = sorted((SHARED / "coco-mini" / "train2017").glob("*.jpg"))
rgb = load_image(coco[0]).rgb
res = predict_people(paf_model, rgb)
print("people found:", len(res.people), "scores:", np.round(res.scores, 3).tolist())
px.imshow(people_image(rgb, res.people, LSP14)).show()
limb = 1  # right knee → right hip
a, b = res.limbs[limb]
paf_stages_figure(res.image, res.stages, [p[limb] for p in res.pafs], res.limbs[limb],
                  f"{LSP14.joints[a]} → {LSP14.joints[b]}", res.stride).show()
print("largest PAF magnitude per stage:", [round(float(np.hypot(*p[limb]).max()), 2) for p in res.pafs])
