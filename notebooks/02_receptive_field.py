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
# # Receptive fields
#
# The theoretical receptive field (RF) of a unit is every input pixel it could depend on; CPM's paper argues that accuracy rises as later stages see more of the image (its stage 2 sees ≈ 400 px at 368 px input). The **effective** RF (Luo et al., NeurIPS 2016) is where the gradient really lands.

# %%
import pandas as pd
from poseviz.data.root import data_root, dataset_dir
from poseviz import zoo
from poseviz.models import create_model
from poseviz.receptive_field import receptive_fields, stage_receptive_fields
from poseviz.plots.receptive import rf_growth_figure, erf_figure
from poseviz.erf import stage_erfs
from poseviz.image_io import load_image
from poseviz.inference import predict_person
from poseviz.pretrained import load_pretrained

# %% [markdown]
# ## Theoretical RF per stage of the paper's CPM (368 × 368)

# %%
cpm = create_model("cpm")
table = pd.DataFrame([{"stage": r.name, "RF (px)": r.rf.size, "jump (px)": r.rf.jump} for r in stage_receptive_fields(cpm)])
table

# %%
tables = {n: receptive_fields(zoo.build(n)) for n in zoo.list_zoo()}
tables["CPM paper"] = receptive_fields(cpm)
rf_growth_figure(tables, input_size=128).show()

# %% [markdown]
# ## Effective RF of every stage, trained vs random weights

# %%
name = zoo.shipped_models()[0]
model = load_pretrained(name)
img = load_image(dataset_dir("lsp") / "images" / "im1001.jpg")
h, w = img.rgb.shape[:2]
pred = predict_person(model, img.rgb, (0, 0, w, h))
erfs = stage_erfs(model, name, pred.crop, joint=pred.schema.index("right_wrist"))
erf_figure(pred.crop, erfs.trained, erfs.stage_names, erfs.rf_sizes).show()
erf_figure(pred.crop, erfs.random, erfs.stage_names, erfs.rf_sizes).show()
pd.DataFrame(erfs.table())
