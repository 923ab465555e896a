"""The widget glue every companion notebook shares: controls that redraw the figures below them.

Kept beside the notebooks, not in ``poseviz`` (the library holds no user interface): each notebook imports it from
its own folder. A lesson's drawing function takes the controls' values and returns what to show — Plotly figures,
DataFrames or Markdown — so the notebook never prints an object's repr, and the test suite can drive every control
of every panel with real widget events and check that what is shown changes.
"""
from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

import ipywidgets as widgets
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from IPython.display import Markdown, clear_output, display

import poseviz
from poseviz.data.root import data_root
from poseviz.data.samples import sample_images
from poseviz.inference.person_boxes import BOTTOM_UP_FINDER, default_box
from poseviz.inference.top_down import Prediction
from poseviz.plots.theme import LIGHT_TEMPLATE, TEMPLATE, for_display

pio.templates.default = TEMPLATE  # figures made here with plotly.express get the app's look too
# JupyterLab draws this MIME type itself (plotly's lab extension); the classic "notebook" renderer, also in the
# default, would re-send plotly.js with every redraw.
pio.renderers.default = "plotly_mimetype"
# The camera button above each figure saves an SVG (vector, for a lecturer's slides); "png" for a picture instead.
pio.renderers["plotly_mimetype"].config = {"toImageButtonOptions": {"format": "svg", "filename": "poseviz_lesson_figure"},
                                           "displaylogo": False}
pd.set_option("display.precision", 3)

LIGHT_FIGURES = False  # True (``use_light_figures()``): figures on white, for a bright room or a printed handout


def use_light_figures(on: bool = True) -> None:
    """Draw the lesson's figures on a white background from the next redraw on (the app's *Light figures*)."""
    global LIGHT_FIGURES
    LIGHT_FIGURES = on
    pio.templates.default = LIGHT_TEMPLATE if on else TEMPLATE


PANELS: list["Panel"] = []  # every panel shown in this kernel, in order (the tests drive them)

# A student's own photos: any image in this folder (or the one POSEVIZ_MY_PHOTOS names) joins every lesson's photo
# choices, after the gallery's, as "your photo: NAME" — drop photos there and run the lesson again.
MY_PHOTOS = Path(os.environ.get("POSEVIZ_MY_PHOTOS", Path(__file__).parent / "my_photos"))
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff")


def _own_photos() -> dict[str, Path]:
    if not MY_PHOTOS.is_dir():
        return {}
    return {f"your photo: {p.name}": p for p in sorted(MY_PHOTOS.iterdir()) if p.suffix.lower() in PHOTO_SUFFIXES and p.is_file()}


# {label: path}: the app's gallery (bundled photos, plus dataset images in the data root), then the student's own
IMAGES = {**sample_images(), **_own_photos()}
PHOTO_CHOICES: list[widgets.Dropdown] = []  # every photo control shown in this kernel: an upload joins them all
UPLOAD_MAX_BYTES = 25 * 2**20  # a phone photo is a few MB; beyond this an upload is refused with a message


def add_photo(name: str, data: bytes) -> str:
    """Keep an uploaded photo: saved in ``MY_PHOTOS`` (later lessons list it too) and added to every photo control
    of this kernel. Returns its label; raises ``PoseVizInputError`` with a message for what is not a usable photo."""
    from poseviz.core.errors import PoseVizInputError

    suffix = Path(name).suffix.lower()
    if suffix not in PHOTO_SUFFIXES:
        raise PoseVizInputError(f"{name}: not a photo this lesson reads; use one of {', '.join(PHOTO_SUFFIXES)}")
    if len(data) > UPLOAD_MAX_BYTES:
        raise PoseVizInputError(f"{name} is {len(data) / 2**20:.0f} MB; photos up to {UPLOAD_MAX_BYTES // 2**20} MB are read")
    poseviz.load_image(data)  # refuses, with a message, what does not decode or is too large to decode
    MY_PHOTOS.mkdir(parents=True, exist_ok=True)
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in Path(name).stem)[:60] or "photo"
    target = MY_PHOTOS / f"{stem}{suffix}"
    if target.exists() and target.read_bytes() != data:  # another photo of the same name: keep both
        target = MY_PHOTOS / f"{stem}-{hashlib.sha1(data).hexdigest()[:8]}{suffix}"
    target.write_bytes(data)
    label = f"your photo: {target.name}"
    IMAGES[label] = target
    for choice in PHOTO_CHOICES:
        if label not in choice.options:
            choice.options = [*choice.options, label]
    return label


def photo_dropdown(value: str | None = None) -> widgets.Dropdown:
    """The photo control of a panel: the gallery and the student's own photos; its panel offers an upload too."""
    choice = dropdown("photo", list(IMAGES), value)
    PHOTO_CHOICES.append(choice)
    return choice


