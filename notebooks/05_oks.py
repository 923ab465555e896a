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
# # Lesson 5 — OKS and COCO AP: how a pose is scored
#
# **The question.** When is a predicted pose "right"? A fixed pixel threshold would be lenient to small people (an
# error of a whole limb's length can pass) and strict with large ones, and a hip is harder to place than an eye.
# COCO's **Object Keypoint Similarity** (defined on COCO's keypoint evaluation page with the 2016 keypoint
# challenge; analysed by Ronchi & Perona, ICCV 2017) answers both:
#
# OKS = Σᵢ exp(−dᵢ² / 2s²kᵢ²) · δ(vᵢ > 0) / Σᵢ δ(vᵢ > 0)
#
# where dᵢ is joint *i*'s error in pixels, s² the person's segmented area (px²), kᵢ = 2σᵢ, and σᵢ how much human
# annotators disagree on that joint (from 5,000 redundantly annotated COCO val images: 0.026 for the nose, 0.025
# for the eyes, 0.107 for hips). Each
# joint contributes a term between 0 and 1; OKS is their mean over labelled joints. **AP** then counts a prediction
# as correct when OKS ≥ t and averages precision over t = 0.50, 0.55, … 0.95.
#
# *How to use it:* run all cells; the controls above each figure redraw it. Sections 2–3 need COCO keypoints in the
# data root: COCO val2017 (`python -m poseviz data fetch coco-val2017`, its first 100 images with people are
# scored) or the development data's COCO sample.

# %%
from functools import lru_cache

import ipywidgets as widgets
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

import lesson
from poseviz import list_models, load_image
from poseviz.models import zoo
from poseviz.metrics import STAT_NAMES, coco_keypoint_eval, tolerance_radius
from poseviz.metrics.bootstrap import bootstrap_coco_ap, interval_text
from poseviz.explain.oks_errors import error_totals, informative_instance, instances_as_results, joint_table, predict_dataset
from poseviz.plots.oks import (TOLERANCE_LEVELS, error_totals_figure, oks_curves_figure, oks_instance_image,
                               oks_terms_figure, pr_curve_figure)
from poseviz.plots.theme import image_figure
from poseviz.core.schemas import COCO17

# %% [markdown]
# ## 1. One term: how fast credit falls with error
#
# Each curve is one joint's OKS term against its pixel error for a person of the chosen area. **What to look for:**
# quadruple the area and every curve stretches twice as wide (s = √area); joints with a large σ (hips) forgive
# several times the error that eyes do. The table gives the error at which each term falls to 0.5, 0.75 and 0.95.

# %%
_wrist = COCO17.sigmas[COCO17.index("left_wrist")]
_area_10px = 10_000 * (10 / tolerance_radius(10_000, _wrist, 0.5)) ** 2  # the radius grows with √area
lesson.question(f"A wrist (σ = {_wrist}) is predicted 10 px from its annotation. For what person area, in px², does "
                "that error still earn an OKS term of 0.5? (term = 0.5 ⇔ d = s·k·√(2 ln 2), k = 2σ, s = √area)",
                _area_10px, "px²", 0.1 * _area_10px,
                "s = 10 / (2σ·√(2 ln 2)), area = s²: a person about 70 px on a side. A larger person gets more slack "
                "in pixels, the same slack relative to its size.")

# %% [markdown]
# **Now look.** Set the area to your answer and read the wrist's 0.5 column.

# %%
def term_curves(area: int, joints: tuple):
    sigmas = np.array([COCO17.sigmas[COCO17.index(j)] for j in joints])
    fig = oks_curves_figure(list(joints), sigmas, float(area))
    lesson.titled(fig, f"OKS term against error, person area {area:,} px² (s = {np.sqrt(area):.0f} px)")
    radii = pd.DataFrame([{"joint": j, "σ": s, **{f"error at term {t} (px)": tolerance_radius(area, s, t) for t in TOLERANCE_LEVELS}}
                          for j, s in zip(joints, sigmas)]).set_index("joint")
    return [fig, radii]


lesson.panel(term_curves, area=lesson.int_slider("person area (px²)", 10_000, 1_000, 100_000, 1_000),
             joints=widgets.SelectMultiple(options=COCO17.joints, value=("left_eye", "left_wrist", "left_hip"),
                                                  description="joints", rows=6));

# %% [markdown]
# ## 2. A shipped model scored on COCO people
#
# The model is run on every annotated person of those COCO images, cropped from the annotated box, and scored on the
# 12 joints LSP models share with COCO. **What to look for:** the AP table and precision–recall curves first, then
# the error taxonomy of Ronchi & Perona: *jitter* (close but not exact), *inversion* (left/right swapped), *swap*
# (a joint of another person) and *miss* (far from anything). Moving the σ scale asks "what if annotators agreed
# more (< 1) or less (> 1)?": AP follows. Scoring a model takes a few seconds the first time (the bar beside the
# controls); after that it is cached.

# %%
COCO = lesson.coco_people()  # (annotations, images folder): COCO val2017 once fetched, else the COCO sample
AP_RESAMPLES = 200  # bootstrap draws of the images; each is a whole pycocotools evaluation


@lru_cache(maxsize=8)
def scored(model_name: str):
    gt, folder = COCO
    loader = lambda im: load_image(folder / im["file_name"], max_side=None).rgb
    return gt, *predict_dataset(lesson.model(model_name), gt, loader, progress=False, progress_callback=lesson.report)


