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
# # Lesson 1 — Stages and intermediate supervision
#
# **The question.** Why do Convolutional Pose Machines (Wei et al., CVPR 2016) and Stacked Hourglass networks
# (Newell et al., ECCV 2016) predict the pose *several times*, one stage after another?
#
# Two ideas are at work, and they are different things. The **architecture** is a chain of stages (*sequential
# refinement*): every stage outputs one **belief map** per joint — an image whose bright spots say "the right
# wrist is probably here" — and the next stage reads those maps together with image features, so it can use the
# other joints' beliefs: a wrist that is ambiguous alone is easier once the elbow is known. (In CPM a later stage
# also sees a larger region of the image; in a stacked hourglass it does not: the first stack already sees far more
# than the crop — lesson 2.) The **loss** is *intermediate supervision*: every stage has its own loss against the
# same target. CPM's stated reason for it is the gradient: a deep chain trained only at its end suffers from
# vanishing gradients, and a loss at every stage replenishes them (Wei et al., abstract and §3.3).
#
# In this lesson you will watch one joint's belief change from stage to stage on a photo, see every joint at one
# stage, and measure how much each stage alone gets right. All figures are the ones the PoseViz app draws.
#
# *How to use it:* run all cells (Run → Run All Cells). The controls above each figure redraw it when changed.

# %%
import ipywidgets as widgets
import pandas as pd
from IPython.display import display

import lesson
from poseviz import list_models
from poseviz.data.lsp import lsp_split
from poseviz.metrics.bootstrap import interval_text, pck_interval
from poseviz.metrics.evaluation import stage_pck_results
from poseviz.explain.gradients import LOSSES as GRADIENT_LOSSES, stage_gradient_norms
from poseviz.plots import belief_maps_figure, joint_grid_figure, stage_peak_table
from poseviz.plots.gradients import stage_gradients_figure
from poseviz.plots.skeleton import draw_skeleton
from poseviz.plots.theme import image_figure
from poseviz.core.schemas import LSP14

MODELS = list_models()
IMAGE_NAMES = list(lesson.IMAGES)

# %% [markdown]
# ## 1. One joint, every stage
#
# Choose a photo, a model and a joint. The row of maps shows that joint's belief in every stage on one colour
# scale; the star marks the decoded peak. **What to look for:** in the first stage of `cpm_lsp` a wrist or ankle
# often lights up in two places (both wrists look alike); by the last stage one blob remains. The table gives the
# peak's position in crop pixels, its height, and how far it moved since the previous stage — large moves are a
# later stage overruling an earlier one. `hrnet_lsp` has a single output, so it shows one map: it is not a
# multi-stage network.

# %%
def one_joint(image: str, model_name: str, joint: str, flip: bool):
    pred = lesson.person(image, model_name, flip)
    k = lesson.joint_index(pred.schema, joint)
    fig = belief_maps_figure(pred.crop, pred.stage_maps[:, k], pred.stage_names)
    lesson.titled(fig, f"{joint} in every stage of {model_name} ({len(pred.stage_names)} stage(s))")
    table = pd.DataFrame(stage_peak_table(pred.stage_maps[:, k], pred.stride, pred.stage_names)).set_index("stage")
    return [fig, table]


lesson.panel(one_joint, image=lesson.photo_dropdown(), model_name=lesson.dropdown("model", MODELS, "cpm_lsp"),
             joint=lesson.dropdown("joint", LSP14.joints, "right_wrist"), flip=widgets.Checkbox(False, description="flip test"));

# %% [markdown]
# ## 2. Every joint at one stage
#
# The stage slider's range follows the chosen model (3 stages for `cpm_lsp`, 3 stacks for `hourglass_lsp`, one
# output for `hrnet_lsp`). **What to look for:** compare stage 1 with the last stage: early maps are broad and
# often bright on the wrong side of the body; the final ones are compact. The photo on the right is the final
# skeleton in the original image.

# %%
def stage_count(image: str, model_name: str) -> int:
    return len(lesson.person(image, model_name).stage_names)


stage = lesson.int_slider("stage", 3, 1, 3)


def sync_stage(changed: str) -> None:
    if changed in ("model_name", "image"):
        n = stage_count(panel.controls["image"].value, panel.controls["model_name"].value)
        stage.max, stage.value = n, n


def all_joints(image: str, model_name: str, stage: int):
    pred = lesson.person(image, model_name)
    s = min(stage, len(pred.stage_names)) - 1
    grid = joint_grid_figure(pred.crop, pred.stage_maps[s], list(pred.schema.joints))
    lesson.titled(grid, f"all joints, {pred.stage_names[s]} of {model_name}")
    skeleton = image_figure(draw_skeleton(lesson.photo(image), pred.keypoints, pred.schema),
                            f"final keypoints of {model_name} on the photo")
    return [grid, skeleton]


panel = lesson.panel(all_joints, on_change=sync_stage, image=lesson.photo_dropdown(),
                     model_name=lesson.dropdown("model", MODELS, "cpm_lsp"), stage=stage)

