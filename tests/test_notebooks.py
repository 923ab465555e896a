"""The companion notebooks are lessons: they run top to bottom, every control changes what is shown (driven with
real widget events in the executed kernel), prose comes before every figure, each ends with exercises, and no
output is an object's repr."""
import json
import re

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT

devdata = pytest.mark.devdata  # executing a notebook reads ../shared/data

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

# Appended to each notebook before it runs: change every control of every panel once, as a student would, report
# whether the panel redrew and whether what it shows changed, and set the control back (the saved outputs then
# show the defaults the prose describes).
DRIVE = r'''
import json as _json
import ipywidgets as _w
import lesson as _lesson

def _turn(control):
    if isinstance(control, _w.Checkbox):
        control.value = not control.value
    elif isinstance(control, _w.SelectMultiple):
        control.value = control.value[:1] if len(control.value) > 1 else tuple(control.options)
    elif hasattr(control, "options"):
        control.index = (control.index + 1) % len(control.options)
    else:
        control.value = control.max if control.value != control.max else control.min

_report = []
for _i, _panel in enumerate(_lesson.PANELS):
    for _name, _control in _panel.controls.items():
        _before, _count, _value = list(_panel.shown), _panel.redraws, _control.value
        _turn(_control)
        _report.append({"panel": _i, "control": _name, "redrawn": _panel.redraws > _count, "changed": _panel.shown != _before})
        _control.value = _value
_answers = []
for _q in _lesson.QUESTIONS:  # a question shows nothing of its answer until the student commits to a number
    _hidden = not _q.revealed and f"{_q.answer:.3g}" not in _q.shown
    _q.box.value = "not a number"
    _q.button.click()
    _refused = not _q.revealed
    _q.box.value = "0"
    _q.button.click()
    _answers.append({"hidden": _hidden, "refused": _refused, "revealed": _q.revealed and f"{_q.answer:.3g}" in _q.shown})
print("DRIVE " + _json.dumps(_report))
print("ANSWERS " + _json.dumps(_answers))
'''


class _KernelSideClient(NotebookClient):
    """nbclient without its imitation of JupyterLab's Output widget: that imitation waits out its timeout when a
    newly displayed Output widget is filled with megabytes of figures in the same cell. Without it, what a panel
    displays arrives as ordinary outputs of the running cell; what the tests check — the items each panel draws
    and how they change — is recorded in the kernel (``lesson.PANELS``). JupyterLab itself was checked in Chromium."""

    def on_comm_open_jupyter_widget(self, msg):
        return None


def _execute(path, extra: str = DRIVE):
    """Run the notebook with ``extra`` appended."""
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(extra))
    _KernelSideClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def _outputs(cell):
    return cell.get("outputs", [])


def _drive_report(nb, key: str = "DRIVE") -> list[dict]:
    text = "".join(o.get("text", "") for o in _outputs(nb.cells[-1]))
    return json.loads(text.split(key + " ", 1)[1].splitlines()[0])


def _shows_something(cell) -> bool:
    return any(o.get("output_type") in ("display_data", "execute_result") for o in _outputs(cell))


def _html(nb) -> str:
    return "\n".join(str(o.get("data", {}).get("text/html", "")) for c in nb.cells for o in _outputs(c))


def _score_tables(html: str) -> list[str]:
    """The HTML tables whose header names a score measured on a sample of people or images (PCK, AP, IoU; not one
    person's "correct" joints)."""
    tables = re.findall(r"<table.*?</table>", html, flags=re.S)
    return [t for t in tables if re.search(r"<th[^>]*>(?!correct)[^<]*(PCK|\bAP\b|IoU)[^<]*</th>", t.split("</thead>")[0])]


