"""Shared loading, caching and widget groups for every page.

Models are cached once per process (``st.cache_resource``, read-only, shared by all
users); per-image results are cached by image hash + model + options with a bounded
``max_entries`` so changing a stage, joint or opacity never re-runs a network.
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import streamlit as st

from poseviz.core.errors import PoseVizInputError
from poseviz.data.paths import is_inside, resolve_inside
from poseviz.data.root import data_root
from poseviz.data.samples import sample_images
from poseviz.gallery import credit_for
from poseviz.inference.confidence import confidence_message
from poseviz.inference.person_boxes import BOTTOM_UP_FINDER, PersonCandidate, default_person, person_candidates, whole_image_box
from poseviz.inference.yolox import detector_status
from poseviz.inference.top_down import Prediction, predict_person
from poseviz.io.images import check_person_photo, load_image
from poseviz.models import zoo
from poseviz.models.fast_inference import for_inference
from poseviz.models.pretrained import load_pretrained, load_state_dict_checked, read_state_dict
from poseviz.plots.candidates import candidates_image

ROOT = Path(__file__).resolve().parents[1]
USER_CHECKPOINT = "Your checkpoint…"
FOLDER_CHECKPOINT = "A checkpoint in the data root…"
CHECKPOINT_SUFFIXES = (".pth", ".pt", ".tar", ".safetensors", ".bin")
# Images, checkpoints and annotation files: 20 MB each (checked by the browser). The server accepts up to
# .streamlit/config.toml's maxUploadSize (100 MB), which only the Video page's uploader uses.
UPLOAD_MB = 20
FROZEN_FRAME = "frozen_frame"  # (PNG bytes, name) of the frame frozen on the Live or Video page


def open_person(page: str, png: bytes, name: str, box: tuple[float, float, float, float], models: dict) -> None:
    """Open ``page`` on an image (PNG bytes, not to be downscaled: at most the loader's side limit) with the
    person box typed in and the page's model widgets (``models``: key → value) set."""
    st.session_state[FROZEN_FRAME] = (png, name)
    st.session_state["img_source"] = "Frozen frame"
    digest = hashlib.sha256(png).hexdigest()[:16]
    st.session_state[f"person_{digest}"] = MANUAL_BOX
    for k, v in zip("xywh", box):
        st.session_state[f"person_{k}"] = int(round(v))
    st.session_state.update(models)
    st.switch_page(page)


def open_in_explore(png: bytes, name: str, model: str, flip: bool) -> None:
    """Open a frozen frame in Explore with the model and flip setting it was analysed with."""
    st.session_state[FROZEN_FRAME] = (png, name)
    st.session_state["img_source"] = "Frozen frame"
    st.session_state["model"] = model
    st.session_state["explore_flip"] = flip
    st.switch_page("views/explore.py")


@dataclass(frozen=True)
class ImageChoice:
    rgb: np.ndarray
    name: str
    digest: str
    scale: float  # processed / original pixels
    warnings: tuple[str, ...] = ()
    path: Path | None = None  # the gallery file it came from (None for uploads and the camera)


class SharedStore:
    """A bounded, thread-safe cache shared by every session: the oldest entry goes when a new one would
    exceed ``size`` (a video analysis is tens of MB; the server's memory must stay bounded)."""

    def __init__(self, size: int) -> None:
        self.size, self._items, self._lock = size, OrderedDict(), threading.Lock()

    def get(self, key):
        """The value stored under ``key`` (now the most recent), or None."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
            return self._items.get(key)

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


def gallery() -> dict[str, Path]:
    """Sample images: photos scikit-image ships, plus LSP test and COCO images in the data root."""
    return sample_images()


def _keep_last(slot: str, data: bytes | None, name: str | None) -> tuple[bytes | None, str | None]:
    """The new upload, or the last one while the uploader is empty.

    Replacing a file makes Streamlit run the page once with no file; stopping the page then would
    unmount every widget below, and the browser would redraw them at their defaults while the
    server kept the old choices (what is shown would not be what is used). Keeping the last image
    for that run avoids the gap; a removed file keeps showing, with a caption saying so.
    """
    if data is not None:
        st.session_state[slot] = (data, name)
        return data, name
    if slot in st.session_state:
        data, name = st.session_state[slot]
        st.sidebar.caption(f"Showing your image {name} (every page uses it); add another to replace it.")
    return data, name


@st.cache_data(max_entries=16, show_spinner=False)
def _decode(data: bytes, name: str) -> ImageChoice:
    img = load_image(data)
    notes = tuple(check_person_photo(img.rgb, img.original_size))
    return ImageChoice(img.rgb, name, hashlib.sha256(data).hexdigest()[:16], img.scale, notes)


IMAGE_KEY = "img"  # every page's image widgets share these keys: the photo chosen on one page is on every page


def carry_over(key: str) -> None:
    """Keep widget ``key``'s value across pages.

    Streamlit forgets a widget's state on a page that does not draw it, and a widget of the same key on another
    page starts at its default. Re-assigning the value before the widget is drawn makes it a plain session value
    the widget picks up (the documented multipage pattern); a copy under another name survives pages that draw
    no such widget (Live, Data).
    """
    copy = f"_carried_{key}"
    if key in st.session_state:
        st.session_state[key] = st.session_state[key]
    elif copy in st.session_state:
        st.session_state[key] = st.session_state[copy]


def remember(key: str) -> None:
    """Store the value widget ``key`` was drawn with, for ``carry_over`` on the next page."""
    if key in st.session_state:
        st.session_state[f"_carried_{key}"] = st.session_state[key]


def image_source_ui() -> ImageChoice | None:
    """Sidebar: upload / gallery / camera / frozen frame → the chosen image, or None with a message shown.

    One choice for the whole session: every page draws these widgets under the same keys and carries their
    values over, so an upload on one page is the image of every other page until the user changes it.
    """
    key = IMAGE_KEY
    st.sidebar.subheader("Image")
    for k in (f"{key}_source", f"{key}_gallery"):
        carry_over(k)
    options = ["Gallery", "Upload", "Camera"] + (["Frozen frame"] if FROZEN_FRAME in st.session_state else [])
    if st.session_state.get(f"{key}_source") not in options:  # e.g. a frozen frame from an earlier session state
        st.session_state.pop(f"{key}_source", None)
    source = st.sidebar.radio("Source", options, horizontal=True, key=f"{key}_source")
    remember(f"{key}_source")
    data, name, path = None, None, None
    if source == "Frozen frame":
        data, name = st.session_state[FROZEN_FRAME]
        st.sidebar.caption(f"The {name} you froze; freeze another on the Live camera or Video file page.")
    elif source == "Upload":
        up = st.sidebar.file_uploader("Image file", type=["jpg", "jpeg", "png", "webp", "bmp", "tif", "tiff"], key=f"{key}_upload",
                                   max_upload_size=UPLOAD_MB)
        if up is not None:
            data, name = up.getvalue(), up.name
        data, name = _keep_last(f"{key}_last_upload", data, name)
    elif source == "Camera":
        shot = st.sidebar.camera_input("Take a picture", key=f"{key}_camera")
        if shot is not None:
            data, name = shot.getvalue(), "camera"
        data, name = _keep_last(f"{key}_last_shot", data, name)
    else:
        items = gallery()
        if not items:
            st.sidebar.info("No sample images found (scikit-image is not installed and the data root has none): upload one instead.")
            return None
        if st.session_state.get(f"{key}_gallery") not in items:
            st.session_state.pop(f"{key}_gallery", None)
        choice = st.sidebar.selectbox("Sample", list(items), key=f"{key}_gallery")
        remember(f"{key}_gallery")
        data, name, path = items[choice].read_bytes(), choice, items[choice]
        credit = credit_for(path)
        if credit:  # CC BY / BY-SA photos must carry their attribution wherever they are shown
            st.sidebar.caption(credit)
    if data is None:
        st.info("Choose an image in the sidebar: upload one, take a photo, or pick a sample.")
        return None
    try:
        choice = dataclasses.replace(_decode(data, name), path=path)
    except PoseVizInputError as exc:
        st.error(f"This image cannot be used: {exc}")
        return None
    with st.container():  # one slot whatever the count, so widgets below keep their place (and state) in the page
        for note in choice.warnings:
            st.warning(note)
    return choice


@st.cache_data(max_entries=32, show_spinner="Looking for people…")
def _candidates(digest: str, _rgb: np.ndarray) -> list[PersonCandidate]:
    if detector_status() is None:
        return person_candidates(_rgb)
    finder = get_model(BOTTOM_UP_FINDER) if BOTTOM_UP_FINDER in zoo.shipped_models(None) else None
    return person_candidates(_rgb, finder)


WHOLE_IMAGE, DRAW_BOX, MANUAL_BOX = "Whole image", "Draw a box on the image", "Type a box (pixels)"


def person_ui(image: ImageChoice, key: str = "person") -> tuple[float, float, float, float]:
    """Choose the person: numbered candidates (drawn on the image), the whole image, a box dragged on
    the image, or one typed in pixels; returns (x, y, w, h) in processed pixels.

    The default is ``poseviz.inference.person_boxes.default_person`` (the whole image, said as such, when no
    person is found). A detector box is cropped as the models were trained (``PersonCandidate.crop_box``).
    """
    from streamlit_image_coordinates import streamlit_image_coordinates

    st.sidebar.subheader("Person")
    h, w = image.rgb.shape[:2]
    cands = _candidates(image.digest, image.rgb)
    labels = [f"{i + 1}: {c.source} person, score {c.score:.2f} ({c.box[2]:.0f}×{c.box[3]:.0f} px)" for i, c in enumerate(cands)]
    options = labels + [WHOLE_IMAGE, DRAW_BOX, MANUAL_BOX]
    default = default_person(cands)
    problem = detector_status()
    if problem:
        st.sidebar.warning(f"{problem}. People are found with the older finders (bottom-up and HOG), which miss more.")
    if default is None:
        st.sidebar.warning("No person found in this photo: the whole image is used. Draw or type a box around a person.")
    pick = f"{key}_{image.digest}"
    carry_over(pick)
    if st.session_state.get(pick) not in options:
        st.session_state.pop(pick, None)
    # The default goes into the session state, never into the widget's arguments: a widget whose arguments change
    # from one run to the next is a new widget to Streamlit, shown at its default while the old value is used.
    if pick not in st.session_state:
        st.session_state[pick] = options[len(labels) if default is None else default]
    choice = st.sidebar.selectbox(f"{len(cands)} candidate{'s' if len(cands) != 1 else ''} found", options, key=pick,
                                  help="Numbers match the boxes on the image above the page.")
    remember(pick)
    chosen = labels.index(choice) if choice in labels else None
    box = cands[chosen].crop_box if chosen is not None else whole_image_box(w, h)
    manual = st.sidebar.container()  # one slot whether or not the box inputs show, so later widgets keep their state
    if choice == MANUAL_BOX:
        c1, c2 = manual.columns(2)
        for k in ("x", "y", "w", "h"):
            carry_over(f"{key}_{k}")
        for k, hi in (("x", w - 1), ("y", h - 1), ("w", w), ("h", h)):  # a carried box may not fit this image
            if not 0 <= st.session_state.get(f"{key}_{k}", 0) <= hi:
                st.session_state.pop(f"{key}_{k}")

        for k, v in (("x", 0), ("y", 0), ("w", w), ("h", h)):  # defaults through the state, as for the person
            st.session_state.setdefault(f"{key}_{k}", v)
        x = c1.number_input("x (px)", 0, w - 1, key=f"{key}_x")
        y = c2.number_input("y (px)", 0, h - 1, key=f"{key}_y")
        bw = c1.number_input("width (px)", 1, w, key=f"{key}_w")
        bh = c2.number_input("height (px)", 1, h, key=f"{key}_h")
        box = (float(x), float(y), float(bw), float(bh))
        for k in ("x", "y", "w", "h"):
            remember(f"{key}_{k}")
    with st.expander(f"Person: {choice}", expanded=choice == DRAW_BOX):
        shown = candidates_image(image.rgb, cands, chosen, box if choice in (MANUAL_BOX, DRAW_BOX) else None)
        if choice == DRAW_BOX:
            st.caption("Drag a box around the person (press, move, release).")
            drag = streamlit_image_coordinates(shown, key=f"{key}_drag_{image.digest}", click_and_drag=True, cursor="crosshair")
            drawn = dragged_box(drag, w / shown.shape[1], w, h)
            if drawn is None:
                st.info("No box drawn yet: the whole image is used until you drag one.")
            else:
                box = drawn
        else:
            st.image(shown, caption="candidates: cyan = the person used; numbers as in the sidebar")
    return tuple(float(v) for v in box)


def dragged_box(drag: dict | None, scale: float, w: int, h: int, min_side: float = 8) -> tuple[float, float, float, float] | None:
    """The image component's press/release points (display px) → a box in image px (× ``scale``), clipped to the
    ``w`` × ``h`` image; None when nothing was dragged or the box is under ``min_side`` px a side (a click)."""
    if not drag or drag.get("x2") is None:
        return None
    x0, x1 = sorted((drag["x1"] * scale, drag["x2"] * scale))
    y0, y1 = sorted((drag["y1"] * scale, drag["y2"] * scale))
    x0, y0, x1, y1 = max(x0, 0.0), max(y0, 0.0), min(x1, float(w)), min(y1, float(h))
    return (x0, y0, x1 - x0, y1 - y0) if x1 - x0 >= min_side and y1 - y0 >= min_side else None


def image_and_person_ui() -> tuple[ImageChoice, tuple[float, float, float, float]]:
    """Sidebar image and person pickers, shared by every page; stops the page (a message is shown) until an
    image is chosen."""
    image = image_source_ui()
    if image is None:
        st.stop()
    return image, person_ui(image)


@st.cache_resource(max_entries=12, show_spinner="Loading model…")
def get_model(name: str, fast: bool = True):
    """A shipped zoo model (eval mode, frozen); shared by every session, never modified.

    ``fast`` gives the prediction copy (BatchNorm folded, channels-last, same outputs);
    pages that read the layers themselves (receptive field, pooling, non-local γ) pass False.
    """
    model = load_pretrained(name)
    if fast:
        return for_inference(model)
    for p in model.parameters():
        p.requires_grad_(False)
    return model


@st.cache_resource(max_entries=2, show_spinner="Loading your checkpoint…")
def get_user_model(digest: str, arch_label: str, _data: bytes):
    """A user's checkpoint in a public architecture → (model, load report)."""
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "checkpoint"
        suffix = ".safetensors" if _data[:1] not in (b"P", b"\x80") else ".pth"
        path = path.with_suffix(suffix)
        path.write_bytes(_data)
        state = read_state_dict(path)
    model = zoo.build_public(arch_label)
    report = load_state_dict_checked(model, state, "your checkpoint")
    return for_inference(model), report


def checkpoint_files() -> list[str]:
    """Checkpoint files under ``<data root>/checkpoints`` (names relative to that folder)."""
    folder = data_root() / "checkpoints"
    if not folder.is_dir():
        return []
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.suffix in CHECKPOINT_SUFFIXES and p.is_file()
                  and is_inside(p, folder))


