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

make("notebooks/05_oks.ipynb", [
"md:# How OKS scores a pose\n\nOKS = Σᵢ exp(−dᵢ²/2s²kᵢ²)·δ(vᵢ>0) / Σᵢ δ(vᵢ>0), s² = the person's area, kᵢ = 2σᵢ. We run a shipped LSP model on every annotated person of the COCO sample (12 shared joints), score each instance, classify each joint's error (Ronchi & Perona 2017) and compute COCO AP — the same functions as the app's OKS laboratory, checked against pycocotools in the tests.",
"""from pathlib import Path
import numpy as np, pandas as pd
from poseviz import zoo
from poseviz.coco import load_coco
from poseviz.image_io import load_image
from poseviz.pretrained import load_pretrained
from poseviz.metrics import coco_keypoint_eval, tolerance_radius
from poseviz.oks_lab import predict_dataset, instances_table, error_totals
from poseviz.plots.oks import oks_instance_image, oks_terms_figure, oks_curves_figure, pr_curve_figure, error_totals_figure

COCO = Path("..") / ".." / "shared" / "data" / "coco-mini"
gt = load_coco(COCO / "annotations" / "person_keypoints_train2017.json")
model = load_pretrained(zoo.shipped_models()[0])
instances, data, sigmas = predict_dataset(model, gt, lambda im: load_image(COCO / "train2017" / im["file_name"], max_side=None).rgb, progress=False)
names = data["categories"][0]["keypoints"]
print(len(instances), "people scored on", len(names), "joints")""",
"""results = [{"image_id": i.image_id, "category_id": 1, "keypoints": np.column_stack([i.pred[:, :2], np.ones(len(i.pred))]).ravel().tolist(),
            "score": float(i.pred[:, 2].mean())} for i in instances]
ev = coco_keypoint_eval(data, results, sigmas)
print({k: round(v, 3) for k, v in ev.as_dict().items()})
print("error totals:", error_totals(instances))
pr_curve_figure(ev.precision).show()""",
"md:The best instance, its tolerance rings (OKS term 0.5 / 0.75 / 0.95) and its per-joint terms:",
"""best = max(instances, key=lambda i: i.oks)
img = load_image(COCO / "train2017" / gt.image(best.image_id)["file_name"], max_side=None).rgb
import plotly.express as px
px.imshow(oks_instance_image(img, best.gt, best.pred, best.area, sigmas, best.errors, best.bbox)).show()
oks_terms_figure(names, best.terms, best.errors, best.oks).show()
oks_curves_figure(names, sigmas, best.area).show()
print(f"best instance OKS {best.oks:.3f}; wrist radius at term 0.5: {tolerance_radius(best.area, sigmas[names.index('left_wrist')], 0.5):.1f} px")
pd.DataFrame(instances_table(instances)).head()""",
])

make("notebooks/06_occlusion.ipynb", [
"md:# Occlusion\n\nHow much does hiding part of a person hurt, which pixels does a joint's belief depend on, and how do the models do on the joints LSP marks as occluded?",
"""from pathlib import Path
import numpy as np, pandas as pd, plotly.graph_objects as go
from poseviz import zoo
from poseviz.data.lsp import load_lsp, lsp_split, joints_box
from poseviz.evaluation import evaluate_lsp
from poseviz.geometry import box_to_center_scale, crop_transform, warp_crop
from poseviz.inference import DEFAULT_ENLARGE
from poseviz.occlusion import Occluder, apply_occluders, occlusion_sensitivity, integrated_gradients, occlusion_sweep, visibility_accuracy
from poseviz.plots.beliefs import overlay
from poseviz.pretrained import load_pretrained
from poseviz.training.dataset import load_images
import plotly.express as px

data = load_lsp(Path("..") / ".." / "shared" / "data" / "lsp")
idx = lsp_split("test")[:6]  # a handful keeps the notebook quick; the app's sweep takes up to 100
images = load_images(data, idx)
name = zoo.shipped_models()[0]
model = load_pretrained(name)""",
"""c, s = box_to_center_scale(joints_box(data.joints[idx[0]]), 1.0, DEFAULT_ENLARGE)
crop = warp_crop(images[0], crop_transform(c, s, (128, 128)))
sens = occlusion_sensitivity(model, crop, joint=6)
ig = integrated_gradients(model, crop, joint=6)
px.imshow(np.hstack([apply_occluders(crop, [Occluder(40, 30, 40, 30, "grey")]), overlay(crop, np.maximum(sens, 0)), overlay(crop, ig)])).show()""",
"""rows, fig = [], go.Figure()
for m in zoo.shipped_models():
    mdl = load_pretrained(m)
    res = occlusion_sweep(mdl, data, idx, sizes=(0.0, 0.15, 0.3, 0.45), grid=2, images=images, progress=False)
    fig.add_trace(go.Scatter(x=100 * res.sizes, y=res.drop, name=m, mode="lines+markers"))
    ev = evaluate_lsp(mdl, data, idx, images=images, progress=False)
    rows.append({"model": m, **visibility_accuracy(ev.pck.correct, data.joints[idx][..., 2])})
fig.update_layout(xaxis_title="occluder side (% of crop)", yaxis_title="PCK@0.2 drop (points)").show()
print("sweep sizes (% of crop):", (100 * res.sizes).round().tolist())
pd.DataFrame(rows).round(1)""",
])

