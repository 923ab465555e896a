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
# # The pooling laboratory
#
# Every pooling in `poseviz.pooling` shares one signature. Here: what each keeps, what max-unpooling recovers, where the gradient flows, and where the popular adaptive-pooling shortcut differs from PyTorch.

# %%
import numpy as np, torch, cv2
from poseviz.data.root import data_root, dataset_dir
from poseviz.image_io import load_image
from poseviz.pooling import pool, pool_gradient, unpool_roundtrip, selection_mask, adaptive_windows, formula_windows, adaptive_formula_agrees, POOLINGS
from poseviz.plots.pooling import pooling_figure, adaptive_windows_figure

img = load_image(dataset_dir("lsp") / "images" / "im1001.jpg")
grey = cv2.resize(cv2.cvtColor(img.rgb, cv2.COLOR_RGB2GRAY), (40, 48)).astype(np.float64) / 255
x = torch.from_numpy(grey)[None, None]
for kind in POOLINGS:
    out = pool(x, kind, 2, 2, output_size=6).output
    print(f"{kind:<13} output {tuple(out.shape[-2:])}  mean {out.mean():.4f}")

# %%
res = pool(x, "max", 2, 2)
pooling_figure({"input": grey, "max-pooled": res.output[0, 0].numpy(), "selected": selection_mask(res.selected[0, 0], grey.shape),
                "gradient": pool_gradient(x, "max", kernel=2)[0, 0].numpy()}).show()
u = unpool_roundtrip(x, 2)
print(f"max-unpool keeps {100 * u.kept_fraction:.1f} % of positions; reconstruction MSE {u.mse:.5f}")

# %%
print("sizes where stride=floor(in/out), kernel=in-(out-1)*stride matches PyTorch (out = 4):",
      [n for n in range(4, 30) if adaptive_formula_agrees(n, 4)])
adaptive_windows_figure(adaptive_windows(10, 4), formula_windows(10, 4), 10).show()
