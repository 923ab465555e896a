"""Shared fixtures. The development data lives in ../shared/data (never in the repo).

Tests that read it take the ``lsp`` / ``coco_gt`` fixtures or carry the ``devdata`` marker
(``pytestmark = pytest.mark.devdata`` for a whole module); without the data they are skipped
with the reason, so the suite passes on a user's machine. CI has the data, so they run there.
"""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
COCO_MINI = SHARED / "data" / "coco-mini"
COCO_GT = COCO_MINI / "annotations" / "person_keypoints_train2017.json"
LSP_ROOT = SHARED / "data" / "lsp"
MANIFEST = SHARED / "manifests" / "official_checkpoints.json"
HAVE_DEVDATA = (SHARED / "data" / "lsp").is_dir()
# Pages AppTest cannot run: the Live camera page needs a browser's WebRTC session (tests/test_live_browser.py).
BROWSER_ONLY_PAGES = {"live.py"}
NO_DEVDATA = "needs the development data (../shared/data), which CI has and a user's checkout does not"


def pytest_configure(config):
    config.addinivalue_line("markers", "devdata: needs ../shared (skipped with a reason when absent)")


def pytest_runtest_setup(item):
    if item.get_closest_marker("devdata") and not (HAVE_DEVDATA and MANIFEST.is_file()):
        pytest.skip(NO_DEVDATA)


@pytest.fixture(scope="session")
def lsp():
    from poseviz.data.lsp import load_lsp

    if not HAVE_DEVDATA:
        pytest.skip(NO_DEVDATA)
    return load_lsp(LSP_ROOT)


@pytest.fixture(scope="session")
def coco_gt():
    from poseviz.io.coco import load_coco

    if not HAVE_DEVDATA:
        pytest.skip(NO_DEVDATA)
    return load_coco(COCO_GT)
