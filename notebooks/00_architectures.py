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
# # Lesson 0 — The architectures
#
# **The question.** Five families of networks estimate human pose in this project. How are they built — how many
# times do they predict, at what resolution, seeing how much of the image — and when is it cheaper to find each
# person first (top-down) than to find every body part at once and group them (bottom-up)?
#
# - **Convolutional Pose Machines** (Wei et al., CVPR 2016): a chain of stages; each reads image features and the
#   previous stage's belief maps and predicts them again.
# - **Stacked Hourglass** (Newell et al., ECCV 2016): hourglasses that pool down to a coarse grid and upsample back,
#   stacked, each predicting the maps.
# - **HRNet** (Sun et al., CVPR 2019): a high-resolution branch kept through the whole network, with lower
#   resolutions beside it exchanging information; one output.
# - **OpenPose** (Cao et al., CVPR 2017): belief maps plus part affinity fields, so that parts can be grouped into
#   people without finding the people first.
# - **EfficientPose** (Groos et al., 2021): a small EfficientNet backbone, a pass predicting limb fields, two passes
#   predicting belief maps at 1/8 resolution, upsampled to the input.
#
# Every number below is read from the networks themselves (a forward pass and a walk over their layers) or from
# their model cards; lesson 2 explains receptive fields in depth.
#
# *How to use it:* run all cells; choose a network in section 2.

# %%
import pandas as pd
from IPython.display import display

import lesson
from poseviz.inference.top_down import model_input_size
from poseviz.explain.architecture import architecture_rows, measure_people_cost, stage_rows
from poseviz.plots.architecture import people_cost_figure
from poseviz.plots.receptive import rf_growth_figure
from poseviz.explain.receptive_field import receptive_fields
from poseviz.models import zoo

NETWORKS = zoo.shipped_networks()  # single networks (an ensemble averages two of them)

# %% [markdown]
# ## 1. The five families side by side
#
# **What to look for:** the input size and the final grid (input pixels between two units of the output maps) set
# how precisely a joint can be placed (lesson 8); the final receptive field against the input says whether an
# output unit can see the whole crop (a ratio above 1 for the centre unit, about 2 for a unit at the border).

# %%
display(pd.DataFrame(architecture_rows(NETWORKS)).set_index("network"))

# %% [markdown]
# ## 2. One network, stage by stage
#
# The table lists what the chosen network returns: each stage's maps, the grid they were computed on and the field
# of their units; the plot shows the field growing layer by layer (stars: stage outputs). **What to look for:** in
# CPM the field grows by a fixed amount per stage; the hourglass sees far beyond its crop already in its first
# stack; HRNet has one output; EfficientPose computes its passes at 1/8 of the input and returns them upsampled.

# %%
def one_network(name: str):
    table = pd.DataFrame(stage_rows(name)).set_index("stage")
    model = zoo.build(name)
    fig = rf_growth_figure({name: receptive_fields(model)}, input_size=model_input_size(model)[0])
    lesson.titled(fig, f"theoretical receptive field of every layer of {name}")
    return [table, fig]


lesson.panel(one_network, name=lesson.dropdown("network", NETWORKS, "cpm_lsp"))

# %% [markdown]
# ## 3. Top-down or bottom-up: the cost of a crowd
#
# Top-down runs a person detector once, then the pose network once per person; bottom-up runs one network over
# the whole image and groups the parts it finds. Below, the three parts are timed on this machine on a bundled
# photo (medians of a few runs; the numbers are yours, not the paper's).

# %%
_photo = lesson.photo(list(lesson.IMAGES)[0])
cost = measure_people_cost(lesson.model("efficientpose_rt"), lesson.model("openpose_lsp"), _photo, repeats=3)
lesson.question("From the three timings that follow (detector, one top-down crop, one bottom-up pass), predict: "
                "beyond how many people is bottom-up the faster way to pose a photo?", max(cost.crossing(), 0.0),
                "people", max(1.0, 0.25 * abs(cost.crossing())),
                f"(bottom-up − detector) / one crop = ({cost.bottom_up_ms:.0f} − {cost.detector_ms:.0f}) / "
                f"{cost.crop_ms:.0f} ms. Below it, top-down is cheaper and usually more accurate (every person at the "
                "network's full resolution); in a crowd, bottom-up's cost stays flat.")
display(pd.DataFrame([{"person detector (ms)": round(cost.detector_ms, 1), "one top-down crop, efficientpose_rt (ms)":
                       round(cost.crop_ms, 1), "one bottom-up pass, openpose_lsp (ms)": round(cost.bottom_up_ms, 1)}]))

# %% [markdown]
# **Now look.** The lines cross where your prediction should be.

# %%
display(people_cost_figure(cost, "efficientpose_rt", "openpose_lsp"))

# %% [markdown]
# ## Conclusion
#
# The families differ in how often they predict (CPM's stages, the hourglass's stacks, EfficientPose's passes,
# HRNet's single output), on which grid (stride 4 at 128 px, or 1/8 upsampled), and how far each unit can see. A
# top-down pipeline pays per person and gives each person the network's full resolution; a bottom-up one pays once
# and must then group parts into people — what part affinity fields are for (lesson 7).
#
# ### Exercises
#
# 1. In section 2, compare the final receptive fields of `cpm_lsp` and `hrnet_lsp`. Which design choice makes
#    HRNet's so much larger with a single output?
# 2. The timings in section 3 are for one photo of a given size. Predict how each line moves for a photo twice as
#    wide and high (the crops do not change size), then check by timing a larger photo.
# 3. A classroom photo holds 30 students. Which pipeline would you use to draw every skeleton live, and what would
#    you lose?
