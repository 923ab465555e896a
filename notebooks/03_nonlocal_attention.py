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
# # Lesson 3 — Non-local blocks: does each position look somewhere different?
#
# **The question.** A convolution only sees a neighbourhood. A **non-local block** (Wang et al., "Non-local Neural
# Networks", CVPR 2018) lets every position *q* of a feature map gather features from every position *p*, weighted
# by softmax over *p* of θ(x_q)ᵀφ(x_p) — self-attention over the image. For pose, the hope is that a query at the
# left wrist attends to the left elbow and shoulder. GCNet (Cao et al., ICCVW 2019) measured trained non-local
# blocks and found the opposite: **the attention maps of different queries are almost identical** — the block
# computes one global context for the whole image — and replaced it by a cheaper query-independent block.
#
# Here you look at the attention of the shipped `hrnet_nl_lsp` (one embedded-Gaussian block on its 1/8-resolution
# branch, grid 16 × 16 for a 128-px crop) and measure GCNet's claim yourself.
#
# *How to use it:* run all cells; the controls above each figure redraw it.

# %%
import numpy as np
import pandas as pd

import lesson
from IPython.display import Markdown, display
from poseviz.models import zoo
from poseviz.explain.attention import entropy_map, grid_cell, mean_attention, output_gate, query_dependence, query_map, reference_attentions, top_k
from poseviz.core.geometry import apply_affine
from poseviz.plots.attention import attention_maps_figure
from poseviz.core.schemas import LSP14

NAME = "hrnet_nl_lsp"
IMAGE_NAMES = list(lesson.IMAGES)


def attention_of(image: str):
    """The person's prediction, its [N, N] attention (rows = queries) and the grid (h, w)."""
    pred = lesson.person(image, NAME)
    return pred, pred.attention_map, tuple(pred.output.attention_hw)


# %% [markdown]
# ## 1. Where does one joint look?
#
# The query is the grid cell at the chosen joint's predicted position (white cross); the colour is the attention
# weight of every other cell, the numbered squares the *k* strongest. **What to look for:** change the joint and
# watch how little the map changes; if the bright cells stay put whatever the query, the block is computing global
# context, not joint-to-joint relations.

# %%
def one_query(image: str, joint: str, k: int):
    pred, att, hw = attention_of(image)
    crop_xy = apply_affine(pred.keypoints[:, :2], pred.transform.matrix)[LSP14.index(joint)]
    size = (pred.crop.shape[1], pred.crop.shape[0])
    cell = grid_cell(tuple(crop_xy), size, hw)
    amap = query_map(att, hw, cell)
    fig = attention_maps_figure(pred.crop, [amap], [f"query: {joint}"], [cell], hw, top=[top_k(amap, k)])
    lesson.titled(fig, f"attention of the {joint} query, {hw[1]}×{hw[0]} grid over the 128-px crop")
    top = pd.DataFrame([{"rank": r + 1, "column": cx, "row": cy, "weight": wt} for r, (cx, cy, wt) in enumerate(top_k(amap, k))])
    return [fig, top.set_index("rank")]


lesson.panel(one_query, image=lesson.photo_dropdown(), joint=lesson.dropdown("query joint", LSP14.joints, "left_wrist"),
             k=lesson.int_slider("top k", 5, 1, 20));

# %% [markdown]
# ## 2. All queries at once: entropy and the query-averaged map
#
# Left, the entropy of each query's attention divided by ln N (1 = attends uniformly everywhere); right, the
# attention averaged over all N queries — GCNet's "global context". **What to look for:** if the averaged map looks
# like the single-query map above, the queries agree. The numbers under it put this in one figure of merit: the
# mean Jensen–Shannon divergence between the maps of random query pairs, in millionths of a nat (0 = identical
# maps, ln 2 ≈ 693,147 × 10⁻⁶ nats = disjoint maps), and the block's output gate γ (z = x + γ·W_z y after BatchNorm; γ = 0 would switch the block off).

# %%
def all_queries(image: str):
    pred, att, hw = attention_of(image)
    n = att.shape[1]
    relative_entropy = entropy_map(att, hw) / np.log(n)
    entropy = attention_maps_figure(pred.crop, [relative_entropy], ["entropy / ln N (1 = uniform)"], [None], hw,
                                    colorbar_title="entropy / ln N", height=440)
    average = attention_maps_figure(pred.crop, [mean_attention(att, hw)], ["mean over all queries"], [None], hw,
                                    colorbar_title="mean attention weight", height=440)
    summary = pd.DataFrame([{"grid positions N": n, "mean JS divergence between queries (10⁻⁶ nats)": 1e6 * query_dependence(att),
                             "mean entropy / ln N": float(relative_entropy.mean()),
                             "output gate max |γ|": output_gate(lesson.model(NAME, fast=False).nonlocal_block)}])
    return [entropy, average, summary]


