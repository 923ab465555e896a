"""Video file: a model run through a clip frame by frame; scrub through every stage, follow a joint over time."""
import hashlib

import cv2
import streamlit as st

from app.display import chart, skeleton
from app.state import SharedStore, gallery, get_model, open_in_explore
from poseviz.inference.person_boxes import BOTTOM_UP_FINDER, default_box
from poseviz.io.images import load_image
from poseviz.models import zoo
from poseviz.plots import belief_maps_figure, stage_peaks
from poseviz.plots.video import trajectory_figure
from poseviz.video import VideoError, analyse_video, auto_every, coco_results_json, keypoints_csv, overlay_video, probe
from poseviz.video.decode import DEFAULT_MAX_FRAMES, MAX_VIDEO_BYTES
from poseviz.video.encode import encode_video, panning_clip

st.title("Video file")
st.caption("Run a model through a video: the person is tracked from frame to frame. Scrub to any frame to see every "
           "stage, and follow a joint's position and belief over time — dips in belief often coincide with occlusions (peak belief is a network's confidence, not a calibrated "
           "visibility signal).")
RESULTS_KEPT = 4  # analyses kept for all visitors together (each ≤ ~40 MB)


@st.cache_resource
def _store() -> SharedStore:
    return SharedStore(RESULTS_KEPT)


@st.cache_data(max_entries=2, show_spinner="Making the sample clip…")
def _sample_clip(name: str) -> bytes:
    return encode_video(panning_clip(load_image(gallery()[name].read_bytes()).rgb, 90), 30)


@st.cache_data(max_entries=8, show_spinner=False)
def _facts(key: str, _data: bytes):
    """(digest, VideoInfo) of a video, once per file: hashing 100 MB on every scrubber move would cost ~0.2 s."""
    return hashlib.sha256(_data).hexdigest()[:16], probe(_data)