def _upload_for(choice: widgets.Dropdown) -> widgets.Widget:
    """A button to upload a photo into ``choice`` (and every other photo control), with a line for its message."""
    from poseviz.core.errors import PoseVizInputError

    button = widgets.FileUpload(accept="image/*", multiple=False, description="your photo")
    said = widgets.HTML()

    def uploaded(change) -> None:
        if not button.value:
            return
        f = button.value[0]
        try:
            label = add_photo(f["name"], bytes(f["content"]))
        except PoseVizInputError as err:
            said.value = f"<span style='color:#d55e00'>{err}</span>"
        else:
            said.value = ""
            choice.value = label  # its panel redraws on the new photo
        button.value = ()  # the same file can be chosen again

    button.observe(uploaded, names="value")
    return widgets.HBox([button, said])

_WIDE = widgets.Layout(width="auto")
_STYLE = {"description_width": "initial"}  # labels are never cut off


def dropdown(description: str, options, value=None) -> widgets.Dropdown:
    """A dropdown whose label and options are shown in full. ``options``: values or (label, value) pairs."""
    options = list(options)
    if value is None:
        value = options[0][1] if isinstance(options[0], tuple) else options[0]
    return widgets.Dropdown(description=description, options=options, value=value, layout=_WIDE, style=_STYLE)


def int_slider(description: str, value: int, lo: int, hi: int, step: int = 1) -> widgets.IntSlider:
    """An integer slider that only reports when released (each redraw runs a network)."""
    return widgets.IntSlider(description=description, value=value, min=lo, max=hi, step=step,
                             continuous_update=False, style=_STYLE)


def float_slider(description: str, value: float, lo: float, hi: float, step: float) -> widgets.FloatSlider:
    """A float slider that only reports when released."""
    return widgets.FloatSlider(description=description, value=value, min=lo, max=hi, step=step,
                               continuous_update=False, style=_STYLE)


def titled(fig: go.Figure, text: str) -> go.Figure:
    """Give a figure a title, with room for it above the panels (the figure functions keep a thin top margin)."""
    top = fig.layout.margin.t if fig.layout.margin and fig.layout.margin.t is not None else 0
    fig.update_layout(title=dict(text=text, x=0.01, xanchor="left"), margin=dict(t=max(top, 75)))
    return fig


def _fingerprint(item) -> str:
    """What a displayed item shows, as a short digest: figure JSON, table values, or Markdown text."""
    if isinstance(item, go.Figure):
        text = item.to_json()
    elif isinstance(item, pd.DataFrame):
        text = item.to_csv()
    elif isinstance(item, Markdown):
        text = item.data
    else:
        raise TypeError(f"a lesson panel shows figures, DataFrames or Markdown, not {type(item).__name__}")
    return hashlib.sha1(text.encode()).hexdigest()[:12]


