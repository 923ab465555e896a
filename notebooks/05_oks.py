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
# # How OKS scores a pose
#
# OKS = Σᵢ exp(−dᵢ²/2s²kᵢ²)·δ(vᵢ>0) / Σᵢ δ(vᵢ>0), s² = the person's area, kᵢ = 2σᵢ. We run a shipped LSP model on every annotated person of the COCO sample (12 shared joints), score each instance, classify each joint's error (Ronchi & Perona 2017) and compute COCO AP — the same functions as the app's OKS laboratory, checked against pycocotools in the tests.

# %%
import numpy as np, pandas as pd
from poseviz.data.root import data_root, dataset_dir
from poseviz import zoo
from poseviz.coco import load_coco
from poseviz.image_io import load_image
from poseviz.pretrained import load_pretrained
from poseviz.metrics import coco_keypoint_eval, tolerance_radius
from poseviz.oks_lab import predict_dataset, instances_table, error_totals
from poseviz.plots.oks import oks_instance_image, oks_terms_figure, oks_curves_figure, pr_curve_figure, error_totals_figure

COCO = dataset_dir("coco-mini")
gt = load_coco(COCO / "annotations" / "person_keypoints_train2017.json")
model = load_pretrained(zoo.shipped_models()[0])
instances, data, sigmas = predict_dataset(model, gt, lambda im: load_image(COCO / "train2017" / im["file_name"], max_side=None).rgb, progress=False)
names = data["categories"][0]["keypoints"]
print(len(instances), "people scored on", len(names), "joints")

# %%
results = [{"image_id": i.image_id, "category_id": 1, "keypoints": np.column_stack([i.pred[:, :2], np.ones(len(i.pred))]).ravel().tolist(),
            "score": float(i.pred[:, 2].mean())} for i in instances]
ev = coco_keypoint_eval(data, results, sigmas)
print({k: round(v, 3) for k, v in ev.as_dict().items()})
print("error totals:", error_totals(instances))
pr_curve_figure(ev.precision).show()

# %% [markdown]
# The best instance, its tolerance rings (OKS term 0.5 / 0.75 / 0.95) and its per-joint terms:

# %%
best = max(instances, key=lambda i: i.oks)
img = load_image(COCO / "train2017" / gt.image(best.image_id)["file_name"], max_side=None).rgb
import plotly.express as px
px.imshow(oks_instance_image(img, best.gt, best.pred, best.area, sigmas, best.errors, best.bbox)).show()
oks_terms_figure(names, best.terms, best.errors, best.oks).show()
oks_curves_figure(names, sigmas, best.area).show()
print(f"best instance OKS {best.oks:.3f}; wrist radius at term 0.5: {tolerance_radius(best.area, sigmas[names.index('left_wrist')], 0.5):.1f} px")
pd.DataFrame(instances_table(instances)).head()
