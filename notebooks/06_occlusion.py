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
# # Lesson 6 — Occlusion: what fails when part of the person is hidden
#
# **The question.** People in photos are rarely fully visible: a table hides the legs, an arm crosses the body.
# How does a pose network react when the evidence for a joint is gone — does it guess from the other joints
# (what multi-stage networks were designed for, lesson 1), or does it break?
#
# Three tools answer it. **Occluding by hand**: paste a grey square on the person and compare every stage before
# and after. **Attribution**: which pixels the joint's belief depends on — occlusion sensitivity (Zeiler & Fergus,
# ECCV 2014: mask a window, measure the drop) and integrated gradients (Sundararajan et al., ICML 2017; both from
# captum). **Measurement**: a sweep of occluder sizes and positions over LSP test people, and accuracy on the
# joints LSP's annotators marked as occluded.
#
# **A caution before you start.** Every shipped model was *trained* with occluders of this very kind: half of its
# training crops had one or two flat-colour or noise rectangles pasted on them, 10–30 % of the crop's side
# (`add_occluders` in `poseviz/training/augment.py`). A grey square is therefore a test the models rehearsed; a
# real occluder (a table, another person) is not. Keep this in mind when you read sections 1 and 3, and compare
# with section 4, where the occlusion is real; section 5 measures what the rehearsal buys, with two models trained
# alike but for the occluders.
#
# *How to use it:* run all cells; the controls above each figure redraw it. Sections 3–5 need LSP in the data root,
# section 6 COCO (val2017 or the development sample).

# %%
from functools import lru_cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from IPython.display import Markdown, display

import lesson
from poseviz import list_models
from poseviz.data.lsp import lsp_split
from poseviz.cards.occluder_ablation import PAIR, SWEEP_SIZES, load_occluder_ablation, occluder_finding
from poseviz.metrics.bootstrap import interval_text
from poseviz.explain.occlusion import (FILLS, Occluder, compare_sweeps, integrated_gradients, occlusion_sensitivity, occlusion_sweep,
                                       occlusion_table, predict_occluded, visibility_rows)
from poseviz.models import zoo
from poseviz.training.dataset import load_images
from poseviz.plots import belief_maps_figure, draw_skeleton
from poseviz.plots.attribution import attribution_figure
from poseviz.plots.theme import TEMPLATE, image_figure, series_colour
from poseviz.core.schemas import LSP14
from poseviz.atlas import browse
from poseviz.plots.atlas import thumbnail_strip

IMAGE_NAMES = list(lesson.IMAGES)
MODELS = list_models()

# %% [markdown]
# ## 1. Hide part of a person
#
# A grey square (its side a percentage of the crop, its centre where you put it) is pasted on the person; the
# model runs again on the occluded photo. **What to look for:** cover the chosen joint and compare the two rows of
# maps — in `cpm_lsp` the first stage often loses the joint while later stages still place it from the limbs
# around it. The table says how far each joint moved and how its peak belief changed.

# %%
def occlude(image: str, model_name: str, joint: str, side: int, x: int, y: int):
    clean = lesson.person(image, model_name)
    h, w = clean.crop.shape[:2]
    size = side / 100 * w
    occluder = Occluder(x / 100 * w - size / 2, y / 100 * h - size / 2, size, size, "grey")
    photo, occluded = predict_occluded(lesson.model(model_name), lesson.photo(image), lesson.person_box(image), clean, [occluder])
    k = lesson.joint_index(clean.schema, joint)
    before = belief_maps_figure(clean.crop, clean.stage_maps[:, k], [f"clean: {s}" for s in clean.stage_names])
    lesson.titled(before, f"{joint}, clean")
    after = belief_maps_figure(occluded.crop, occluded.stage_maps[:, k], [f"occluded: {s}" for s in occluded.stage_names])
    lesson.titled(after, f"{joint}, with a {side} % grey square")
    picture = image_figure(draw_skeleton(photo, occluded.keypoints, occluded.schema), "occluded photo and its prediction")
    table = pd.DataFrame(occlusion_table(clean.schema.joints, clean.keypoints, occluded.keypoints)).set_index("joint")
    return [before, after, picture, table]


