"""Shared fixtures. The development data lives in ../shared/data (never in the repo)."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
COCO_MINI = SHARED / "data" / "coco-mini"
COCO_GT = COCO_MINI / "annotations" / "person_keypoints_train2017.json"
LSP_ROOT = SHARED / "data" / "lsp"
MANIFEST = SHARED / "manifests" / "official_checkpoints.json"


@pytest.fixture(scope="session")
def lsp():
    from poseviz.data.lsp import load_lsp

    return load_lsp(LSP_ROOT)


@pytest.fixture(scope="session")
def coco_gt():
    from poseviz.coco import load_coco

    return load_coco(COCO_GT)
