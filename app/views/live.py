"""Live camera: every stage's belief maps of one joint, frame by frame, from the browser's camera."""
import cv2
import streamlit as st

from app.state import get_model, open_in_explore
from poseviz.inference.person_boxes import BOTTOM_UP_FINDER, default_box
from poseviz.inference.top_down import model_schema
from poseviz.live import LiveProcessor, PersonTracker
from poseviz.live.frame import LAYOUTS
from poseviz.live.rtc import RTC_CONFIGURATION, allow_loopback_candidates
from poseviz.models import zoo
from poseviz.models.protocol import predicts_charts, predicts_pafs

st.title("Live camera")
st.caption("Move in front of the camera and watch each stage of the network change its mind. The person is tracked "
           "from the previous frame's joints and searched again when the belief drops. Frame rate and time per frame "
           "are printed on the video.")

try:
    from streamlit_webrtc import WebRtcMode, webrtc_streamer
except ImportError:  # requirements.txt installs it; an app started from another environment may lack it
    st.error("Live mode needs the streamlit-webrtc package: `pip install -r requirements.txt`.")
    st.stop()

names = zoo.shipped_models(None)
if not names:
    st.error("No trained weights are in assets/.")
    st.stop()
st.sidebar.subheader("Model")
name = st.sidebar.selectbox("Network", names, key="live_model", index=0,
                            format_func=lambda n: f"{n} — {zoo.ZOO[n].description}",
                            help=f"The default is the zoo's most accurate real-time model; {zoo.fastest_model()} is the fastest.")
model = get_model(name)
schema = model_schema(model)
st.sidebar.subheader("View")
joint = st.sidebar.selectbox("Joint", range(len(schema.joints)), format_func=lambda i: schema.joints[i], key="live_joint",
                             index=schema.joints.index("right_wrist") if "right_wrist" in schema.joints else 0)
layout = st.sidebar.radio("Stages", LAYOUTS, index=LAYOUTS.index("beside"), horizontal=True, key="live_layout",
                          help="Beside keeps the whole view on one screen; below gives each stage more room.",
                          format_func=lambda v: {"below": "below the video", "beside": "beside the video"}[v])
flip = st.sidebar.toggle("Flip test", value=False, key="live_flip", help="Average with the mirrored crop (about twice the time per frame).")
extras = ["none"] + (["paf"] if predicts_pafs(model) else []) + (["parts"] if predicts_charts(model) else [])
extra = st.sidebar.radio("Extra panel", extras, horizontal=True, key=f"live_extra_{'_'.join(extras)}",
                         format_func=lambda v: {"none": "none", "paf": "part affinity field", "parts": "dense part colours"}[v])
limb = 0
if extra == "paf":
    limb = st.sidebar.selectbox("Limb", range(len(schema.skeleton)), key="live_limb",
                                format_func=lambda i: f"{schema.joints[schema.skeleton[i][0]]} → {schema.joints[schema.skeleton[i][1]]}")


@st.cache_resource(show_spinner=False)
def _finder():
    return get_model(BOTTOM_UP_FINDER) if BOTTOM_UP_FINDER in names else None


if "live_processor" not in st.session_state:
    finder = _finder()
    st.session_state.live_processor = LiveProcessor(model, PersonTracker(lambda rgb: default_box(rgb, finder)))
processor: LiveProcessor = st.session_state.live_processor
processor.configure(model, joint=joint, layout=layout, flip=flip, extra=extra, limb=limb)


def on_frame(frame):
    import av  # streamlit-webrtc's own dependency

    out = processor.process(frame.to_ndarray(format="rgb24"))
    return av.VideoFrame.from_ndarray(out, format="rgb24")


allow_loopback_candidates()
ctx = webrtc_streamer(
    key="live", mode=WebRtcMode.SENDRECV, rtc_configuration=RTC_CONFIGURATION, video_frame_callback=on_frame,
    media_stream_constraints={"video": {"width": {"ideal": 640}, "height": {"ideal": 480}}, "audio": False},
    async_processing=True,  # a slow frame is dropped, never queued: the video stays current
    translations={"start": "Start camera", "stop": "Stop"},
)


@st.fragment(run_every=1.0)
def stats():
    m = processor.meter
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Frames processed", m.frames)
    c2.metric("Frame rate", "–" if m.fps != m.fps else f"{m.fps:.1f} fps")
    c3.metric("Time per frame (median)", "–" if m.latency_ms != m.latency_ms else f"{m.latency_ms:.0f} ms")
    c4.metric("Person", processor.tracker.source)
    if processor.error:
        st.error(f"The last frame could not be processed ({processor.error}); the video continues unannotated.")


stats()
if ctx.state.playing or processor.last_frame is not None:
    if st.button("Freeze this frame and open it in Explore", key="live_freeze"):
        frame = processor.last_frame  # read once: the video thread replaces it
        if frame is None:
            st.warning("No frame has arrived from the camera yet.")
        else:
            ok, png = cv2.imencode(".png", cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
            open_in_explore(png.tobytes(), f"live frame {processor.meter.frames}", name, flip)
else:
    st.info("Press **Start camera** and allow the browser to use it. Nothing leaves this machine: the video goes "
            "to the PoseViz server only (no STUN/TURN server is used).")