lesson.panel(all_queries, image=lesson.photo_dropdown());

# %% [markdown]
# ## 3. GCNet's measurement over every gallery photo
#
# One photo is an anecdote. Below, the same two numbers for every photo in the gallery (the bundled photos, plus
# LSP and COCO images when they are in the data root), and the same two numbers for two attentions built by hand
# on the same grid: one that ignores the query (uniform) and one that sees only each query's 3 × 3 neighbourhood (a
# convolution). **What to look for:** where the measured JS divergence sits between the two baselines, against
# ln 2 (693,147 × 10⁻⁶ nats), photo after photo.

# %%
rows, progress = [], lesson.Progress(len(IMAGE_NAMES), "photos")
for image in IMAGE_NAMES:
    pred, att, hw = attention_of(image)
    rows.append({"photo": image, "mean JS divergence (10⁻⁶ nats)": 1e6 * query_dependence(att),
                 "mean entropy / ln N": float(entropy_map(att, hw).mean() / np.log(att.shape[1]))})
    progress.step()
progress.close()
gcnet = pd.DataFrame(rows).set_index("photo")
summary = gcnet.describe().loc[["count", "mean", "min", "max"]]
# Two baselines on the same grid bracket the measurement: attention that ignores the query, and a convolution's view.
_, _att, _hw = attention_of(IMAGE_NAMES[0])
baselines = pd.DataFrame([{"attention": name, "mean JS divergence (10⁻⁶ nats)": 1e6 * query_dependence(a),
                           "mean entropy / ln N": float(entropy_map(a, _hw).mean() / np.log(a.shape[1]))}
                          for name, a in reference_attentions(_hw).items()]).set_index("attention")
lesson.question("A convolution's 3 × 3 view is about 0.67 nats apart for two random queries, uniform attention 0. "
                f"Predict the block's mean JS divergence over these {len(gcnet)} photos, as a percentage of ln 2.",
                100 * gcnet["mean JS divergence (10⁻⁶ nats)"].mean() * 1e-6 / np.log(2), "% of ln 2", 1.0,
                "Its maps hardly depend on the query — much nearer the uniform baseline than a convolution's view, "
                "which is GCNet's observation on detection networks too.")

# %% [markdown]
# **Now look.** The gallery's numbers, then the two baselines.

# %%
display(summary, baselines)

# %% [markdown]
# The same measurement in words, computed from the table above and from the model card (which measures it on 50 LSP
# test people and re-scores LSP with the block silenced: its output BatchNorm's scale γ and shift β both 0):

# %%
card = zoo.card_metrics(NAME)["nonlocal"]
js = gcnet["mean JS divergence (10⁻⁶ nats)"] * 1e-6
ent = gcnet["mean entropy / ln N"]
Markdown(f"On these {len(gcnet)} photos the JS divergence between two queries' maps is {js.mean():.2g} nats on average "
         f"(at most {js.max():.2g}), {100 * js.mean() / np.log(2):.2g} % of ln 2; the maps' entropy is {ent.mean():.3f} of ln N. "
         f"The card: {card['query_dependence']:.2g} nats and {card['entropy_share']:.3f} of ln N on "
         f"{card['query_dependence_people']} LSP test people; output gate |γ| {card['output_gate']:.3f}; LSP PCK@0.2 (flip) "
         f"{card['pck_flip']:.1f} % with the block, {card['pck_flip_silenced']:.1f} % silenced.")

# %% [markdown]
# ## Conclusion
#
# A non-local block *can* let each position attend to different places, but after training on pose data the maps
# of this block barely depend on the query: the JS divergence measured above is a small fraction of ln 2 on every
# photo, as GCNet reported for detection and classification networks. The maps are also close to uniform (entropy
# near ln N), so what the block adds is close to the image-wide mean of its features — the global context that a
# pooling branch (GCNet, squeeze-and-excitation) computes at a fraction of the cost. Its gate γ is small but the
# block is not idle: silencing it costs the PCK points stated above. (A zero γ alone would not switch it off: the
# BatchNorm's shift β would still be added at every position.)
#
# ### Exercises
#
# 1. Pick the photo with the largest JS divergence in the section 3 table and look at its queries in section 1.
#    Predict which joints' maps differ most, then check.
# 2. The JS divergence is averaged over random query pairs. Would you expect pairs of *neighbouring* cells to
#    differ more or less than random pairs? Why does the answer matter for GCNet's conclusion?
# 3. If the output gate γ were 0, what would the block do to the features, and what would its attention maps
#    tell you about the prediction?
