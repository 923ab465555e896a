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
# # Lesson 8 — Heatmaps in and out
#
# **The question.** Every network in this project answers "where is the right wrist?" with a *belief map*, an
# image of scores, and is trained to produce a Gaussian blob at the annotated position. How wide should that blob
# be, what does it cost that the map is a coarse grid (a 128-px crop gives a 32-px map: one map pixel covers 4
# input pixels), and how is a position with sub-pixel precision read back out?
#
# - **Targets** (Tompson et al., NeurIPS 2014; every network since): an unnormalised Gaussian of standard
#   deviation σ (in map pixels) with peak 1 at the joint. A wide σ is easy to learn but blurs neighbouring joints
#   together; a narrow one is precise but gives almost no gradient away from the peak.
# - **Decoding**: the *argmax* is a whole map pixel, so it can be off by half a pixel in each direction — at stride
#   4, up to 2 input pixels on a perfect map. HRNet (Sun et al., CVPR 2019) moves the argmax a **quarter pixel**
#   towards the higher neighbour; **DARK** (Zhang et al., CVPR 2020) takes a Newton step on the logarithm of the map,
#   exact for a Gaussian.
# - **The flip test** runs the mirrored image too and averages the two maps, with left and right swapped back.
#
# Everything below uses the project's own target and decoder code (`poseviz.core.heatmaps`): what you measure is
# what training and the app do.
#
# *How to use it:* run all cells. A **Predict first** box asks for a number before the figure that answers it:
# type your prediction, press *Check*, then look.

# %%
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

import lesson
from poseviz.core.heatmaps import DECODERS
from poseviz.data.lsp import lsp_split
from poseviz.explain.decoding import decoder_comparison, half_height_radius, quantisation_errors
from poseviz.plots.decoding import quantisation_figure, target_figure

# %% [markdown]
# ## 1. The target and its width σ
#
# The slider sets σ; the second moves the joint within a pixel. **What to look for:** the target is sampled at
# pixel centres, so a joint between two centres gives two equal neighbours — the information about its sub-pixel
# position is in the *ratio* of neighbouring values, which is what the decoders of section 2 read.

# %%
lesson.question("With σ = 2 map pixels, how far from the joint (in map pixels) does the target fall to half its "
                "peak value?", half_height_radius(2.0), "map px", 0.25,
                "For a Gaussian the half height lies at σ·√(2 ln 2) ≈ 1.18 σ; the number here is read off the target "
                "training really uses. The blob's full width at half height is twice that.")

# %% [markdown]
# **Now look.** The table reads the half-height distance off the target for the σ you choose, beside the formula.

# %%
def target(sigma: float, offset: float):
    radius = half_height_radius(sigma)
    table = pd.DataFrame([{"σ (map px)": sigma, "half height at (map px, measured)": radius,
                           "σ·√(2 ln 2)": round(sigma * np.sqrt(2 * np.log(2)), 3),
                           "half height at (input px, stride 4)": round(4 * radius, 2)}])
    return [target_figure(sigma, (8.0 + offset, 7.6)), table]


lesson.panel(target, sigma=lesson.float_slider("σ (map px)", 2.0, 0.5, 4.0, 0.5),
             offset=lesson.float_slider("joint's sub-pixel x offset", 0.3, 0.0, 1.0, 0.1));

# %% [markdown]
# ## 2. What the grid costs: stride quantisation
#
# Here the map is *perfect* — exactly the training target — and the joint moves across one map pixel. Whatever
# error remains is the decoder's and the grid's, not the network's.

# %%
_, perfect = quantisation_errors(4.0)
lesson.question("At stride 4 (a 128-px crop, a 32-px map), what is the largest error, in input pixels, that plain "
                "argmax makes on a perfect map?", float(perfect["argmax"].max()), "input px", 0.3,
                "Half a map pixel, times the stride: the argmax snaps to the nearest pixel centre. The quarter shift "
                "halves the worst case; DARK is exact on a Gaussian.")

# %% [markdown]
# **What to look for:** argmax's error is a sawtooth that peaks when the joint lies halfway between two pixel
# centres; the quarter shift replaces it with a smaller one; DARK stays at zero. Raise the stride: every error
# scales with it, which is why low-resolution maps need a sub-pixel decoder.