@lru_cache(maxsize=32)
def ap_interval(model_name: str, sigma_scale: float) -> str:
    _, instances, data, sigmas = scored(model_name)
    return interval_text(bootstrap_coco_ap(data, instances_as_results(instances), sigmas * sigma_scale,
                                           resamples=AP_RESAMPLES, progress_callback=lesson.report), 3)


def ap_view(model_name: str, sigma_scale: float):
    gt, instances, data, sigmas = scored(model_name)
    ev = coco_keypoint_eval(data, instances_as_results(instances), sigmas * sigma_scale)
    table = pd.DataFrame([{**dict(zip(STAT_NAMES, ev.stats)), "AP 95 % CI": ap_interval(model_name, sigma_scale)}],
                         index=[f"{model_name}, {len(instances)} people in {len(data['images'])} images, σ × {sigma_scale}"])
    pr = pr_curve_figure(ev.precision)
    lesson.titled(pr, "precision against recall at each OKS threshold")
    errors = error_totals_figure(error_totals(instances))
    lesson.titled(errors, f"error types of all predicted joints ({len(instances)} people, σ × 1)")
    return [table, pr, errors]


if COCO is not None:
    lesson.panel(ap_view, model_name=lesson.dropdown("model", list_models(), list_models()[0]),
                 sigma_scale=lesson.float_slider("σ scale", 1.0, 0.5, 2.0, 0.25))

# %% [markdown]
# **How these numbers compare with the papers.** Published COCO keypoint AP — for example 74.4 on val2017 for
# HRNet-W32 at 256 × 192 (Sun et al., CVPR 2019, Table 1) — is measured differently from the table above: on all 17
# keypoints, on a person detector's boxes (its misses and false alarms count), over all 5,000 val2017 images, by
# networks trained on COCO's own people. Here the models are scored on 12 joints (the five face joints, whose σ
# is the strictest, are left out), on the annotated boxes, over the few images in the data root, and were trained on
# LSP and MPII — so the table's numbers are not comparable with a paper's, and the interval column says how far
# they would move on another draw of images like these. The networks trained here are also small:

# %%
TRAINED = [n for n in zoo.shipped_networks() if zoo.entry(n).trained_here]
_params = [zoo.card_metrics(n)["params"] / 1e6 for n in TRAINED]
display(Markdown(f"the {len(TRAINED)} keypoint networks trained here have {min(_params):.1f}–{max(_params):.1f} M parameters, "
                 "against HRNet-W32's 28.5 M."))

# %% [markdown]
# ## 3. One person, joint by joint
#
# Choose a person (sorted from the highest OKS down; the default is an informative one, with several error types).
# Circles around each annotated joint mark where its term is 0.5 (white), 0.75 and 0.95 (grey); the arrow goes to
# the prediction, coloured by error type. **What to look for:** no head joint is scored here (the 12 body joints
# the models share with COCO), so the smallest rings are the wrists' and the largest the hips'; an inversion shows
# as an arrow to the mirrored joint.

# %%
def person_view(model_name: str, rank: int):
    gt, instances, data, sigmas = scored(model_name)
    names = data["categories"][0]["keypoints"]
    inst = sorted(instances, key=lambda i: -i.oks)[rank]
    image = load_image(COCO[1] / gt.image(inst.image_id)["file_name"], max_side=None).rgb
    picture = image_figure(oks_instance_image(image, inst.gt, inst.pred, inst.area, sigmas, inst.errors, inst.bbox),
                           f"person {inst.ann_id}: OKS {inst.oks:.3f} (rank {rank + 1} of {len(instances)})", height=520)
    terms = oks_terms_figure(names, inst.terms, inst.errors, inst.oks)
    lesson.titled(terms, "each joint's OKS term (colour: error type)")
    return [picture, terms, pd.DataFrame(joint_table(inst, names, sigmas, TOLERANCE_LEVELS)).set_index("joint")]


if COCO is not None:
    first = list_models()[0]
    ranked = sorted(scored(first)[1], key=lambda i: -i.oks)
    lesson.panel(person_view, model_name=lesson.dropdown("model", list_models(), first),
                 rank=lesson.int_slider("person (rank by OKS)", informative_instance(ranked), 0, len(ranked) - 1))

# %% [markdown]
# ## Conclusion
#
# OKS turns a pixel error into credit that is scale-invariant (through s) and fair across joints (through σ);
# AP then summarises credit over people and thresholds. The error taxonomy separates near misses (jitter: a term
# between 0.5 and 0.85, an error of several pixels — far more than sub-pixel decoding can fix) from confusions
# (inversions, swaps) and misses; all of them need a better model, not a better decoder.
#
# ### Exercises
#
# 1. In section 1, an eye and a hip are both 10 px off on a person of 10,000 px². Predict which term is higher and
#    by how much the hip's 0.5 radius exceeds the eye's, then read the table.
# 2. In section 2, set the σ scale to 2. Predict whether AP@0.5 or AP@0.75 rises more, then check.
# 3. Find a person with an inversion in section 3. Would flip-test averaging (lesson 1) be likely to fix it? Why?

# %%
_hip, _eye = (COCO17.sigmas[COCO17.index(j)] for j in ("left_hip", "left_eye"))
lesson.self_check((1, "How many times the eye's 0.5 radius is the hip's, for a person of 10,000 px²?",
                   tolerance_radius(10_000, _hip, 0.5) / tolerance_radius(10_000, _eye, 0.5), "×", 0.3,
                   f"The radius is proportional to σ at a given area: {_hip} / {_eye}. At 10 px the hip's term is "
                   "therefore far higher than the eye's."))
