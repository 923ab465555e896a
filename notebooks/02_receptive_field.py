# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 2 — Receptive fields: what each stage can see
#
# **The question.** To place a wrist, a network must see the elbow and shoulder too. How much of the image can a
# unit of a belief map depend on, and how much does it actually use?
#
# The **theoretical receptive field** (RF) of a unit is the square of input pixels it could depend on: every
# convolution *and every pooling window* of size *k* widens it by (*k* − 1) × *jump*, where the jump is the product
# of the strides before it (8 px after three 2× poolings). Convolutional Pose Machines (Wei et al., CVPR 2016, section 3.2) build on this: at
# 368 × 368 input their stage 2 already covers ≈ 400 px, the whole person; in their experiment accuracy rose with
# the RF and then saturated once it was about the size of the person. The
# **effective receptive field** (Luo et al., NeurIPS 2016) is where the gradient of the unit really lands: it is
# roughly Gaussian, much smaller than the theoretical square, and training changes it.
#
# *How to use it:* run all cells; the controls above each figure redraw it.

# %%
import ipywidgets as widgets
import pandas as pd

import lesson
from poseviz.models import zoo
from poseviz.explain.erf import stage_erfs
from poseviz.models import create_model
from poseviz.plots.receptive import erf_figure, rf_growth_figure
from poseviz.explain.receptive_field import receptive_fields, stage_receptive_fields
from poseviz.core.schemas import LSP14

# %% [markdown]
# ## 1. The paper's CPM at 368 × 368, and what sets its receptive field
#
# The defaults are the paper's network: three poolings (jump 8 px) and 11 × 11 convolutions in every stage after
# the first. Each stage adds three 11 × 11 convolutions, 3 × 10 × 8 = 240 px, so stage 2 sees 407 px — more than
# the 368-px input. **What to look for:** change the stage kernel to 3 and the growth per stage falls to
# 3 × 2 × 8 = 48 px; add a fourth pooling and every number doubles. The dotted line is the input size.

# %%
_paper_cpm = {r.name: r.rf.size for r in stage_receptive_fields(create_model("cpm"))}
lesson.question("From the rule above (each stage adds 3 × 10 × 8 px to stage 2's 407 px), what theoretical RF does "
                "stage 3 of the paper's CPM have, in input pixels?", _paper_cpm["stage 3 belief maps"], "px", 1,
                "407 + 240: every stage after the first adds the same three 11 × 11 convolutions at jump 8. The table "
                "below walks the network's layers and gets the same number.")

# %% [markdown]
# **Now look.** The table gives every stage's field; the plot shows how it grows layer by layer.

# %%
def cpm_rf(stage_kernel: int, num_pools: int):
    cpm = create_model("cpm", stage_kernel=stage_kernel, num_pools=num_pools)
    rows = [{"stage": r.name, "theoretical RF (px)": r.rf.size, "jump (px)": r.rf.jump,
             "RF / input (368 px)": round(r.rf.size / 368, 2)} for r in stage_receptive_fields(cpm)]
    fig = rf_growth_figure({f"CPM, {stage_kernel}×{stage_kernel} stage kernels, {num_pools} poolings": receptive_fields(cpm)},
                           input_size=368)
    lesson.titled(fig, "theoretical RF of every layer (stars: stage outputs)")
    return [pd.DataFrame(rows).set_index("stage"), fig]


lesson.panel(cpm_rf, stage_kernel=lesson.dropdown("stage kernel (px)", [3, 5, 7, 9, 11], 11),
             num_pools=lesson.dropdown("poolings", [2, 3, 4], 3));

# %% [markdown]
# ## 2. The shipped models, side by side
#
# The networks trained here work on 128 × 128 crops (EfficientPose, on 224 and 256 px, is left out of this plot;
# the app's Receptive field page walks its layers too). **What to look for:** where each line crosses the dotted 128-px line — after
# that depth the unit at the crop's centre can see the whole crop (a unit at its border needs about twice the crop,
# 256 px, to see all of it), and more depth buys context only through what the units compute, not
# through what they can see. HRNet reaches the whole crop through its low-resolution branches; the hourglass
# inside its first hourglass (the pooling bottleneck); CPM only in its second stage.

# %%
def zoo_growth(models: tuple):
    tables = {name: receptive_fields(zoo.build(name)) for name in models}
    fig = rf_growth_figure(tables, input_size=128)
    lesson.titled(fig, "theoretical RF against depth, shipped architectures at 128 × 128")
    return [fig]


# single networks (an ensemble has no one field of its own) trained here, all on 128-px crops
NETWORKS = [n for n in zoo.shipped_networks() if zoo.entry(n).trained_here]
lesson.panel(zoo_growth, models=widgets.SelectMultiple(options=NETWORKS, value=tuple(NETWORKS),
                                                       description="models", rows=6));

# %% [markdown]
# ## 3. Effective receptive field: trained against random weights
#
# For one joint, each stage's unit at its belief peak is differentiated with respect to the input crop. The
# colour is √|∂y/∂x| (normalised per panel); the dashed square is the theoretical RF, the circles hold 50 % and
# 90 % of the gradient. The second row is the same architecture with freshly initialised weights, probed at the
# same units. **What to look for:** the circles are far smaller than the square; in the trained network the
# gradient spreads along the body (toward the joints that help locate this one), in the random one it is a blob.

# %%
def erfs(image: str, model_name: str, joint: str):
    pred = lesson.person(image, model_name)
    result = stage_erfs(lesson.model(model_name, fast=False), model_name, pred.crop, joint=lesson.joint_index(pred.schema, joint))
    trained = erf_figure(pred.crop, result.trained, result.stage_names, result.rf_sizes)
    lesson.titled(trained, f"trained weights: effective RF of {joint}, {model_name}")
    random = erf_figure(pred.crop, result.random, result.stage_names, result.rf_sizes)
    lesson.titled(random, "random weights (same architecture, seed 0), probed at the same units")
    return [trained, random, pd.DataFrame(result.table()).set_index("stage")]


lesson.panel(erfs, image=lesson.photo_dropdown(), model_name=lesson.dropdown("model", zoo.shipped_networks(None), "cpm_lsp"),
             joint=lesson.dropdown("joint", LSP14.joints, "right_wrist"));

# %% [markdown]
# ## Conclusion
#
# The theoretical RF is arithmetic on kernels and strides; it grows linearly with depth and fast after each
# pooling, and CPM's design makes it exceed the person by stage 2. The effective RF is what the network uses:
# a fraction of the square, concentrated, and reshaped by training toward the body.
#
# ### Exercises
#
# 1. Without running anything, compute stage 3's theoretical RF of the paper's CPM with 7 × 7 stage kernels.
#    Then set the controls in section 1 and check your number.
# 2. In section 3, compare r90 of the first and last stage of `cpm_lsp` for `right_ankle`. Predict whether the
#    ratio 2 × r90 / theoretical RF (the 90 % circle's diameter over the square's side) grows or shrinks from stage
#    to stage, then check the table.
# 3. Pick the cameraman photo, where the person is small in the crop. Does the trained ERF still follow the body?
#    What would you expect for a joint that is outside the crop?

# %%
_seven = {r.name: r.rf.size for r in stage_receptive_fields(create_model("cpm", stage_kernel=7))}
lesson.self_check((1, "Stage 3's theoretical RF of the paper's CPM with 7 × 7 stage kernels, in input pixels?",
                   _seven["stage 3 belief maps"], "px", 1,
                   "Stage 1 sees 167 px; each later stage adds three 7 × 7 convolutions at jump 8, 3 × 6 × 8 = 144 px."))