def test_there_are_the_lessons_the_teaching_guide_lists():
    assert [p.name[:2] for p in NOTEBOOKS] == ["00", "01", "02", "03", "04", "05", "06", "07", "08"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_lesson_structure(path):
    """An introduction that names the question, prose before every cell that shows something (checked on the
    executed notebook in test_lesson_runs_and_every_control_works), and a conclusion with 2–3 exercises (then, in
    lessons with numeric answers, the self-check cell)."""
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# Lesson") and "question" in first.source.lower()
    # the conclusion ends the lesson, followed at most by the exercises' self-check cell
    tail = nb.cells[-1:] if nb.cells[-1].cell_type == "markdown" else nb.cells[-2:]
    last = tail[0]
    assert all(c.cell_type == "code" and "lesson.self_check(" in c.source for c in tail[1:])
    assert last.cell_type == "markdown" and "## Conclusion" in last.source and "### Exercises" in last.source
    exercises = re.findall(r"^\d\. ", last.source.split("### Exercises", 1)[1], flags=re.M)
    assert 2 <= len(exercises) <= 3, exercises
    assert "lesson.panel(" in "".join(c.source for c in nb.cells if c.cell_type == "code")


@devdata
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_lesson_runs_and_every_control_works(path):
    nb = _execute(path)
    errors = [o for c in nb.cells for o in _outputs(c) if o.get("output_type") == "error"]
    assert not errors, errors
    cells = nb.cells[:-1]  # without the driving cell
    for i, cell in enumerate(cells):
        if cell.cell_type == "code" and _shows_something(cell):
            assert i > 0 and cells[i - 1].cell_type == "markdown", f"cell {i} shows output with no prose before it"
        for o in _outputs(cell):
            plain = o.get("data", {}).get("text/plain", "") if o.get("output_type") != "stream" else o.get("text", "")
            rich = set(o.get("data", {})) - {"text/plain"}
            if not rich:  # only text: a short line or two, never an object dump
                # IPython prints a default repr as "<module.Class at 0x…>", Python as "<… object at 0x…>"
                assert plain.count("\n") <= 2 and not re.search(r"<[\w.]+ (object )?at 0x", plain) \
                    and "(keypoints=" not in plain, plain[:300]
    report = _drive_report(nb)
    assert report, "no panel with controls"
    dead = [r for r in report if not (r["redrawn"] and r["changed"])]
    assert not dead, f"controls that do not change what is shown: {dead}"
    html = _html(nb)
    if path.name.startswith("01"):
        assert re.search(r"stage 1</th>\s*<td>\d", html) and "PCK@0.2 (%), 100 LSP test people" in html
    if path.name.startswith("02"):
        assert "<td>407.0</td>" in html  # CPM stage 2 at 368 px, as derived in tests/test_receptive_field.py
    bare = [t[:200] for t in _score_tables(html) if "95 % CI" not in t]
    assert not bare, f"a table of measured scores without confidence intervals: {bare}"
    answers = _drive_report(nb, "ANSWERS")
    assert all(a == {"hidden": True, "refused": True, "revealed": True} for a in answers), answers
    if path.name.startswith("00"):  # read from the networks: every shipped one in the table, the crowd's question
        assert len(answers) == 1 and "final RF / input" in html and "efficientpose_rt" in html
    if path.name.startswith("08"):
        assert len(answers) == 4  # σ's half height, the grid's worst case, DARK against argmax, exercise 2's check
        assert "<td>2.0</td>" in html  # argmax's worst case at stride 4: half a map pixel × 4, on a perfect map


@devdata
def test_stage_slider_follows_the_model():
    """Lesson 1's stage slider spans the chosen model's stages (3 for CPM and the hourglass, 1 for HRNet)."""
    path = ROOT / "notebooks" / "01_belief_maps.ipynb"
    probe = r'''
import lesson as _lesson
_p = _lesson.PANELS[1]
_seen = []
for _m in ("hourglass_lsp", "hrnet_lsp", "cpm_lsp"):
    _p.controls["model_name"].value = _m
    _seen.append((_m, _p.controls["stage"].max, _p.controls["stage"].value))
print("STAGES", _seen)
'''
    nb = _execute(path, probe)
    text = "".join(o.get("text", "") for o in _outputs(nb.cells[-1]))
    assert "STAGES [('hourglass_lsp', 3, 3), ('hrnet_lsp', 1, 1), ('cpm_lsp', 3, 3)]" in text, text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_and_its_reviewed_source_are_in_sync(path):
    """The percent-format .py beside each notebook is the reviewed source (jupytext pair); the two hold
    the same cells, so an edit to one without `jupytext --sync` fails here."""
    import jupytext

    source = path.with_suffix(".py")
    assert source.is_file(), f"{source.name} is missing: run `jupytext --set-formats ipynb,py:percent {path.name}`"
    nb, py = nbformat.read(path, as_version=4), jupytext.read(source)
    pairs = [(c.cell_type, c.source.strip()) for c in nb.cells]
    assert pairs == [(c.cell_type, c.source.strip()) for c in py.cells], f"run `jupytext --sync {source.name}`"
    assert "formats: ipynb,py:percent" in source.read_text()


@pytest.mark.parametrize("name", ["01_belief_maps.ipynb", "07_dense_and_paf.ipynb"])
def test_lesson_runs_with_an_empty_data_root(name, tmp_path, monkeypatch):
    """A student with nothing but the repository: the lesson runs on the bundled photos and says which dataset a
    skipped section needs and how to fetch it."""
    monkeypatch.setenv("POSEVIZ_DATA", str(tmp_path))  # inherited by the kernel
    nb = _execute(ROOT / "notebooks" / name, extra="print('done')")
    errors = [o for c in nb.cells for o in _outputs(c) if o.get("output_type") == "error"]
    assert not errors, errors
    markdown = "\n".join(str(o.get("data", {}).get("text/markdown", "")) for c in nb.cells for o in _outputs(c))
    assert "**lsp is not in the data root**" in markdown and "python -m poseviz data fetch lsp" in markdown


def test_no_lesson_tells_students_to_fetch_what_cannot_be_fetched():
    """Every `data fetch NAME` a lesson prints or says names something `data fetch` can get."""
    from poseviz.data.registry import REGISTRY

    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "notebooks").glob("*.py"))]
    named = {m for t in texts for m in re.findall(r"data fetch ([\w-]+)", t)}
    assert named and named <= set(REGISTRY), named - set(REGISTRY)