class Panel:
    """Controls above one output area; every change of a control redraws the area with ``draw(**values)``.

    An Output widget, cleared and refilled, rather than displays updated in place: JupyterLab's plotly renderer
    ignores updates to a figure it has already drawn. ``on_change`` (optional) runs before the redraw with the
    changed control's name, e.g. to take a slider's range from the chosen model.
    """

    def __init__(self, draw: Callable[..., Iterable], controls: dict[str, widgets.ValueWidget],
                 on_change: Callable[[str], None] | None = None):
        self.draw, self.controls, self.on_change = draw, controls, on_change
        self.out = widgets.Output()
        self.shown: list[str] = []  # fingerprints of what the last redraw displayed
        self.redraws = 0
        self._syncing = False
        # Shown beside the controls while a drawing reports progress (see ``report``).
        self.progress = widgets.FloatProgress(value=0, min=0, max=1, description="working", style=_STYLE,
                                              layout=widgets.Layout(visibility="hidden"))
        for name, control in controls.items():
            control.observe(lambda change, name=name: self._changed(name), names="value")
        PANELS.append(self)

    def _changed(self, name: str) -> None:
        if self._syncing:  # a control set by on_change: one redraw follows anyway
            return
        if self.on_change is not None:
            self._syncing = True
            try:
                self.on_change(name)
            finally:
                self._syncing = False
        self.redraw()

    def values(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def redraw(self) -> None:
        global _DRAWING
        _DRAWING = self
        try:
            items = list(self.draw(**self.values()))
        finally:
            _DRAWING = None
            self.progress.layout.visibility = "hidden"
        fingerprints = [_fingerprint(i) for i in items]
        with self.out:
            clear_output(wait=True)
            for item in items:
                display(for_display(item, light=LIGHT_FIGURES) if isinstance(item, go.Figure) else item)
        self.shown = fingerprints
        self.redraws += 1

    def _ipython_display_(self) -> None:
        """Nothing more to show: ``show`` displayed the panel, and a cell ending in ``lesson.panel(...)`` would
        otherwise print "<lesson.Panel at 0x…>" under it."""

    def show(self) -> None:
        """Display the controls, the output area and the first drawing."""
        uploads = [_upload_for(c) for c in self.controls.values() if any(c is p for p in PHOTO_CHOICES)]
        bar = widgets.HBox([*self.controls.values(), *uploads, self.progress], layout=widgets.Layout(flex_flow="row wrap"))
        display(widgets.VBox([bar, self.out]))
        self.redraw()


_DRAWING: Panel | None = None


def report(fraction: float) -> None:
    """Progress of the drawing under way (0–1), shown on its panel's bar; pass it as a ``progress_callback``."""
    if _DRAWING is not None:
        _DRAWING.progress.layout.visibility = "visible"
        _DRAWING.progress.value = min(max(float(fraction), 0.0), 1.0)


def panel(draw: Callable[..., Iterable], on_change: Callable[[str], None] | None = None, **controls) -> Panel:
    """Build and show a ``Panel`` in one call (the usual notebook line)."""
    p = Panel(draw, controls, on_change)
    p.show()
    return p


QUESTIONS: list["Question"] = []  # every predict-then-look question shown in this kernel (the tests answer them)


class Question:
    """Predict, then look: the student types a number and presses *Check*; only then is the answer (computed by
    the lesson from the data, never typed in) revealed, with how close the guess was and why."""

    def __init__(self, prompt: str, answer: float, unit: str, tolerance: float, why: str, heading: str = "Predict first."):
        self.prompt, self.answer, self.unit, self.tolerance, self.why = prompt, float(answer), unit, tolerance, why
        self.heading = heading
        self.box = widgets.Text(placeholder="your prediction (a number)", description="prediction", style=_STYLE)
        self.button = widgets.Button(description="Check", button_style="info")
        self.out = widgets.Output()
        self.revealed = False
        self.shown = ""  # the text last shown under the question (what the tests read)
        self.button.on_click(lambda _: self.check())
        QUESTIONS.append(self)

    def check(self) -> None:
        """Reveal the answer if a number was typed; otherwise ask for one."""
        try:
            guess = float(self.box.value.replace(",", "."))
        except ValueError:
            self._say("Type a number first: the answer is shown once you have committed to a prediction.")
            return
        close = abs(guess - self.answer) <= self.tolerance
        self.revealed = True
        self._say(f"{'Close' if close else 'Not quite'}: the answer is **{self.answer:.3g} {self.unit}** "
                  f"(you said {guess:g}). {self.why}")

    def _say(self, text: str) -> None:
        self.shown = text
        with self.out:
            clear_output(wait=True)
            display(Markdown(text))

    def show(self) -> None:
        display(widgets.VBox([widgets.HTML(f"<b>{self.heading}</b> {self.prompt}"), widgets.HBox([self.box, self.button]), self.out]))


def question(prompt: str, answer: float, unit: str, tolerance: float, why: str) -> None:
    """Build and show a ``Question`` in one call (it joins ``QUESTIONS``). Nothing is returned: a cell ending in
    this call would otherwise show the object's repr under the question."""
    Question(prompt, answer, unit, tolerance, why).show()


def self_check(*exercises: tuple[int, str, float, str, float, str]) -> None:
    """The exercises' self-check, after the conclusion: for each exercise whose answer is a number, (its number, the
    question, the answer computed by the lesson, unit, tolerance, why), a box that reveals the answer once the
    student has typed theirs."""
    display(Markdown("**Check your answers** to the exercises with a number for an answer (each is revealed "
                     "only after you have typed yours)."))
    for n, prompt, answer, unit, tolerance, why in exercises:
        Question(prompt, answer, unit, tolerance, why, heading=f"Exercise {n}.").show()


class Progress:
    """A progress bar for a loop that takes more than a second, shown where the loop runs."""

    def __init__(self, total: int, description: str):
        self.bar = widgets.IntProgress(value=0, min=0, max=max(total, 1), description=description, style=_STYLE)
        display(self.bar)

    def step(self) -> None:
        self.bar.value += 1

    def close(self) -> None:
        self.bar.close()


@lru_cache(maxsize=8)
def model(name: str, fast: bool = True):
    """A shipped model, loaded once per kernel (``fast=False`` keeps BatchNorm layers, for pages that read layers)."""
    return poseviz.load_model(name, fast=fast)


@lru_cache(maxsize=32)
def photo(label: str) -> np.ndarray:
    """The RGB pixels of a gallery image."""
    return poseviz.load_image(IMAGES[label]).rgb


@lru_cache(maxsize=32)
def person_box(label: str) -> tuple[float, float, float, float]:
    """The person the app would pick by default in a gallery image (x, y, w, h in pixels)."""
    finder = model(BOTTOM_UP_FINDER) if BOTTOM_UP_FINDER in poseviz.list_models(None) else None
    return default_box(photo(label), finder)


@lru_cache(maxsize=64)
def person(label: str, model_name: str, flip: bool = False) -> Prediction:
    """``poseviz.predict_person`` on the default person of a gallery image (cached: controls redraw quickly)."""
    return poseviz.predict_person(model(model_name), photo(label), person_box(label), flip=flip)


def dataset(name: str):
    """The folder of a dataset in the data root, or None after showing how to get it."""
    from poseviz.data.registry import REGISTRY

    folder = data_root() / name
    if folder.is_dir():
        return folder
    how = (f"Get it with `python -m poseviz data fetch {name}` and run the notebook again." if name in REGISTRY
           else "It cannot be downloaded by PoseViz; put a copy in the data root to run this part.")
    display(Markdown(f"> **{name} is not in the data root** (`{data_root()}`), so this part is skipped. {how}"))
    return None


# Where COCO keypoints can come from, first found wins: the fetchable val2017 (`data fetch coco-val2017`), then
# the small COCO sample of the development data. (data root folder, annotation file, images folder)
COCO_SOURCES = (("coco-val2017", "annotations/person_keypoints_val2017.json", "val2017"),
                ("coco-mini", "annotations/person_keypoints_train2017.json", "train2017"))


def coco_people(max_images: int = 100):
    """(COCO keypoint annotations of at most ``max_images`` images with people, their images folder) from the
    first of ``COCO_SOURCES`` in the data root, or None after saying how to fetch COCO val2017."""
    from poseviz.io.coco import load_coco

    for name, annotations, images in COCO_SOURCES:
        folder = data_root() / name
        if (folder / annotations).is_file():
            gt = load_coco(folder / annotations)
            with_people = sorted({a["image_id"] for a in gt.annotations if a.get("num_keypoints", 0) > 0})[:max_images]
            keep = set(with_people)
            gt = type(gt)({**gt.dataset, "images": [im for im in gt.images if im["id"] in keep],
                           "annotations": [a for a in gt.annotations if a["image_id"] in keep]})
            return gt, folder / images
    return _no_coco()


def _no_coco() -> None:
    """Say that a COCO part is skipped and how to fetch COCO val2017."""
    display(Markdown(f"> **No COCO keypoints in the data root** (`{data_root()}`), so this part is skipped. Get COCO "
                     "val2017 with `python -m poseviz data fetch coco-val2017` (about 1 GB) and run the notebook again."))


def joint_index(schema, name: str) -> int:
    """Index of LSP joint ``name`` in a model's ``schema``; an MPII-16 model's upper neck stands for LSP's neck
    (``poseviz.core.schemas.ALIASES``), so every lesson's LSP joint list works with every model."""
    from poseviz.core.schemas import ALIASES

    return schema.index(name if name in schema.joints else ALIASES[name])


def coco_atlas(models: list[str], people: int = 40):
    """A failure atlas (``poseviz.atlas``) of the first ``people`` of the first COCO source in the data root through
    ``models``, ground-truth boxes, built in a temporary folder with a progress bar; None after saying how to
    fetch COCO when there is none."""
    import tempfile
    from pathlib import Path

    from poseviz.atlas import browse, build_atlas, spec_from

    name = next((n for n, annotations, _ in COCO_SOURCES if (data_root() / n / annotations).is_file()), None)
    if name is None:
        return _no_coco()
    out = Path(tempfile.mkdtemp(prefix="poseviz-atlas-")) / name
    spec = spec_from(name, models, root=str(data_root()), limit=people, shard_size=max(people // 8, 1))
    bar = widgets.IntProgress(value=0, min=0, max=8, description="atlas (shards)", style=_STYLE)
    display(bar)
    build_atlas(spec, out, progress=False, progress_callback=lambda done, total: setattr(bar, "max", total) or setattr(bar, "value", done))
    bar.close()
    return browse.load(out)


def atlas_image(atlas, file_name: str) -> np.ndarray:
    """An atlas person's image, read from where the atlas found it."""
    from pathlib import Path

    from poseviz.data.paths import resolve_inside
    from poseviz.io.images import load_image

    return load_image(resolve_inside(Path(atlas.manifest["images"]), file_name), max_side=None).rgb


@lru_cache(maxsize=1)
def lsp():
    """LSP's annotations from the data root, read once per kernel (``poseviz.data.lsp.LSPData``)."""
    from poseviz.data.lsp import load_lsp

    return load_lsp(data_root() / "lsp")