make("notebooks/07_dense_and_paf.ipynb", [
"md:# Dense correspondence and part affinity fields\n\nTwo more ways to see a body. **DensePose-style charts** give every body pixel a part index I and chart coordinates U, V. **OpenPose-style part affinity fields** (PAFs) give every limb a 2-D unit-vector field, so people can be assembled bottom-up from a whole image.\n\n> The chart model here is trained on **skeleton-derived charts** built from LSP joints (limb capsules, a torso quadrilateral, a head capsule) — not DensePose-COCO, which is not available to this project.",
"""from pathlib import Path
import numpy as np
import plotly.express as px
from poseviz import zoo
from poseviz.bottom_up import predict_people
from poseviz.data.lsp import load_lsp, lsp_split
from poseviz.dense import PARTS, dense_targets
from poseviz.dense_eval import evaluate_dense
from poseviz.heatmaps import input_to_heatmap
from poseviz.image_io import load_image
from poseviz.inference import predict_person
from poseviz.plots.dense import chart_figure, chart_channels_figure
from poseviz.plots.paf import paf_stages_figure, people_image
from poseviz.pretrained import load_pretrained
from poseviz.schemas import LSP14

SHARED = Path("..") / ".." / "shared" / "data"
data = load_lsp(SHARED / "lsp")
dense_model = load_pretrained(zoo.shipped_models("dense")[0])
paf_model = load_pretrained(zoo.shipped_models("paf")[0])""",
"md:## Charts of one LSP test person\n\nParts in colour, then U and V as iso-lines over the crop, as DensePose draws them; below, the raw channels on the head's 64×64 grid.",
"""i = int(lsp_split("test")[3])
img = load_image(data.image_path(i)).rgb
x0, y0 = data.joints[i][:, :2].min(0); x1, y1 = data.joints[i][:, :2].max(0)
pred = predict_person(dense_model, img, (x0, y0, x1 - x0, y1 - y0))
index, u, v = (a[0].numpy() for a in pred.output.dense.charts())
chart_figure(pred.crop, index, u, v).show()
chart_channels_figure(index, u, v).show()
cell = (pred.crop.shape[0] / index.shape[0]) ** 2
for p, name in enumerate(PARTS[1:], start=1):
    print(f"{name:<16} {cell * (index == p).sum():7.0f} crop px²")""",
"md:What the model was taught for this crop: the chart made from the ground-truth skeleton.",
"""gt_crop = pred.transform.to_crop(data.joints[i][:, :2])
t = dense_targets(input_to_heatmap(gt_crop, 2), index.shape)
chart_figure(pred.crop, t.I, t.U, t.V).show()
scores = evaluate_dense(dense_model, data, lsp_split("test")[:10], progress=False)
print(f"mean part IoU on 10 LSP test crops: {100 * scores.miou:.1f} %, U/V error {scores.uv_error:.3f}")""",
"md:## Part affinity fields, bottom-up\n\nOne pass over the whole image; every stage predicts belief maps and PAFs. Pick a limb to see its field sharpen stage by stage.",
"""coco = sorted((SHARED / "coco-mini" / "train2017").glob("*.jpg"))
rgb = load_image(coco[0]).rgb
res = predict_people(paf_model, rgb)
print("people found:", len(res.people), "scores:", np.round(res.scores, 3).tolist())
px.imshow(people_image(rgb, res.people, LSP14)).show()
limb = 1  # right knee → right hip
a, b = res.limbs[limb]
paf_stages_figure(res.image, res.stages, [p[limb] for p in res.pafs], res.limbs[limb],
                  f"{LSP14.joints[a]} → {LSP14.joints[b]}", res.stride).show()
print("largest PAF magnitude per stage:", [round(float(np.hypot(*p[limb]).max()), 2) for p in res.pafs])""",
])
