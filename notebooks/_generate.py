# Regenerates the companion notebooks from these cell sources: python notebooks/_generate.py (from the repo root).
import nbformat as nbf
from nbformat.v4 import new_notebook, new_markdown_cell, new_code_cell

def make(path, cells):
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [new_markdown_cell(c[3:]) if c.startswith("md:") else new_code_cell(c) for c in cells]
    nbf.write(nb, path)

make("notebooks/01_belief_maps.ipynb", [
"md:# Belief maps, stage by stage\n\nEvery PoseViz model returns the belief maps of **all** its stages (`PoseOutput.stages`). This notebook shows how one joint's belief sharpens from stage to stage — the intermediate supervision of CPM and the Stacked Hourglass — using the same figure functions as the app.",
"""import ipywidgets as widgets
from pathlib import Path
from poseviz import zoo
from poseviz.image_io import load_image
from poseviz.inference import predict_person
from poseviz.plots import belief_maps_figure, stage_peak_table, joint_grid_figure
from poseviz.pretrained import load_pretrained

DATA = Path("..") / ".." / "shared" / "data" / "lsp" / "images"
IMAGES = sorted(DATA.glob("im10[0-4]*.jpg"))[:10]
MODELS = zoo.shipped_models()
print(len(IMAGES), "images;", "models:", MODELS)""",
"md:Pick an image, a model, a joint and a stage. The first figure shows the chosen joint in every stage (one colour scale); the table says where its peak sits and how far it moved; the second shows all joints of the chosen stage.",
"""_models = {}

def run(image_path, model_name, joint, stage, flip=False):
    model = _models.setdefault(model_name, load_pretrained(model_name))
    img = load_image(image_path)
    h, w = img.rgb.shape[:2]
    pred = predict_person(model, img.rgb, (0, 0, w, h), flip=flip)
    maps = pred.output.stages
    k = pred.schema.index(joint)
    stride = pred.crop.shape[1] / maps[-1].shape[-1]
    names = pred.output.stage_names
    belief_maps_figure(pred.crop, [m[0, k].numpy() for m in maps], names).show()
    for row in stage_peak_table(__import__("numpy").stack([m[0, k].numpy() for m in maps]), stride, names):
        print(row)
    s = min(stage, len(maps) - 1)
    joint_grid_figure(pred.crop, maps[s][0].numpy(), list(pred.schema.joints)).show()
    return pred

from poseviz.schemas import LSP14
# interact_manual: the maps are drawn when you press "Run Interact" (each run takes a second or two)
widgets.interact_manual(run, image_path=widgets.Dropdown(options=IMAGES), model_name=widgets.Dropdown(options=MODELS),
                 joint=widgets.Dropdown(options=LSP14.joints, value="right_wrist"), stage=widgets.IntSlider(0, 0, 7), flip=False);""",
"md:The same call without widgets, for a fixed choice (this is what the test suite checks):",
"""pred = run(IMAGES[0], MODELS[0], "right_wrist", 0)
print("stages:", pred.output.num_stages, "keypoints (image px):", pred.keypoints[:, :2].round(1).tolist()[:3])""",
])

make("notebooks/02_receptive_field.ipynb", [
"md:# Receptive fields\n\nThe theoretical receptive field (RF) of a unit is every input pixel it could depend on; CPM's paper argues that accuracy rises as later stages see more of the image (its stage 2 sees ≈ 400 px at 368 px input). The **effective** RF (Luo et al., NeurIPS 2016) is where the gradient really lands.",
"""from pathlib import Path
import pandas as pd
from poseviz import zoo
from poseviz.models import create_model
from poseviz.receptive_field import receptive_fields, stage_receptive_fields
from poseviz.plots.receptive import rf_growth_figure, erf_figure
from poseviz.erf import stage_erfs
from poseviz.image_io import load_image
from poseviz.inference import predict_person
from poseviz.pretrained import load_pretrained""",
"md:## Theoretical RF per stage of the paper's CPM (368 × 368)",
"""cpm = create_model("cpm")
table = pd.DataFrame([{"stage": r.name, "RF (px)": r.rf.size, "jump (px)": r.rf.jump} for r in stage_receptive_fields(cpm)])
table""",
"""tables = {n: receptive_fields(zoo.build(n)) for n in zoo.list_zoo()}
tables["CPM paper"] = receptive_fields(cpm)
rf_growth_figure(tables, input_size=128).show()""",
"md:## Effective RF of every stage, trained vs random weights",
"""name = zoo.shipped_models()[0]
model = load_pretrained(name)
img = load_image(Path("..") / ".." / "shared" / "data" / "lsp" / "images" / "im1001.jpg")
h, w = img.rgb.shape[:2]
pred = predict_person(model, img.rgb, (0, 0, w, h))
erfs = stage_erfs(model, name, pred.crop, joint=pred.schema.index("right_wrist"))
erf_figure(pred.crop, erfs.trained, erfs.stage_names, erfs.rf_sizes).show()
erf_figure(pred.crop, erfs.random, erfs.stage_names, erfs.rf_sizes).show()
pd.DataFrame(erfs.table())""",
])