lesson.panel(occlude, image=lesson.photo_dropdown(), model_name=lesson.dropdown("model", MODELS, "cpm_lsp"),
             joint=lesson.dropdown("joint", LSP14.joints, "right_wrist"), side=lesson.int_slider("square side (% of crop)", 25, 5, 60, 5),
             x=lesson.int_slider("centre x (% of crop)", 40, 0, 100, 5), y=lesson.int_slider("centre y (% of crop)", 40, 0, 100, 5));

# %% [markdown]
# ## 2. Which pixels does a joint's belief depend on?
#
# Left: occlusion sensitivity, the drop of the joint's peak belief when a 16-px window is masked (positive drops
# only). Right: integrated gradients from a grey image to the crop, |attribution| summed over colour. Both are
# scaled so 1 is their 98th percentile (a few extreme pixels would otherwise make the map look empty). **What to
# look for:** whether the evidence sits on the joint itself or spreads along the limb and to other joints; the
# latter is context a network can fall back on under occlusion. **Attribution by stage** is a controlled
# comparison: the same joint, photo and network, only the stage whose belief is explained changes — with `cpm_lsp`,
# compare the first stage (its view is still local) with the last. Each redraw takes a few seconds.

# %%
@lru_cache(maxsize=16)  # setting a control back redraws from memory instead of recomputing seconds of attribution
def attribute(image: str, model_name: str, joint: str, stage: int):
    pred = lesson.person(image, model_name)
    model = lesson.model(model_name, fast=False)
    k = lesson.joint_index(pred.schema, joint)
    sensitivity = occlusion_sensitivity(model, pred.crop, k, stage=stage)
    lesson.report(0.5)
    ig = integrated_gradients(model, pred.crop, k, stage=stage)
    which = pred.stage_names[stage]
    fig = attribution_figure(pred.crop, {"occlusion sensitivity (belief drop)": sensitivity,
                                         "integrated gradients |attribution|": ig},
                             f"what the {joint} belief of {model_name} depends on, {which}")
    return [fig]


lesson.panel(attribute, image=lesson.photo_dropdown(), model_name=lesson.dropdown("model", MODELS, "cpm_lsp"),
             joint=lesson.dropdown("joint", LSP14.joints, "right_wrist"),
             stage=lesson.dropdown("stage explained", [("the last", -1), ("the first", 0)]));

# %% [markdown]
# ## 3. A sweep: how much does PCK fall as the occluder grows?
#
# Grey squares of each size are placed at a 2 × 2 grid of positions over each person's crop (LSP test people,
# ground-truth boxes); PCK@0.2 is averaged over positions and people, with 95 % bootstrap intervals over the
# people (the drop's is paired: the same people with and without the square). **What to look for:** how steeply the curve
# falls, and whether a multi-stage model (CPM, hourglass) falls less than the single-output HRNet.

# %%
LSP = lesson.dataset("lsp")
SWEEP_PEOPLE = 40


def sweep(model_name: str):
    data = lesson.lsp()
    people = lsp_split("test")[:SWEEP_PEOPLE]
    res = occlusion_sweep(lesson.model(model_name), data, people, sizes=(0.0, 0.15, 0.3, 0.45), grid=2, progress=False,
                          progress_callback=lesson.report)
    fig = go.Figure(go.Scatter(x=100 * res.sizes, y=res.pck, mode="lines+markers", name=model_name))
    fig.update_layout(template=TEMPLATE, title=f"PCK@0.2 under grey squares, {model_name}, {len(people)} LSP test people × 4 positions",
                      xaxis_title="occluder side (% of crop)", yaxis_title="PCK@0.2 (%)", height=380)
    pck_ci, drop_ci = res.intervals()
    table = pd.DataFrame({"occluder side (% of crop)": 100 * res.sizes, "PCK@0.2 (%)": res.pck.round(1),
                          "PCK 95 % CI": [interval_text(c) for c in pck_ci], "drop (points)": res.drop.round(1),
                          "drop 95 % CI (paired)": [interval_text(c) for c in drop_ci]})
    return [fig, table.set_index("occluder side (% of crop)")]


if LSP is not None:
    lesson.panel(sweep, model_name=lesson.dropdown("model", MODELS, "cpm_lsp"))

# %% [markdown]
# ## 4. Joints the annotators marked as occluded
#
# LSP marks each joint visible or occluded. Every shipped model is scored on the first 100 test people, separately
# on the two kinds of joint; the counts say how many joints each number rests on, and the 95 % intervals (a
# bootstrap over the people) how far each would move on another 100 people like these. **What to look for:** the gap
# between the two columns — the price every model pays for missing evidence.

