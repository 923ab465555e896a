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
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 4 — Pooling and unpooling: what each kind keeps
#
# **The question.** Pose networks shrink their feature maps (the hourglass pools down to 4 × 4 and back up; CPM
# pools three times) to see more of the image per unit. Every pooling summarises a window by one number — which
# number decides what survives, and where the gradient goes during training.
#
# The kinds, all behind one function `poseviz.explain.pooling.pool`:
# - **max / min**: the largest (smallest) value of each window; the gradient reaches only that one position.
# - **average** and **L2** (√ of the mean square, an Lp pooling): every position contributes and gets gradient.
# - **stochastic** (Zeiler & Fergus, ICLR 2013): in training one position is sampled with probability
#   a_i / Σ a_j; at test time the probability-weighted average Σ p_i a_i (shown here).
# - **top-k mean**: the mean of the k largest values — k = 1 is max pooling, k = window size is average pooling.
#   (Not Kalchbrenner et al.'s *k-max pooling* (ACL 2014), which keeps the k largest values themselves, in order.)
# - **SoftPool** (Stergiou et al., ICCV 2021): Σ softmax(a)_i · a_i, a smooth maximum.
# - **adaptive** (a fixed output size whatever the input) and **global** (one value per map).
# - **max-unpooling** (as in SegNet): put each maximum back where it came from, zeros elsewhere.
#
# *How to use it:* run all cells; the controls above each figure redraw it.

# %%
import pandas as pd

import lesson
from poseviz.plots.pooling import adaptive_windows_figure, pooling_figure
from poseviz.explain.pooling import (POOLINGS, adaptive_formula_agrees, adaptive_windows, formula_windows, grey_working_image,
                             pooling_panels, unpool_panels)

IMAGE_NAMES = list(lesson.IMAGES)
WINDOWED = [k for k in POOLINGS if not k.startswith(("adaptive", "global"))]

# %% [markdown]
# ## 1. One pooling on a photo
#
# The photo is reduced to grey levels at a small working size so single windows are visible. Panels: the input,
# the pooled output, for selecting poolings how often each input position was chosen, and the gradient that
# reaches the input when the output's sum is differentiated. The table compares every windowed kind with the same
# kernel and stride. **What to look for:** max pooling sends gradient to one position per window (¼ of the input
# for 2 × 2 windows); average, L2 and SoftPool to all of them. Overlapping windows (stride < kernel) let one
# position win several windows.

# %%
_probe = pooling_panels(grey_working_image(lesson.photo(IMAGE_NAMES[0]), 48), "max", 3, 2)
lesson.question(f"3 × 3 max pooling at stride 2 on the first photo ({IMAGE_NAMES[0]}, 48 px working size): what "
                "percentage of the input positions receive gradient?",
                100 * _probe.gradient_positions / _probe.input_positions, "%", 4.0,
                "At stride 2 there is one window for every 4 inputs, so at most 25 % can be a window's maximum; "
                "overlapping windows that share their maximum bring it lower. It is above 100/9 % because the "
                "windows overlap: with stride 3 there would be one window per 9 inputs.")

# %% [markdown]
# **Now look.** Set kernel 3 and stride 2 and read the table's last column.

# %%
def one_pooling(image: str, side: int, kind: str, kernel: int, stride: int):
    arr = grey_working_image(lesson.photo(image), side)
    view = pooling_panels(arr, kind, kernel, stride)
    fig = pooling_figure(view.panels)
    lesson.titled(fig, f"{kind} pooling, {kernel}×{kernel} windows, stride {stride} px")
    rows = []
    for other in WINDOWED:
        v = pooling_panels(arr, other, kernel, stride)
        out = next(p for t, p in v.panels.items() if t.startswith("output"))
        rows.append({"pooling": other, "output mean (grey level)": float(out.mean()),
                     "inputs receiving gradient (%)": 100 * v.gradient_positions / v.input_positions})
    return [fig, pd.DataFrame(rows).set_index("pooling")]


lesson.panel(one_pooling, image=lesson.photo_dropdown(), side=lesson.int_slider("working size (px)", 48, 16, 96, 8),
             kind=lesson.dropdown("pooling", WINDOWED, "max"), kernel=lesson.int_slider("kernel (px)", 2, 1, 5),
             stride=lesson.int_slider("stride (px)", 2, 1, 5));

