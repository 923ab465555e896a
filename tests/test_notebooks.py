"""The companion notebooks run top to bottom (executed with nbclient) and print real values."""
import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT

devdata = pytest.mark.devdata  # executing a notebook reads ../shared/data

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _execute(path):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def _text(nb):
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            out.append(o.get("text", "") + str(o.get("data", {}).get("text/plain", "")))
    return "\n".join(out)


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 4


@devdata
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_executes(path):
    nb = _execute(path)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors
    text = _text(nb)
    if path.name.startswith("01"):
        assert "stages:" in text and "peak belief" in text
    if path.name.startswith("03"):
        assert "query dependence (mean JS divergence)" in text and "rows sum to 1.0" in text
    if path.name.startswith("04"):
        assert "max-unpool keeps 25.0 %" in text and "softpool" in text
    if path.name.startswith("05"):
        assert "people scored on 12 joints" in text and "'AP':" in text
    if path.name.startswith("06"):
        assert "sweep sizes (% of crop): [0.0, 15.0, 30.0, 45.0]" in text
    if path.name.startswith("07"):
        assert "mean part IoU on 10 LSP test crops" in text and "people found:" in text and "largest PAF magnitude" in text
    if path.name.startswith("02"):
        assert "407" in text  # CPM stage 2 at 368 px, as derived in tests/test_receptive_field.py


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