@st.cache_resource(max_entries=2, show_spinner="Loading the checkpoint…")
def get_folder_model(name: str, mtime: float, arch_label: str):
    """A checkpoint from the data root's checkpoints folder (too big to upload) → (model, load report)."""
    state = read_state_dict(resolve_inside(data_root() / "checkpoints", name))
    model = zoo.build_public(arch_label)
    report = load_state_dict_checked(model, state, Path(name).name)
    return for_inference(model), report


def _folder_checkpoint_ui(key: str):
    files = checkpoint_files()
    if not files:
        st.info("No checkpoints in the data root's `checkpoints` folder. Fetch one with "
                "`python -m poseviz data fetch hrnet_w32_coco_256x192` (the Data page lists them), or copy a file there.")
        return None, None
    name = st.sidebar.selectbox("Checkpoint file", files, key=f"{key}_file")
    guess = next((i for i, a in enumerate(zoo.PUBLIC_ARCHS) if "W48" in a), 0) if "w48" in name.lower() else 0
    arch = st.sidebar.selectbox("Architecture", list(zoo.PUBLIC_ARCHS), index=guess, key=f"{key}_farch")
    path = resolve_inside(data_root() / "checkpoints", name)
    try:
        model, report = get_folder_model(name, path.stat().st_mtime, arch)
    except PoseVizInputError as exc:
        st.error(f"This checkpoint cannot be used: {exc}")
        return None, None
    (st.sidebar.success if report.ok else st.sidebar.warning)(f"Checkpoint: {report.summary()}")
    return f"{arch} ({Path(name).name})", model