# %% [markdown]
# ## 2. Top-k mean pooling: from max to average
#
# With 3 × 3 windows, k runs from 1 (max pooling) to 9 (average pooling). **What to look for:** the output mean
# falls as k grows, and the gradient spreads from one position per window to all nine.

# %%
def kmax(image: str, k: int):
    arr = grey_working_image(lesson.photo(image), 48)
    view = pooling_panels(arr, "kmax", 3, 3, k=k)
    fig = pooling_figure(view.panels)
    lesson.titled(fig, f"top-k mean pooling, k = {k} of 9 (3×3 windows)")
    return [fig]


lesson.panel(kmax, image=lesson.photo_dropdown(), k=lesson.int_slider("k", 2, 1, 9));

# %% [markdown]
# ## 3. Max-pool, then max-unpool
#
# Unpooling puts each window's maximum back at its position and fills the rest with zeros. **What to look for:**
# with 2 × 2 windows, three quarters of the positions are lost (the dark panel); a decoder that unpools must learn
# to fill them in (SegNet's decoder does this). The hourglass takes another road: it upsamples by nearest neighbour
# (every value copied to its 2 × 2 block, no positions remembered) and adds a skip branch that carries the features
# from before each pooling, at full resolution.

# %%
def unpooling(image: str, kernel: int):
    arr = grey_working_image(lesson.photo(image), 48)
    panels, u = unpool_panels(arr, kernel)
    fig = pooling_figure(panels)
    lesson.titled(fig, f"max-pool {kernel}×{kernel} then max-unpool")
    return [fig, pd.DataFrame([{"positions kept (%)": 100 * u.kept_fraction, "reconstruction MSE (grey level²)": u.mse}])]


lesson.panel(unpooling, image=lesson.photo_dropdown(), kernel=lesson.int_slider("kernel (px)", 2, 2, 4));

# %% [markdown]
# ## 4. Adaptive pooling: PyTorch's windows against the popular formula
#
# Adaptive pooling chooses its windows from the input and output sizes. A formula often quoted for it —
# stride = ⌊in/out⌋, kernel = in − (out − 1)·stride — gives fixed windows; PyTorch uses ⌊i·in/out⌋ … ⌈(i+1)·in/out⌉,
# which may vary in size. **What to look for:** where the two rows of windows differ; the table lists which input
# sizes the formula gets right for the chosen output size.

# %%
def adaptive(in_size: int, out_size: int):
    out_size = min(out_size, in_size)
    fig = adaptive_windows_figure(adaptive_windows(in_size, out_size), formula_windows(in_size, out_size), in_size)
    lesson.titled(fig, f"adaptive pooling windows, {in_size} → {out_size}")
    agree = pd.DataFrame([{"input size": n, "formula matches PyTorch": adaptive_formula_agrees(n, out_size)}
                          for n in range(out_size, out_size + 16)]).set_index("input size").T
    return [fig, agree]


lesson.panel(adaptive, in_size=lesson.int_slider("input size", 10, 2, 40), out_size=lesson.int_slider("output size", 4, 1, 12));

# %% [markdown]
# ## Conclusion
#
# Poolings differ in what they keep — the extreme (max, min, SoftPool approximately), the mean (average), or
# something between the mean and the max (L2, Σa²/Σa: stochastic pooling at test time, the top-k mean) — and, as
# important for training, in where the gradient goes: max pooling trains one position per window. Unpooling
# restores positions, not values, and adaptive pooling is not a fixed-window pooling unless the sizes divide evenly.
#
# ### Exercises
#
# 1. Set kernel 2 and stride 2 in section 1. Predict the percentage of inputs that receive gradient under max
#    pooling, then check the table. Why can it differ from exactly 25 % on a photo with flat regions?
# 2. In section 4, find an output size for which the formula is right for *every* input size in the table, and
#    explain why.
# 3. Which pooling would you choose to keep a thin bright limb visible after downsampling, and which one to
#    suppress isolated bright noise? Try both on the cameraman photo.

# %%
_always = next(o for o in range(1, 13) if all(adaptive_formula_agrees(n, o) for n in range(o, o + 16)))
lesson.self_check((2, "For which output size is the quoted formula right for every input size in section 4's table?",
                   _always, "", 0,
                   "One window over the whole input: stride ⌊in/1⌋ = in and kernel in, exactly PyTorch's single window. "
                   "For larger outputs the formula is right only where the output size divides the input size."))