def test_the_non_local_conclusion_states_no_number_it_does_not_compute():
    """Lesson 3's figures (JS divergence, entropy, gate, PCK) are printed from the measurement and the card; the
    conclusion's prose carries no number of its own that could go stale."""
    nb = nbformat.read(ROOT / "notebooks" / "03_nonlocal_attention.ipynb", as_version=4)
    conclusion = nb.cells[-1].source.split("### Exercises")[0]
    assert "## Conclusion" in conclusion and not re.search(r"\d", conclusion.replace("ln 2", "")), conclusion
    computed = [c for c in nb.cells if c.cell_type == "code" and "card['query_dependence']" in c.source]
    assert computed, "the measured sentence is computed in a code cell"


def test_a_students_own_photos_join_every_lessons_photo_choices(tmp_path):
    """Photos dropped in notebooks/my_photos (here: the folder POSEVIZ_MY_PHOTOS names) are offered by every
    lesson's photo dropdown (they all list ``lesson.IMAGES``) and load like the gallery's."""
    import os
    import shutil
    import subprocess
    import sys

    shutil.copy(ROOT / "poseviz" / "gallery" / "photos" / "04_basketball-dunk.jpg", tmp_path / "me.jpg")
    (tmp_path / "notes.txt").write_text("not a photo")
    probe = "import lesson; print(list(lesson.IMAGES)[-1], lesson.photo(list(lesson.IMAGES)[-1]).shape[2])"
    run = subprocess.run([sys.executable, "-c", probe], cwd=ROOT / "notebooks", capture_output=True, text=True, timeout=120,
                         env={**os.environ, "POSEVIZ_MY_PHOTOS": str(tmp_path)})
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["your", "photo:", "me.jpg", "3"]
    sources = [p.read_text() for p in sorted((ROOT / "notebooks").glob("0*.py"))]
    # every photo control is the shared one (it lists lesson.IMAGES and offers the upload)
    assert all('dropdown("photo"' not in t for t in sources) and sum("lesson.photo_dropdown(" in t for t in sources) >= 6


def test_an_uploaded_photo_is_kept_and_joins_every_photo_control_and_a_bad_one_gets_a_message(tmp_path):
    """The *your photo* button beside a photo control: what ``lesson.add_photo`` does with an upload."""
    import os
    import subprocess
    import sys

    probe = r"""
import lesson
from poseviz.core.errors import PoseVizInputError
a, b = lesson.photo_dropdown(), lesson.photo_dropdown()
lesson.panel(lambda image: [], image=a)  # a panel with a photo control offers an upload beside it
data = open(lesson.IMAGES[a.value], "rb").read()
label = lesson.add_photo("my dunk!.jpg", data)
again = lesson.add_photo("my dunk!.jpg", data)  # the same photo twice: one file
other = lesson.add_photo("my dunk!.jpg", data + b"\0")  # another photo of that name: kept beside it
print("OUT", label, "|", again, "|", other)
print("OUT", label in a.options and label in b.options and other in a.options, lesson.photo(label).shape[2])
for name, blob in (("notes.txt", b"hello"), ("broken.jpg", b"\xff\xd8 not really")):
    try:
        lesson.add_photo(name, blob)
    except PoseVizInputError as err:
        print("OUT refused:", name, str(err)[:60].replace(chr(10), " "))
"""
    run = subprocess.run([sys.executable, "-c", probe], cwd=ROOT / "notebooks", capture_output=True, text=True, timeout=120,
                         env={**os.environ, "POSEVIZ_MY_PHOTOS": str(tmp_path / "mine")})
    assert run.returncode == 0, run.stderr
    lines = [line[4:] for line in run.stdout.splitlines() if line.startswith("OUT ")]  # not the widgets' reprs
    label, again, other = lines[0].split(" | ")
    assert label == again == "your photo: my_dunk_.jpg" and other.startswith("your photo: my_dunk_-")
    assert lines[1] == "True 3"
    assert sorted(p.name for p in (tmp_path / "mine").iterdir()) == sorted([label[12:], other[12:]])
    assert lines[2].startswith("refused: notes.txt notes.txt: not a photo this lesson reads")
    assert lines[3].startswith("refused: broken.jpg")


def test_light_figures_restyle_what_a_panel_shows(tmp_path):
    """``lesson.use_light_figures()`` puts every figure a panel shows on the light template, data unchanged."""
    import subprocess
    import sys

    probe = (
        "import plotly.graph_objects as go, lesson\n"
        "fig = go.Figure(go.Scatter(y=[1, 2]))\n"
        "fig.update_layout(template=lesson.TEMPLATE)\n"
        "lesson.use_light_figures()\n"
        "out = lesson.for_display(go.Figure(fig), light=lesson.LIGHT_FIGURES)\n"
        "print(out.layout.template.layout.paper_bgcolor, list(out.data[0].y))\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], cwd=ROOT / "notebooks", capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["white", "[1,", "2]"]