def model_ui(key: str = "model", allow_user: bool = True):
    """Sidebar: pick a shipped model or upload a public checkpoint → (label, model) or (None, None)."""
    st.sidebar.subheader("Model")
    names = zoo.shipped_models(task=None)  # every shipped model predicts top-down belief maps
    options = names + ([USER_CHECKPOINT, FOLDER_CHECKPOINT] if allow_user else [])
    if not options:
        st.error("No trained weights are in assets/. Train one with `python -m poseviz train --model hourglass_lsp`.")
        return None, None
    label = st.sidebar.selectbox("Network", options, key=key,
                                 format_func=lambda n: n if n in (USER_CHECKPOINT, FOLDER_CHECKPOINT) else f"{n} — {zoo.ZOO[n].description}")
    if label == FOLDER_CHECKPOINT:
        return _folder_checkpoint_ui(key)
    if label != USER_CHECKPOINT:
        try:
            return label, get_model(label)
        except PoseVizInputError as exc:
            st.error(str(exc))
            return None, None
    arch = st.sidebar.selectbox("Architecture", list(zoo.PUBLIC_ARCHS), key=f"{key}_arch")
    up = st.sidebar.file_uploader("Checkpoint (.pth or .safetensors)", type=["pth", "pt", "tar", "safetensors", "bin"], key=f"{key}_ckpt",
                                  max_upload_size=UPLOAD_MB)
    if up is None:
        st.info("Upload a checkpoint downloaded from the official HRNet or pytorch-pose releases.")
        return None, None
    data = up.getvalue()
    try:
        model, report = get_user_model(hashlib.sha256(data).hexdigest(), arch, data)
    except PoseVizInputError as exc:
        st.error(f"This checkpoint cannot be used: {exc}")
        return None, None
    (st.sidebar.success if report.ok else st.sidebar.warning)(f"Checkpoint: {report.summary()}")
    return f"{arch} ({up.name})", model


