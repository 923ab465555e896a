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
# # Lesson 7 — Beyond joints: dense charts and part affinity fields
#
# **The question.** A skeleton of 14 points says little about the body's surface, and a top-down model needs a
# box around each person before it can start. Two ideas go further:
#
# - **DensePose** (Güler et al., CVPR 2018) labels every body pixel with a part index I and chart coordinates
#   (U, V) on that part — a dense map from the image to the body surface.
# - **OpenPose** (Cao et al., CVPR 2017) predicts, besides belief maps, one **part affinity field** (PAF) per limb:
#   at each pixel on the limb a 2-D unit vector pointing from one joint to the other. Peaks of the belief maps are
#   linked into people by integrating the PAF along each candidate limb — bottom-up, with no person boxes.
#
# > The chart model here is trained on **skeleton-derived charts** made from LSP joints (limb capsules, a torso
# > quadrilateral, a head capsule) — not DensePose-COCO, which this project does not have. Its parts follow the
# > skeleton, not the clothes or the silhouette.
#
# *How to use it:* run all cells; the controls above each figure redraw it. Section 2 needs LSP in the data root.

# %%
import numpy as np
import pandas as pd
from IPython.display import display

import lesson
from poseviz import list_models, load_image, predict_people, predict_person
from poseviz.core.paf import paf_targets
from poseviz.data.lsp import lsp_split
from poseviz.core.dense import dense_targets, limb_uv, part_stats
from poseviz.metrics.bootstrap import interval_text
from poseviz.metrics.dense_eval import evaluate_dense
from poseviz.core.heatmaps import input_to_heatmap
from poseviz.plots.dense import chart_channels_figure, chart_figure
from poseviz.plots.paf import paf_stages_figure, people_image
from poseviz.plots.theme import image_figure
from poseviz.core.schemas import LSP14

IMAGE_NAMES = list(lesson.IMAGES)
DENSE = list_models("dense")[0]
PAF = list_models("paf")[0]

# %% [markdown]
# ## 1. Charts of a person
#
# Parts in colour, then U and V as iso-lines over the crop (as DensePose draws them); below, the raw channels on
# the head's own grid, and each part's area. **What to look for:** U runs along each limb from one joint to the
# next, V across it; where parts meet (elbows, knees) the index flips and the iso-lines restart. Iso-line density
# is yours to choose.

# %%
def charts(image: str, levels: int):
    pred = lesson.person(image, DENSE)
    index, u, v = pred.charts
    chart = chart_figure(pred.crop, index, u, v, 0.6, levels)
    lesson.titled(chart, f"parts and U/V iso-lines ({levels} per unit), {DENSE}")
    channels = chart_channels_figure(index, u, v)
    lesson.titled(channels, f"raw channels on the {index.shape[1]}×{index.shape[0]} output grid")
    cell = (pred.crop.shape[1] / index.shape[1]) * (pred.crop.shape[0] / index.shape[0])
    return [chart, channels, pd.DataFrame(part_stats(index, u, v, cell_area=cell))]


lesson.panel(charts, image=lesson.photo_dropdown(), levels=lesson.int_slider("iso-lines per unit", 10, 2, 20));

# %% [markdown]
# ## 2. What the model was taught, and how close it gets
#
# For an LSP test person, the chart made from the annotated skeleton (the training target) beside the model's
# prediction. The table scores the model on LSP test crops: mean intersection-over-union of the parts and the mean
# U/V error where both agree on the part, each with a 95 % bootstrap interval over the crops. **What to look
# for:** the target's clean capsules against the predicted parts' blurred edges; IoU is hurt most where parts are thin (forearms).

# %%
LSP = lesson.dataset("lsp")


def taught(person: int):
    data = lesson.lsp()
    i = int(lsp_split("test")[person])
    joints = data.joints[i]
    (x0, y0), (x1, y1) = joints[:, :2].min(0), joints[:, :2].max(0)
    pred = predict_person(lesson.model(DENSE), load_image(data.image_path(i)).rgb, (x0, y0, x1 - x0, y1 - y0))
    index, u, v = pred.charts
    target = dense_targets(input_to_heatmap(pred.transform.to_crop(joints[:, :2]), 2), index.shape)
    taught_fig = chart_figure(pred.crop, target.I, target.U, target.V)
    lesson.titled(taught_fig, f"target: the chart made from LSP test person {i + 1}'s annotated skeleton")
    predicted = chart_figure(pred.crop, index, u, v)
    lesson.titled(predicted, "the model's prediction")
    return [taught_fig, predicted]