st.sidebar.subheader("Video")
source = st.sidebar.radio("Source", ["Upload", "Sample clip"], horizontal=True, key="video_source")
if source == "Upload":
    up = st.sidebar.file_uploader(f"Video file (≤ {MAX_VIDEO_BYTES // 2**20} MB)", type=["mp4", "webm", "mov", "mkv", "avi", "m4v"], key="video_upload",
                                  max_upload_size=MAX_VIDEO_BYTES // 2**20)
    if up is None:
        st.info("Upload a video (mp4, webm, mov, mkv, avi), or pick **Sample clip** in the sidebar.")
        st.stop()
    data, video_name, data_key = up.getvalue(), up.name, up.file_id
else:
    photos = list(gallery())
    if not photos:
        st.info("No gallery photos to make a sample clip from: upload a video instead.")
        st.stop()
    pick = st.sidebar.selectbox("Made from the photo", photos, index=photos.index("Astronaut (scikit-image)") if "Astronaut (scikit-image)" in photos else 0, key="video_sample")
    data, video_name, data_key = _sample_clip(pick), f"sample clip of {pick}", f"sample {pick}"
try:
    digest, info = _facts(data_key, data)
except VideoError as exc:
    st.error(f"This video cannot be used: {exc}")
    st.stop()
st.caption(f"{video_name}: {info.width}×{info.height} px, {info.fps:.1f} frames/s, about {info.frames} frames ({info.duration_s:.1f} s), {info.codec}")

names = zoo.shipped_models(None)
st.sidebar.subheader("Analysis")
name = st.sidebar.selectbox("Network", names, key="video_model", index=names.index(zoo.fastest_model()), format_func=lambda n: f"{n} — {zoo.ZOO[n].description}")
flip = st.sidebar.toggle("Flip test", value=False, key="video_flip")
max_frames = st.sidebar.number_input("Read at most (frames)", 10, DEFAULT_MAX_FRAMES, min(DEFAULT_MAX_FRAMES, max(10, info.frames or DEFAULT_MAX_FRAMES)), key="video_max")
every = st.sidebar.number_input("Analyse every k-th frame", 1, 60, auto_every(info, max_frames), key=f"video_every_{digest}",
                                help="The default keeps at most 450 analysed frames.")
key = (digest, name, int(every), flip, int(max_frames))
store = _store()
result = store.get(key)
if result is None:
    if st.session_state.pop("video_running", None) == key:
        st.warning("The analysis was cancelled (or interrupted by a change of setting). Press Analyse to run it again.")
    if not st.button("Analyse", type="primary", key="video_go"):
        st.stop()
    st.button("Cancel", key="video_cancel", help="Stops the analysis; nothing is kept.")
    st.session_state["video_running"] = key
    bar = st.progress(0.0, text="Looking for the person…")
    finder = get_model(BOTTOM_UP_FINDER) if BOTTOM_UP_FINDER in names else None
    try:
        result = analyse_video(data, get_model(name), name, every=int(every), flip=flip, max_frames=int(max_frames),
                               detector=lambda rgb: default_box(rgb, finder),
                               progress=lambda d, t: bar.progress(min(d / t, 1.0), text=f"Frame {d} of about {t}"))
    except VideoError as exc:
        st.session_state.pop("video_running", None)
        st.error(f"This video cannot be used: {exc}")
        st.stop()
    st.session_state.pop("video_running", None)
    store.put(key, result)
    st.rerun()  # redraw without the progress bar and the Cancel button

for note in result.notes:
    st.info(note)
n = len(result.frames)
c1, c2, c3, c4 = st.columns(4)
c1.metric("Frames analysed", n)
c2.metric("Every k-th frame", result.every)
c3.metric("Processing speed", f"{result.frames_per_second:.1f} frames/s")
c4.metric("Person searches", sum(f.source != "tracked" for f in result.frames))

schema = result.schema
joint = st.selectbox("Joint", range(len(schema.joints)), format_func=lambda i: schema.joints[i], key="video_joint",
                     index=schema.joints.index("right_wrist") if "right_wrist" in schema.joints else 0)
i = st.select_slider("Frame", options=list(range(n)), key=f"video_frame_{digest}",
                     format_func=lambda j: f"{result.frames[j].index} ({result.frames[j].time_s:.2f} s)")
frame = result.frames[i]
pred = result.prediction(i, get_model(name))
image = result.image(i)
left, right = st.columns([1, 2])
left.image(skeleton(image, frame.keypoints, schema, min_score=0.05),
           caption=f"Frame {frame.index} at {frame.time_s:.2f} s (person {frame.source})", width="stretch")
maps = pred.stage_maps[:, joint]
chart(right, belief_maps_figure(pred.crop, maps, pred.stage_names, 0.65, True, peaks=stage_peaks(maps, pred.stride)[:, :2],
                                      photo=pred.photo_view(image)), width="stretch", key="video_stages")
drops = result.confidence_drops(joint)
chart(st, trajectory_figure(result.times, result.file_keypoints[:, joint], drops, schema.joints[joint], frame.time_s),
                width="stretch", key="video_trajectory")
st.caption(f"Drops: frames where {schema.joints[joint]}'s peak belief is under half its median over the clip or under 0.1 — "
           f"{int(drops.sum())} of {n}" + (f", first at {result.times[drops][0]:.2f} s." if drops.any() else "."))
if st.button("Open this frame in Explore", key="video_freeze"):
    ok, png = cv2.imencode(".png", cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    open_in_explore(png.tobytes(), f"frame {frame.index} of {video_name}", name, flip)

st.subheader("Downloads")
d1, d2, d3 = st.columns(3)
stem = video_name.rsplit(".", 1)[0].replace(" ", "_")
d1.download_button("Keypoints (COCO results JSON)", coco_results_json(result), file_name=f"{stem}_{name}.json", mime="application/json")
d2.download_button("Keypoints (CSV)", keypoints_csv(result), file_name=f"{stem}_{name}.csv", mime="text/csv")
mp4_key = ("mp4",) + key
mp4 = store.get(mp4_key)
if mp4 is None:
    if d3.button("Make the overlay video (mp4)", key="video_mp4"):
        with st.spinner("Encoding the overlay…"):
            store.put(mp4_key, overlay_video(result))
        st.rerun()
else:
    d3.download_button("Overlay video (mp4)", mp4, file_name=f"{stem}_{name}_overlay.mp4", mime="video/mp4")