# %%
if LSP is not None:
    people = lsp_split("test")[:100]
    progress = lesson.Progress(len(MODELS), "models")
    rows, _ = visibility_rows({name: lesson.model(name) for name in MODELS}, lesson.lsp(), people, progress.step)
    progress.close()
    visibility = pd.DataFrame(rows).set_index("model")
    gap = visibility["PCK@0.2 visible joints (%)"] - visibility["PCK@0.2 occluded joints (%)"]
    lesson.question(f"Averaged over the {len(MODELS)} models, how many PCK points lower do they score on the joints "
                    f"annotators marked occluded than on the visible ones ({len(people)} LSP test people)?",
                    float(gap.mean()), "points", 5.0,
                    "Hidden joints are placed from context — the limb, the other joints — and often land near but not "
                    "on the annotator's guess; no model here closes the gap, trained with pasted occluders or not.")

# %% [markdown]
# **Now look** at each model's two columns and how many joints each rests on.

# %%
if LSP is not None:
    display(visibility)

# %% [markdown]
# ## 5. A controlled comparison: trained with and without occluders
#
# Sections 1–4 cannot say whether the pasted rectangles of training are what lets the models shrug off a grey
# square: every shipped model saw them. Two small 3-stack hourglasses answer it. They were trained from scratch by
# one recipe — the same data, seed, schedule and number of steps — and differ in one thing only: half of the crops
# of `hourglass_occ_ablation` had rectangles pasted on them, none of `hourglass_noocc_ablation`'s did
# (`python -m poseviz train --occluders 0.5` or `0`). Both are weaker than the shipped models (a short run from
# scratch): compare them with each other, not with sections 3–4.
#
# The controls run the sweep of section 3 on both models, with occluders of the kind you choose: *grey* and *noise*
# are what `hourglass_occ_ablation` rehearsed; *blur*, *patch* (a piece of the scene beside it) and *limb* (a
# skin-toned bar) it never saw. The table gives each model's drop and how much more the one trained without occluders
# drops, with a paired 95 % interval (the same people resampled for both models). Each redraw takes a few seconds.
#
# **Predict first:** under the largest grey square, does the model trained without occluders lose more PCK points
# than the one trained with them — and by how many?

# %%
PAIR_READY = LSP is not None and all(zoo.is_shipped(n) for n in PAIR)


@lru_cache(maxsize=8)
def pair_sweeps(fill: str):
    data, people = lesson.lsp(), lsp_split("test")[:SWEEP_PEOPLE]
    images = load_images(data, people)
    return {n: occlusion_sweep(lesson.model(n), data, people, sizes=SWEEP_SIZES, grid=2, fill=fill, images=images,
                               progress=False, progress_callback=lambda f, k=k: lesson.report((k + f) / len(PAIR)))
            for k, n in enumerate(PAIR)}


if PAIR_READY:
    _grey = compare_sweeps(*(pair_sweeps("grey")[n] for n in PAIR[::-1]), PAIR[::-1])[-1]
    _lo, _hi = (float(x) for x in _grey["95 % CI (paired)"].split(" – "))
    _verdict = ("it holds 0: on these people, rehearsing rectangles bought no measurable robustness to them"
                if _lo <= 0 <= _hi else "it does not hold 0: the difference is more than the draw of people explains")
    lesson.question(f"Under a grey square {_grey['occluder side (% of crop)']} % of the crop's side ({SWEEP_PEOPLE} LSP test "
                    f"people × 4 positions), how many more PCK points does {PAIR[1]} lose than {PAIR[0]}? "
                    "(A negative number if it loses fewer.)", float(_grey[f"{PAIR[1]} drops more by (points)"]), "points",
                    3.0, f"The paired 95 % interval is {_grey['95 % CI (paired)']} points, and {_verdict}. Change the "
                    "occluder kind below, and compare with the card's 200 people under the table.")

# %% [markdown]
# **Now look**, and change the kind of occluder.

