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
# # Belief maps, stage by stage
#
# Every PoseViz model returns the belief maps of **all** its stages (`PoseOutput.stages`). This notebook shows how one joint's belief sharpens from stage to stage — the intermediate supervision of CPM and the Stacked Hourglass — using the same figure functions as the app.

# %%
import ipywidgets as widgets
from poseviz.data.root import data_root, dataset_dir
from poseviz import zoo
from poseviz.image_io import load_image
from poseviz.inference import predict_person
from poseviz.plots import belief_maps_figure, stage_peak_table, joint_grid_figure
from poseviz.pretrained import load_pretrained

DATA = dataset_dir("lsp") / "images"
IMAGES = sorted(DATA.glob("im10[0-4]*.jpg"))[:10]
MODELS = zoo.shipped_models()
print(len(IMAGES), "images;", "models:", MODELS)

# %% [markdown]
# Pick an image, a model, a joint and a stage. The first figure shows the chosen joint in every stage (one colour scale); the table says where its peak sits and how far it moved; the second shows all joints of the chosen stage.

# %%
_models = {}

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
                 joint=widgets.Dropdown(options=LSP14.joints, value="right_wrist"), stage=widgets.IntSlider(0, 0, 7), flip=False);

# %% [markdown]
# The same call without widgets, for a fixed choice (this is what the test suite checks):

# %%
pred = run(IMAGES[0], MODELS[0], "right_wrist", 0)
print("stages:", pred.output.num_stages, "keypoints (image px):", pred.keypoints[:, :2].round(1).tolist()[:3])