# %%
def grid(stride: int, sigma: float):
    offsets, errors = quantisation_errors(float(stride), sigma)
    table = pd.DataFrame([{"decoder": m, "largest error (input px)": round(float(e.max()), 3),
                           "mean error (input px)": round(float(e.mean()), 3)} for m, e in errors.items()])
    return [quantisation_figure(offsets, errors, stride), table]


lesson.panel(grid, stride=lesson.dropdown("stride (input px per map px)", [4, 2, 8]),
             sigma=lesson.float_slider("σ (map px)", 2.0, 1.0, 3.0, 0.5));

# %% [markdown]
# ## 3. On real predictions: decoders and the flip test
#
# A network's maps are not perfect Gaussians: they are wider, skewed, sometimes with two peaks. Below, each decoder
# and the flip test are scored on LSP test people cropped from their annotated boxes (PCK@0.2: a joint is correct
# within 0.2 torso lengths, with its 95 % bootstrap interval over the people; the median error is in torso
# lengths). The network runs once per person and flip setting; only the reading of its maps changes between rows.
# `efficientpose_rt` predicts maps at the input's full resolution (stride 1), the others at stride 4.

# %%
LSP = lesson.dataset("lsp")
PEOPLE = lsp_split("test")[:40]
COMPARED = ["hourglass_lsp", "hrnet_lsp", "efficientpose_rt"]


def decoders(model_name: str):
    rows = decoder_comparison(lesson.model(model_name), lesson.lsp(), PEOPLE, progress_callback=lesson.report)
    table = pd.DataFrame(rows).set_index(["flip test", "decoder"])
    return [Markdown(f"**{model_name}**, {len(PEOPLE)} LSP test people"), table]


if LSP is not None:
    first = pd.DataFrame(decoder_comparison(lesson.model(COMPARED[0]), lesson.lsp(), PEOPLE, flips=(False,)))
    gain = first.set_index("decoder")["PCK@0.2 (%)"]
    lesson.question(f"On {COMPARED[0]} without the flip test, by how many PCK points does DARK beat plain argmax?",
                    float(gain["dark"] - gain["argmax"]), "PCK points", 1.0,
                    "On real maps the sub-pixel step matters less than on perfect ones, but at stride 4 it still "
                    f"moves joints across the 0.2-torso line. With {len(PEOPLE)} people one point is about one joint "
                    "in 500: small differences here are noise (exercise 3).")

# %% [markdown]
# **What to look for:** compare the rows of one flip setting (the decoder's effect) with the two settings of one
# decoder (the flip test's effect). At stride 1 (`efficientpose_rt`) the grid is already fine: the decoders
# nearly agree. The flip test helps every decoder: the mirrored run averages away some of the network's own jitter.

# %%
if LSP is not None:
    lesson.panel(decoders, model_name=lesson.dropdown("model", COMPARED))

# %% [markdown]
# ## Conclusion
#
# A belief map is a grid of scores around a Gaussian target. Its width trades easy learning against precision; its
# grid costs up to half a map pixel — stride × ½ input pixels — unless the position is read with sub-pixel care.
# On perfect maps DARK removes that cost entirely; on real maps the decoders differ less, and most at coarse
# strides. The flip test is a second, mirrored opinion, not a fix for a wrong left/right decision.
#
# ### Exercises
#
# 1. In section 1, set σ to 0.5. Predict what happens to the two neighbours of a joint halfway between pixel
#    centres, then look: why would such a narrow target be hard for a network to learn?
# 2. In section 2, set the stride to 8. Predict argmax's mean error, then check the table. How large a crop would a
#    stride-8 network need to place joints as precisely as a stride-4 one?
# 3. In section 3, change `PEOPLE` to the first 200 test people. Which differences between rows survive, and
#    which were noise?

# %%
_, _stride8 = quantisation_errors(8.0)
lesson.self_check((2, "At stride 8, what is plain argmax's mean error on a perfect map, in input pixels?",
                   float(_stride8["argmax"].mean()), "input px", 0.3,
                   "Twice the stride-4 figure: every error scales with the stride. A stride-8 network needs a crop "
                   "twice as large to place joints as precisely in input pixels."))
