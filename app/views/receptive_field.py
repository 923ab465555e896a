"""Receptive field: how far each stage can see, in theory and in practice."""
import pandas as pd
import streamlit as st

from app.display import chart
from app.state import confidence_warning, get_model, image_and_person_ui, predict_cached
from poseviz.cards.ablations import load_ablations, matched_finding, rf_finding
from poseviz.explain.erf import stage_erfs
from poseviz.explain.receptive_field import receptive_fields
from poseviz.models import create_model, zoo
from poseviz.plots.receptive import erf_figure, rf_accuracy_figure, rf_growth_figure

st.title("Receptive field")
st.caption("The theoretical receptive field is every input pixel a unit could depend on; the effective one "
           "(Luo et al. 2016) is where the gradient actually lands — usually a much smaller, Gaussian-like blob.")

PAPER = {"CPM (paper, 6 stages, 368 px)": ("cpm", {}), "Hourglass (paper, 8 stacks)": ("hourglass", {"num_stacks": 8}),
         "HRNet-W32 (paper)": ("hrnet", {"width": 32})}


@st.cache_data(max_entries=16, show_spinner=False)
def rf_table(kind: str, name: str):
    model = zoo.build(name) if kind == "zoo" else create_model(PAPER[name][0], **PAPER[name][1])
    return receptive_fields(model)


# Single networks only: an ensemble's members each have their own field (listed here).
networks = zoo.list_networks(task=None)
shipped = zoo.shipped_networks(task=None)
tables = {n: rf_table("zoo", n) for n in networks}
if st.toggle("Include the papers' full-size configurations", value=False):
    tables.update({n: rf_table("paper", n) for n in PAPER})
chart(st, rf_growth_figure(tables, input_size=128), width="stretch")

name = st.selectbox("Model", shipped or networks, key="rf_model")
rows = tables[name]
stage_rows = [r for r in rows if r.stage_output]
st.dataframe(pd.DataFrame([{"stage": r.name, "depth": r.depth, "RF (px)": r.rf.size, "jump (px)": r.rf.jump,
                            "sees the whole 128 px crop": r.rf.size >= 128} for r in stage_rows]), hide_index=True)
with st.expander("Every layer"):
    st.dataframe(pd.DataFrame([{"layer": r.name, "depth": r.depth, "RF (px)": r.rf.size, "jump (px)": r.rf.jump,
                                "start (px)": r.rf.start} for r in rows]), hide_index=True)

ablations = load_ablations()
if ablations:
    st.subheader("Does seeing more help? Measured")
    rf = ablations["receptive_field"]
    st.caption(f"Every stage of a 6-stage CPM trained on LSP + LSP Extended + MPII ({rf['model']}, {rf['epochs']} epochs): "
               f"each stage's own belief maps scored alone. {rf_finding(rf['stages'])} Details and the commands to rerun: "
               "assets/ablations.md.")
    chart(st, rf_accuracy_figure(rf["stages"]), width="stretch")
    st.caption(f"HRNet against Stacked Hourglass with the same number of parameters, trained from scratch alike. "
               f"{matched_finding(ablations['matched'])}")
    st.dataframe(pd.DataFrame([{"model": m["model"], "parameters": m["params"], "epochs × people": f"{m['epochs']} × {m['epoch_size']}", "GFLOPs": m["gflops"], "ms per crop": m["median_ms_per_crop"],
                                "best validation score %": m["best_val_score"], "LSP test PCK@0.2 (flip) %": m["lsp_test_pck_flip"],
                                "COCO OKS-AP": m["coco_ap_flip"], "MPII PCKh@0.5 %": m["mpii_pckh_flip"]} for m in ablations["matched"]]),
                 hide_index=True)

st.subheader("Effective receptive field on your image")
if name not in shipped:
    st.info("This model has no trained weights yet, so only its theoretical field is shown.")
    st.stop()
image, box = image_and_person_ui()
model = get_model(name, fast=False)  # walks the layers
res = predict_cached(image.digest, image.rgb, name, model, box, False, "dark")
confidence_warning(res.keypoints)
schema = res.schema
joint = st.selectbox("Joint (the unit probed is that joint's peak in each stage)", schema.joints, key="rf_joint")


@st.cache_data(max_entries=16, show_spinner="Back-propagating to the pixels…")
def erfs(digest: str, model_name: str, box: tuple, joint: int, _crop, _model):
    return stage_erfs(_model, model_name, _crop, joint)


e = erfs(image.digest, name, box, schema.index(joint), res.crop, model)
chart(st, erf_figure(res.crop, e.trained, [f"trained: {n}" for n in e.stage_names], e.rf_sizes), width="stretch")
chart(st, erf_figure(res.crop, e.random, [f"random init: {n}" for n in e.stage_names], e.rf_sizes), width="stretch")
st.dataframe(pd.DataFrame(e.table()), hide_index=True)