# %%
def compare_pair(fill: str):
    sweeps = pair_sweeps(fill)
    fig = go.Figure([go.Scatter(x=100 * s.sizes, y=s.pck, mode="lines+markers", name=n,
                                line=dict(color=series_colour(i)))
                     for i, (n, s) in enumerate(sweeps.items())])
    fig.update_layout(template=TEMPLATE, title=f"PCK@0.2 under {fill} squares, {SWEEP_PEOPLE} LSP test people × 4 positions",
                      xaxis_title="occluder side (% of crop)", yaxis_title="PCK@0.2 (%)", height=380)
    table = pd.DataFrame(compare_sweeps(*(sweeps[n] for n in PAIR[::-1]), PAIR[::-1]))
    return [fig, table.set_index("occluder side (% of crop)")]


if PAIR_READY:
    lesson.panel(compare_pair, fill=lesson.dropdown("occluder kind", list(FILLS)))

# %% [markdown]
# **And on real occlusion.** The same two models on the joints LSP's annotators marked occluded (the first 100
# test people, as in section 4), then what the pair's card measured on all 1,000 LSP test people.

# %%
if PAIR_READY:
    pair_rows, _ = visibility_rows({n: lesson.model(n) for n in PAIR}, lesson.lsp(), lsp_split("test")[:100])
    display(pd.DataFrame(pair_rows).set_index("model"))
    card = load_occluder_ablation()
    if card:
        display(Markdown(f"**The card** (`assets/occluder_ablation.md`): {occluder_finding(card)}"))

# %% [markdown]
# ## 6. A failure atlas: every COCO person, joint by joint
#
# Sections 1–5 look at a few people. `python -m poseviz atlas` runs *every* annotated person of a dataset through
# the models and records each joint's error class (good · jitter · inversion · swap · miss, lesson 5) with the
# annotators' visibility flag; the app's **Failure atlas** page browses such an atlas. Here: the first 40 people
# of the COCO data in the data root, ground-truth boxes, two models.
#
# **Predict first:** from visible to occluded joints, which error class grows most — jitter (close but not exact),
# inversion (left for right), swap (another person's joint) or miss? Write your answer down, then run the cell.

# %%
ATLAS_MODELS = [m for m in ("efficientpose_rt", "hrnet_lsp") if m in MODELS]
atlas = lesson.coco_atlas(ATLAS_MODELS)
if atlas is not None:
    display(browse.summary(atlas).set_index("model"))
    display(browse.visibility_mix(atlas))

# %% [markdown]
# **What to look for:** the rows for occluded joints rest on far fewer joints than the visible ones — read their
# percentages with that in mind (with 40 people, a few points is noise). Below, the four people whose occluded
# joints `efficientpose_rt` gets worst: a white dot is the annotation, the line runs to the prediction in the
# error class's colour (green good, yellow jitter, sky blue inversion, pink swap, vermillion miss).

# %%
if atlas is not None:
    worst = browse.filter_people(atlas, browse.Filters(model=ATLAS_MODELS[0], visibility=1), limit=4)
    pictures = [lesson.atlas_image(atlas, row.file_name) for row in worst.itertuples()]
    fig = image_figure(thumbnail_strip(pictures, list(worst.itertuples())),
                       f"{ATLAS_MODELS[0]}: the people whose occluded joints it places worst (COCO, annotated boxes)")
    display(fig)

# %% [markdown]
# ## Conclusion
#
# Hiding a joint rarely removes it from the prediction: later stages and context place it from the limb and the
# rest of the body, which attribution maps show as evidence spread beyond the joint. Yet accuracy on joints the
# annotators could not see is far below accuracy on visible ones, and PCK falls steadily as occluders grow —
# guessing from context is a partial remedy. Pasted squares are a test the models rehearsed in training; section 5
# separates what the rehearsal buys — compare the pair's drop under the occluder kinds they rehearsed with the kinds
# they never saw, and both with the annotators' real occlusions, the honest measure. The atlas of section 6 shows
# what kind of error real occlusion causes — read the miss and swap columns of its occluded rows against the
# visible ones.
#
# ### Exercises
#
# 1. In section 1, cover the right knee of an LSP person with a 20 % square. Predict which stage of `cpm_lsp`
#    moves the knee most, then check the maps.
# 2. Compare the integrated-gradients map of a wrist with that of the head top. Which one spreads further along
#    the body, and why would that be?
# 3. Section 3 uses 40 people. Rerun it with 10 (change `SWEEP_PEOPLE`) for two models: is the difference
#    between them still meaningful? How would you decide?
