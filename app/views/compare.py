"""Compare: 2–4 models on the same person — skeletons, disagreement, every stage, latency."""

import pandas as pd
import streamlit as st

from app.display import chart, skeleton
from app.state import confidence_warning, get_model, image_and_person_ui, predict_cached
from poseviz.cards import latencies_ms
from poseviz.explain.disagreement import max_pairwise_distance, shared_joints
from poseviz.models import zoo
from poseviz.plots import belief_maps_figure
from poseviz.plots.disagreement import disagreement_figure
from poseviz.plots.skeleton import draw_crop_box

st.title("Compare models")
image, box = image_and_person_ui()
shipped = zoo.shipped_models(task=None)
# The atlas's "Compare" asks for its models through "cmp_request" (a number and the models): a widget of its own
# key with that default, so no widget ever has its value set behind its back (shown one way, used another).
request = st.session_state.get("cmp_request")
chosen = st.sidebar.multiselect("Models (2–4)", shipped, default=request[1] if request else zoo.comparison_default(),
                                max_selections=4, key=f"cmp_models_{request[0]}" if request else "cmp_models",
                                help="At most four at once: pick another after removing one.")
flip = st.sidebar.toggle("Flip test", value=False, key="cmp_flip")
if len(chosen) < 2:
    st.warning("Pick at least two models in the sidebar.")
    st.stop()

results = {n: predict_cached(image.digest, image.rgb, n, get_model(n), box, flip, "dark") for n in chosen}
for n, r in results.items():
    confidence_warning(r.keypoints, n)
cols = st.columns(len(chosen))
for col, (name, res) in zip(cols, results.items()):
    drawn = draw_crop_box(skeleton(image.rgb, res.keypoints, res.schema), res.transform.inverse,
                          (res.crop.shape[1], res.crop.shape[0]))
    col.image(drawn, caption=f"{name} (cyan: the crop the network saw)", width="stretch")

joints, index = shared_joints([r.schema for r in results.values()])
if joints:
    colour = dict(zip(next(iter(results.values())).schema.joints, next(iter(results.values())).schema.colors))
    dist = max_pairwise_distance([r.keypoints[idx] for r, idx in zip(results.values(), index)])
    st.subheader("Per-joint disagreement")
    st.caption("Largest distance between any two models' predictions of the joint, in image pixels (joints in skeleton order"
               + ("; only the joints every chosen model predicts" if len({r.schema.name for r in results.values()}) > 1 else "")
               + ").")
    chart(st, disagreement_figure(joints, dist, colour), width="stretch")
    joint = st.selectbox("Joint", joints, key="cmp_joint")
    st.subheader(f"Every stage of {joint}, one row per model")
    for (name, res), idx in zip(results.items(), index):
        k = idx[joints.index(joint)]
        # over the photo's own pixels, as on Explore (the network's crop blown up looked pixelated)
        chart(st, belief_maps_figure(res.crop, res.stage_maps[:, k], [f"{name}: {s}" for s in res.stage_names],
                                     photo=res.photo_view(image.rgb)), width="stretch")
else:
    st.info("These models share no joint names; disagreement needs joints every chosen model predicts.")

st.subheader("Latency")


@st.cache_data(max_entries=8, show_spinner="Timing each model on this machine (15 runs each)…")
def _timed(names: tuple[str, ...], flip: bool) -> dict[str, float]:
    return latencies_ms({n: get_model(n) for n in names}, repeats=15, flip=flip)


st.caption("Median ms per crop: measured here, now, on the server running this page (the models timed in turn, so "
           "a busy machine slows them alike), beside each model's card (a quiet 2-core CPU). "
           + ("With flip test: two crops per person." if flip else ""))
here = _timed(tuple(chosen), flip)
card_key = "median_ms_per_crop_flip" if flip else "median_ms_per_crop"
st.dataframe(pd.DataFrame([{"model": n, "stages": len(r.stage_names),
                            "median ms per crop, this server": round(here[n], 1),
                            "median ms per crop, model card": zoo.card_metrics(n).get(card_key)}
                           for n, r in results.items()]), hide_index=True)
