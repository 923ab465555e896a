"""Part affinity fields: OpenPose-style bottom-up pose, stage by stage."""
import time

import numpy as np
import pandas as pd
import streamlit as st

from app.display import chart
from app.state import get_model, image_source_ui
from poseviz.core.schemas import get_schema
from poseviz.inference.bottom_up import DEFAULT_LONG_SIDE, ONE_SCALE, PAPER_SCALES, predict_people
from poseviz.models import zoo
from poseviz.plots.paf import paf_stages_figure, people_image

st.title("Part affinity fields")
st.caption("OpenPose (Cao et al. 2017) predicts, at every stage, belief maps for the joints and a part affinity field "
           "per limb — a 2-D unit vector along the limb. People are assembled bottom-up: peaks per joint, limb scores "
           "from the PAF's line integral between two peaks, greedy matching, chaining into skeletons.")

names = zoo.shipped_models("paf")
if not names:
    st.warning("No OpenPose-style model has trained weights in assets/ yet.")
    st.stop()
image = image_source_ui()
if image is None:
    st.stop()
name = st.sidebar.selectbox("Model", names, key="paf_model", format_func=lambda n: f"{n} — {zoo.ZOO[n].description}")
long_side = st.sidebar.slider("Network input, long side (px)", 128, 512, DEFAULT_LONG_SIDE, 32, key="paf_long",
                              help="People should be roughly as large as in the 128 px training crops.")
threshold = st.sidebar.slider("Peak threshold (belief)", 0.02, 0.5, 0.1, 0.01, key="paf_thr")
multi = st.sidebar.checkbox(f"Search {len(PAPER_SCALES)} scales (×{', '.join(f'{s:g}' for s in PAPER_SCALES)})", True, key="paf_multi",
                            help="OpenPose's test-time scale search: the photo also runs at those multiples of the long side and the "
                                 "last stage's maps are averaged before grouping, so both small and large people are found. "
                                 "Off: one run at the long side (several times faster).")
scales = PAPER_SCALES if multi else ONE_SCALE


@st.cache_data(max_entries=16, show_spinner="Running the network and grouping…")
def run(digest: str, name: str, long_side: int, threshold: float, scales: tuple[float, ...], _rgb: np.ndarray):
    t0 = time.perf_counter()
    res = predict_people(get_model(name), _rgb, long_side, threshold, scales=scales)
    return res, 1000 * (time.perf_counter() - t0)


res, ms = run(image.digest, name, long_side, threshold, scales, image.rgb)
schema = get_schema(zoo.ZOO[name].kwargs.get("schema", "lsp14"))
st.metric("People found", len(res.people))
st.image(people_image(image.rgb, res.people, schema), caption=f"{len(res.people)} {'person' if len(res.people) == 1 else 'people'}, one colour each "
         f"(numbered by score); {ms:.0f} ms for network + grouping", width=min(900, image.rgb.shape[1]))
people_table = st.container()  # one slot with or without people, so the widgets below keep their state
if len(res.people):
    people_table.dataframe(pd.DataFrame([{"person": i + 1, "score": round(float(s), 3), "joints found": int((p[:, 2] > 0).sum())}
                               for i, (p, s) in enumerate(zip(res.people, res.scores))]), hide_index=True, key="paf_people")

st.subheader("Every stage: belief maps and the PAF of one limb")
limb_names = [f"{schema.joints[a]} → {schema.joints[b]}" for a, b in res.limbs]
li = st.selectbox("Limb", range(len(res.limbs)), format_func=lambda i: limb_names[i], key="paf_limb")
min_norm = st.slider("Hide arrows shorter than", 0.0, 1.0, 0.1, 0.05, key="paf_min_norm")
pafs = [p[li] for p in res.pafs]
chart(st, paf_stages_figure(res.image, res.stages, pafs, res.limbs[li], limb_names[li], res.stride,
                                  min_norm=min_norm, stage_names=res.stage_names), width="stretch")
norms = res.paf_peak_norms(li)
st.caption("Largest PAF magnitude per stage (1 = a confident unit vector): " + ", ".join(f"{s}: {n:.2f}" for s, n in zip(res.stage_names, norms))
           + (". The people above were grouped on the last column, the mean of the scales." if len(res.scales) > 1 else ""))