@st.cache_data(max_entries=32, show_spinner="Running the network…")
def predict_cached(digest: str, _image: np.ndarray, model_key: str, _model, box: tuple, flip: bool, method: str) -> Prediction:
    """One person's typed ``Prediction`` (keypoints in image pixels, every stage, the crop and its
    transform), keyed on image hash + model + options, with its measured latency; kept without the
    intermediate feature maps so every rerun's copy stays small."""
    t0 = time.perf_counter()
    pred = predict_person(_model, _image, box, flip=flip, method=method)
    return dataclasses.replace(pred.without_features(), latency_ms=1000 * (time.perf_counter() - t0))


# Folders on the server that a visitor may name are confined to the data root, unless the app
# was started with POSEVIZ_ANY_FOLDER=1 by someone who owns the machine.
ANY_FOLDER_VAR = "POSEVIZ_ANY_FOLDER"


def images_folder_ui(label: str, default: str, key: str) -> Path:
    """Sidebar text box for a folder, relative to the data root; stops the page with a message if
    the folder leaves the data root (absolute paths only with ``POSEVIZ_ANY_FOLDER=1``)."""
    text = st.sidebar.text_input(label, default, key=key, help="A folder inside the data root (see the Data page).")
    root = data_root()
    folder = Path(text) if os.environ.get(ANY_FOLDER_VAR) == "1" and Path(text).is_absolute() else root / text
    if os.environ.get(ANY_FOLDER_VAR) != "1" and (Path(text).is_absolute() or not is_inside(folder, root)):
        st.error("Choose a folder inside the data root, named relative to it (e.g. coco-mini/train2017).")
        st.stop()
    return folder


def read_dataset_image(folder: Path, file_name: str) -> np.ndarray:
    """An annotation file's image, only from inside ``folder``; one message whether it is missing or
    unreadable, naming the file as the annotations do (never a server path)."""
    try:
        return load_image(resolve_inside(folder, file_name), max_side=None).rgb
    except PoseVizInputError:
        # the base name only: a path written in the file is echoed no more than a server path is
        raise PoseVizInputError(f"the images folder has no readable image {Path(str(file_name)).name!r}: "
                                "check the folder in the sidebar") from None


def confidence_warning(keypoints: np.ndarray, model: str | None = None) -> None:
    """Show ``poseviz.inference.confidence``'s warning when the prediction is not confident."""
    message = confidence_message(keypoints)
    with st.container():  # always one slot: a warning that comes and goes must not shift the widgets below
        if message:
            st.warning(f"{model}: {message}" if model else message)


def hide_server_paths(message: object) -> str:
    """A message with the server's data root written as ‹data root›, so a visitor learns nothing
    about the server's folders."""
    text = str(message)
    for root in {str(data_root()), str(data_root().resolve())}:
        text = text.replace(root, "‹data root›")
    return text
