"""The card figures a user gets: every person cropped from a box a user has, never from the ground-truth joints.

Training crops are cut from the ground-truth joints' box × 1.3; no user has that box, so the figures measured
with it overstate what the explorer does on a user's photo (issue 38). These are measured the app's way instead,
with flip test:

- LSP test (1001–2000): the person detector's box on the whole LSP image (the whole image when it finds nobody);
- COCO sample: the standard protocol — every detection, top-down, AP over all people (as mmpose reports it);
- MPII validation people: the detector's box on the image, and MPII's own person box (centre, scale × 200 px).
"""
from __future__ import annotations

from pathlib import Path

from torch import nn

__all__ = ["MPII_SUBSET", "user_box_figures", "user_box_rows", "with_user_box_figures"]

MPII_SUBSET = 50  # the MPII people a test re-measures with MPII's own box


def user_box_figures(model: nn.Module, root: str | Path | None = None, progress: bool = True) -> dict:
    """{"user_boxes": figures} of ``model`` (see the module docstring); ``model`` as ``eval`` runs it."""
    from poseviz.metrics.source_scores import score_sources

    det = score_sources(model, ("lsp", "coco", "mpii"), root, flip=True, boxes="detected", progress=progress)
    own = score_sources(model, ("mpii",), root, flip=True, boxes="gt", progress=False)["mpii"]
    own_sub = score_sources(model, ("mpii",), root, flip=True, boxes="gt", limit=MPII_SUBSET, progress=False)["mpii"]
    c = det["coco"]
    return {"user_boxes": {
        "lsp_detected_flip": det["lsp"]["mean"], "lsp_people": det["lsp"]["people"],
        "coco_detected_flip": {k: c[k] for k in ("AP", "AP .5", "AP .75", "AR", "people", "images")},
        "mpii_detected_flip": det["mpii"]["mean"], "mpii_own_box_flip": own["mean"], "mpii_people": own["people"],
        "mpii_own_box_subset50_flip": own_sub["mean"],
    }}


def with_user_box_figures(name: str, root: str | Path | None = None, progress: bool = True) -> dict:
    """An existing card's figures with its user-box figures measured now; every other figure stays."""
    import json

    from poseviz.models import zoo
    from poseviz.models.fast_inference import for_inference
    from poseviz.models.pretrained import load_pretrained

    m = json.loads(zoo.card_metrics_path(name).read_text())
    m.update(user_box_figures(for_inference(load_pretrained(name)), root, progress))
    return m


def user_box_rows(m: dict) -> list[str]:
    """The card's leading rows: what a user gets (empty for a card measured before these figures existed)."""
    u = m.get("user_boxes")
    if not u:
        return []
    c = u["coco_detected_flip"]
    return [
        f"| **what a user gets** (person detector's box, as the app crops it; flip test) | LSP test PCK@0.2 "
        f"{u['lsp_detected_flip']} % · COCO sample AP {c['AP']:.3f} (AP@.5 {c['AP .5']:.3f}, AR {c['AR']:.3f}; every "
        f"detection on {c['images']} images) · MPII validation PCKh@0.5 {u['mpii_detected_flip']} % |",
        f"| MPII validation PCKh@0.5 with MPII's own person box (centre, scale × 200 px; {u['mpii_people']} people, flip "
        f"test) | {u['mpii_own_box_flip']} % (people 1–{MPII_SUBSET}, re-checked by the tests: "
        f"{u['mpii_own_box_subset50_flip']} %) |",
    ]