make("notebooks/03_nonlocal_attention.ipynb", [
"md:# Non-local attention\n\nThe shipped `hrnet_nl_lsp` has an embedded-Gaussian non-local block (Wang et al. 2018) on its stage-3, 1/8-resolution branch. Its `PoseOutput.attention` is the full [N, N] matrix: row *q* is where query position *q* looks. GCNet (Cao et al. 2019) observed that these rows are nearly identical for all queries; we measure it with the mean Jensen–Shannon divergence between query maps.",
"""from pathlib import Path
import numpy as np
from poseviz.pretrained import load_pretrained
from poseviz.image_io import load_image
from poseviz.inference import predict_person
from poseviz.geometry import apply_affine
from poseviz.attention import grid_cell, query_map, top_k, entropy_map, mean_attention, query_dependence
from poseviz.plots.attention import attention_maps_figure

model = load_pretrained("hrnet_nl_lsp")
img = load_image(Path("..") / ".." / "shared" / "data" / "lsp" / "images" / "im1010.jpg")
h, w = img.rgb.shape[:2]
pred = predict_person(model, img.rgb, (0, 0, w, h))
att, hw = pred.output.attention[0].numpy(), pred.output.attention_hw
print("attention", att.shape, "grid", hw, "rows sum to", att.sum(-1).min().round(6), "…", att.sum(-1).max().round(6))""",
"md:One query per joint, at the joint's predicted location:",
"""crop_kp = apply_affine(pred.keypoints[:, :2], pred.transform.matrix)
size = (pred.crop.shape[1], pred.crop.shape[0])
cells = [grid_cell(tuple(p), size, hw) for p in crop_kp]
maps = [query_map(att, hw, c) for c in cells]
attention_maps_figure(pred.crop, maps, list(pred.schema.joints), cells, hw, top=[top_k(m, 5) for m in maps]).show()""",
"""ent = entropy_map(att, hw)
print(f"mean entropy {ent.mean():.3f} nats (uniform would be {np.log(att.shape[1]):.3f})")
print(f"query dependence (mean JS divergence): {query_dependence(att):.5f} nats  (0 = GCNet's query-independent context, ln 2 = {np.log(2):.3f} = disjoint)")
attention_maps_figure(pred.crop, [mean_attention(att, hw)], ["query-averaged attention"], [None], hw).show()""",
])

make("notebooks/04_pooling.ipynb", [
"md:# The pooling laboratory\n\nEvery pooling in `poseviz.pooling` shares one signature. Here: what each keeps, what max-unpooling recovers, where the gradient flows, and where the popular adaptive-pooling shortcut differs from PyTorch.",
"""import numpy as np, torch, cv2
from pathlib import Path
from poseviz.image_io import load_image
from poseviz.pooling import pool, pool_gradient, unpool_roundtrip, selection_mask, adaptive_windows, formula_windows, adaptive_formula_agrees, POOLINGS
from poseviz.plots.pooling import pooling_figure, adaptive_windows_figure

img = load_image(Path("..") / ".." / "shared" / "data" / "lsp" / "images" / "im1001.jpg")
grey = cv2.resize(cv2.cvtColor(img.rgb, cv2.COLOR_RGB2GRAY), (40, 48)).astype(np.float64) / 255
x = torch.from_numpy(grey)[None, None]
for kind in POOLINGS:
    out = pool(x, kind, 2, 2, output_size=6).output
    print(f"{kind:<13} output {tuple(out.shape[-2:])}  mean {out.mean():.4f}")""",
"""res = pool(x, "max", 2, 2)
pooling_figure({"input": grey, "max-pooled": res.output[0, 0].numpy(), "selected": selection_mask(res.selected[0, 0], grey.shape),
                "gradient": pool_gradient(x, "max", kernel=2)[0, 0].numpy()}).show()
u = unpool_roundtrip(x, 2)
print(f"max-unpool keeps {100 * u.kept_fraction:.1f} % of positions; reconstruction MSE {u.mse:.5f}")""",
"""print("sizes where stride=floor(in/out), kernel=in-(out-1)*stride matches PyTorch (out = 4):",
      [n for n in range(4, 30) if adaptive_formula_agrees(n, 4)])
adaptive_windows_figure(adaptive_windows(10, 4), formula_windows(10, 4), 10).show()""",
])