# %% [markdown]
# ## 3. What does each stage get right on its own?
#
# A picture is one example; a measurement covers many. Below, every stage's own belief maps are decoded and
# scored with PCK@0.2 (a joint counts as correct when it lies within 0.2 torso lengths of the annotation) on
# LSP test people, cropped from their annotated boxes. **What to look for:** with intermediate supervision each
# stage is a complete pose estimator, and the score climbs from stage to stage — most of the gain comes from
# the second stage.

# %%
LSP = lesson.dataset("lsp")
if LSP is not None:
    data = lesson.lsp()
    people = lsp_split("test")[:100]
    rows, scored = [], {}
    for name in ("cpm_lsp", "hourglass_lsp"):
        scored[name] = stage_pck_results(lesson.model(name), data, people, progress=False)
        for s, res in scored[name].items():
            rows.append({"model": name, "stage": s, f"PCK@0.2 (%), {len(people)} LSP test people": round(res.mean, 1),
                         "95 % CI (bootstrap over people)": interval_text(pck_interval(res.correct, res.labelled))})
    stage_table = pd.DataFrame(rows).set_index(["model", "stage"])
    cpm = stage_table.loc["cpm_lsp"].iloc[:, 0]
    first, last = (scored["cpm_lsp"][s] for s in (cpm.index[0], cpm.index[-1]))
    gain_ci = interval_text(pck_interval(last.correct, last.labelled, baseline=first.correct))
    lesson.question(f"On {len(people)} LSP test people, how many PCK points does the last stage of cpm_lsp add to its "
                    "first stage?", float(cpm.iloc[-1] - cpm.iloc[0]), "points", 3.0,
                    "Each stage is a complete estimator (intermediate supervision), and the later ones correct the "
                    "first with every joint's belief at once; most of the gain comes from the second stage. Resampling "
                    f"the people, the gain lies in {gain_ci} points (95 %; paired: the same people score both stages).")

# %% [markdown]
# **Now look.** Every stage's own score, for the CPM and the stacked hourglass.

# %%
if LSP is not None:
    display(stage_table)

# %% [markdown]
# ## 4. Does intermediate supervision keep the gradient alive?
#
# CPM's stated reason for a loss at every stage is the gradient (Wei et al., §3.3): trained only at its end, the
# early stages of a deep chain receive little of it. Below, one batch of 8 LSP training people goes through
# `cpm_lsp` twice with the same targets; only the loss changes — every stage's, or the last stage's only — and the
# bars give the root-mean-square gradient each stage's parameters receive. **What to look for:** at initialisation,
# how much less stage 1 gets when only the last stage is supervised; with the trained weights, how the picture
# changes once the network predicts well.

# %%
if LSP is not None:
    _fresh = pd.DataFrame(stage_gradient_norms("cpm_lsp", lesson.lsp(), lsp_split("train")[:8])).set_index(["loss", "parameters of"])
    _g = _fresh["RMS gradient"]
    lesson.question("At initialisation, with a loss on the last stage only, how many times smaller is the gradient "
                    "stage 1's parameters receive than with a loss at every stage?",
                    float(_g[(GRADIENT_LOSSES[0], "stage 1")] / _g[(GRADIENT_LOSSES[1], "stage 1")]), "times", 2.0,
                    "Stage 1's only gradient then has to pass back through every later stage; its own loss gives it "
                    "one directly. The last stage receives the same gradient either way.")

# %% [markdown]
# **Now look**, first at a fresh initialisation, then with the shipped weights.

# %%
def gradients(weights: str):
    rows = stage_gradient_norms("cpm_lsp", lesson.lsp(), lsp_split("train")[:8], trained=weights == "trained")
    return [stage_gradients_figure(rows, f"cpm_lsp, {weights} weights: the gradient each stage receives"),
            pd.DataFrame(rows).set_index(["loss", "parameters of"])]


if LSP is not None:
    lesson.panel(gradients, weights=lesson.dropdown("weights", ["fresh initialisation", "trained"]))

# %% [markdown]
# ## Conclusion
#
# Each stage of a CPM or Stacked Hourglass is trained to predict the full pose (intermediate supervision, which
# keeps the gradient alive through a deep chain), and each later stage refines the one before by reading every
# joint's belief at once (in CPM also a larger region). Ambiguities between similar parts (left/right, wrist/ankle)
# are resolved late; the score of each stage rises accordingly.
#
# ### Exercises
#
# 1. Pick the astronaut photo and `cpm_lsp`, joint `left_wrist`. *Predict* whether stage 1 or stage 3 has the
#    higher peak belief, then check the table. Does a higher peak always mean a better position?
# 2. Switch on the flip test (the image is also run mirrored, its maps mirrored back with left and right swapped,
#    and the two averaged). *Predict* first: does it fix a wrist the network put on the wrong side? (A network that
#    makes the same left/right decision on the mirrored image repeats the inversion; averaging mostly removes
#    jitter and the grid's quantisation bias.) Then check how far each joint moves.
# 3. In section 3, change `people` to the first 30 test people, then to 400. How much do the stage scores move?
#    How many people would you need before a 1-point difference between two stages means something?