if LSP is not None:
    lesson.panel(taught, person=lesson.int_slider("LSP test person", 3, 0, 99))
    crops = lsp_split("test")[:50]
    scores = evaluate_dense(lesson.model(DENSE), lesson.lsp(), crops, progress=False)
    ci = scores.intervals()
    display(pd.DataFrame([{"LSP test crops": len(crops), "mean part IoU (%)": round(100 * scores.miou, 1),
                           "IoU 95 % CI": interval_text(ci["miou"]), "mean U/V error": round(scores.uv_error, 3),
                           "U/V error 95 % CI": interval_text(ci["uv_error"], 3)}]))

# %% [markdown]
# ## 3. Part affinity fields, bottom-up
#
# The whole photo goes through the network at four sizes (OpenPose's scale search: ×0.5, 1, 1.5 and 2 of a 256 px long
# side), the last stage's maps of the four are averaged, and every person (one colour each) is grouped from that mean.
# Below, for the chosen limb, every stage's belief map of the limb's two joints with the PAF drawn as arrows (at ×1),
# then the mean of the scales, and the largest PAF magnitude of each.
# **What to look for:** the arrows line up along the limb and lengthen toward 1 (a confident unit vector) from
# stage to stage; where two people's limbs cross, the training target is the *average* of their unit vectors
# (`poseviz/core/paf.py`), shorter than 1 — nothing chooses, so look for shorter arrows there.

# %%
# Two people's forearms crossing at right angles in the middle of a 21 × 21 grid: the target where they cross.
_one, _two = np.zeros((2, 3)), np.zeros((2, 3))
_one[:, 2] = _two[:, 2] = 2
_one[:, :2] = [[2, 10], [18, 10]]  # left to right
_two[:, :2] = [[10, 2], [10, 18]]  # top to bottom
_cross = paf_targets([_one, _two], [(0, 1)], (21, 21))[0, :, 10, 10]
lesson.question("Two people's forearms cross at right angles. Each alone would teach a unit vector (length 1) along "
                "its limb. How long is the training target's vector where they cross?", float(np.linalg.norm(_cross)),
                "", 0.05, f"The target is the mean of the two unit vectors, ({_cross[0]:.2f}, {_cross[1]:.2f}): length "
                "√2 / 2. A trained network's arrows are shorter at crossings too — that is the target, not a failure.")

# %% [markdown]
# **Now look** for such shorter arrows where limbs of two people meet.

# %%
def bottom_up(image: str, limb: int):
    res = predict_people(lesson.model(PAF), lesson.photo(image))
    people = image_figure(people_image(lesson.photo(image), res.people, LSP14), f"{len(res.people)} people found by {PAF}")
    a, b = res.limbs[limb]
    name = f"{LSP14.joints[a]} → {LSP14.joints[b]}"
    stages = paf_stages_figure(res.image, res.stages, [p[limb] for p in res.pafs], res.limbs[limb], name, res.stride,
                               stage_names=res.stage_names)
    lesson.titled(stages, f"limb {name}: belief of {LSP14.joints[a]} and {LSP14.joints[b]} and the PAF, every stage")
    magnitude = pd.DataFrame([{"stage": n, "largest PAF magnitude": float(np.hypot(*p[limb]).max())} for n, p in zip(res.stage_names, res.pafs)])
    return [people, stages, magnitude.set_index("stage")]


LIMBS = [(f"{LSP14.joints[a]} → {LSP14.joints[b]}", i) for i, (a, b) in enumerate(lesson.model(PAF).limbs)]
lesson.panel(bottom_up, image=lesson.photo_dropdown([n for n in IMAGE_NAMES if not n.startswith("your photo")][-1]), limb=lesson.dropdown("limb", LIMBS, 1));

# %% [markdown]
# ## Conclusion
#
# Dense charts and PAFs both replace points by fields: a chart assigns every body pixel to a surface position, a
# PAF gives every limb pixel a direction. Fields carry more supervision per image, and PAFs let a single pass
# assemble every person without boxes — at the price of a grouping step that crossing limbs can confuse.
#
# ### Exercises
#
# 1. In section 1, where along a forearm do you expect U = 0.5? Predict from how the target is built, then hover
#    over the U channel to check.
# 2. Pick a photo with several people in section 3. Find a limb whose PAF is weak in stage 1 and strong in the last
#    stage. What does that say about the limbs the grouping of stage 1 alone would get wrong?
# 3. The chart model never saw a silhouette. Predict where its parts will differ from the true body outline on the
#    astronaut photo (hair, suit, hands), then check.

# %%
_mask, _u, _ = limb_uv((20, 60), np.array([10.0, 10.0]), np.array([50.0, 10.0]), 3.0)  # an elbow → wrist bone
_half = float((np.argmin(np.abs(_u[10, 10:51] - 0.5))) / 40)
lesson.self_check((1, "Where along a forearm is U = 0.5, as a fraction of its length from the elbow?", _half, "", 0.05,
                   "U runs linearly from 0 at the proximal joint (the elbow) to 1 at the distal one (the wrist): "
                   "U = 0.5 is the forearm's midpoint, by construction of the target."))
