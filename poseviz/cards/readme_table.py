"""The README's shipped-model table, generated from the model cards' JSON figures.

The README must never drift from what the cards measured, so the table is built here and a
test compares it with the README's text between ``TABLE_START`` and ``TABLE_END``.
"""
from __future__ import annotations

from pathlib import Path

from poseviz.models.zoo import ZOO, card_metrics

__all__ = ["TABLE_START", "TABLE_END", "task_label", "shipped_table", "replace_table", "write_readme"]

TABLE_START = "<!-- shipped-models:start (python -m poseviz models --write-readme) -->"
TABLE_END = "<!-- shipped-models:end -->"

_HEADER = (
    "| model | task | LSP test PCK@0.2, detector box (flip) | COCO AP, detected boxes (flip) | MPII PCKh@0.5, MPII's box (flip) "
    "| LSP test PCK@0.2, joints' box (flip) | COCO AP, GT boxes (flip) | MPII PCKh@0.5, joints' box (flip) | params | GFLOPs "
    "| median ms / crop (2-core CPU) | card |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|"
)
_TASKS = {
    "keypoints": "belief maps",
    "paf": "belief maps + part affinity fields (bottom-up)",
    "dense": "belief maps + DensePose-style charts",
}


def task_label(name: str) -> str:
    """What a zoo model outputs, in words, with the architectural twist worth naming."""
    e = ZOO[name]
    if e.arch == "ensemble":
        return (f"accuracy-first: belief maps of {' + '.join(e.kwargs['members'])} averaged over "
                f"{len(e.kwargs['scales'])} crop scales")
    label = _TASKS[e.task]
    if e.kwargs.get("nonlocal_at"):
        label += ", non-local block"
    if e.arch == "cpm" and e.kwargs.get("batch_norm"):
        label += " (CPM + BatchNorm)"
    if e.arch == "efficientpose":
        label = "skeleton PAFs, then belief maps (MPII-16; the authors' weights)"
    return label


def shipped_table() -> str:
    """Markdown table of every zoo model that has a card, best first by what a user gets (LSP test, detector box)."""
    rows = []
    for name in ZOO:
        m = card_metrics(name)
        if not m:
            continue
        u = m.get("user_boxes", {})
        coco = f"{m['coco_boxes_flip']['AP']:.3f}" if "coco_boxes_flip" in m else "—"
        mpii = f"{m['mpii_pckh_flip']:.1f} %" if "mpii_pckh_flip" in m else "—"
        lsp_det = f"**{u['lsp_detected_flip']:.1f} %**" if u else "—"
        coco_det = f"**{u['coco_detected_flip']['AP']:.3f}**" if u else "—"
        mpii_own = f"**{u['mpii_own_box_flip']:.1f} %**" if u else "—"
        if not ZOO[name].trained_here:  # its authors trained on all of MPII: say so beside every MPII figure
            mpii_own, mpii = f"{mpii_own} ¹", f"{mpii} ¹"
        rows.append((u.get("lsp_detected_flip", -1.0), m["pck_test_flip"], (
            f"| `{name}` | {task_label(name)} | {lsp_det} | {coco_det} | {mpii_own} | {m['pck_test_flip']:.1f} % | {coco} | {mpii} "
            f"| {m['params'] / 1e6:.2f} M | {m['gflops']:.2f} | {m['median_ms_per_crop']:.0f} | `assets/{name}.md` |"
        )))
    rows.sort(key=lambda r: (-r[0], -r[1]))
    lines = [_HEADER, *(r for _, _, r in rows)]
    if any(not ZOO[n].trained_here for n in ZOO if card_metrics(n)):
        lines.append("\n¹ not held out: EfficientPose's authors trained it on all of MPII.")
    return "\n".join(lines)


def replace_table(readme_text: str, table: str) -> str:
    """``readme_text`` with the text between the table markers replaced by ``table``."""
    try:
        head, rest = readme_text.split(TABLE_START, 1)
        _, tail = rest.split(TABLE_END, 1)
    except ValueError:
        raise ValueError(f"the README lacks the markers {TABLE_START!r} … {TABLE_END!r}") from None
    return f"{head}{TABLE_START}\n{table}\n{TABLE_END}{tail}"


def write_readme(path: str | Path) -> bool:
    """Rewrite the table in the README at ``path``; True when its text changed."""
    from poseviz.core.errors import PoseVizInputError
    from poseviz.io.writing import atomic_write_text

    p = Path(path)
    if p.is_dir():
        raise PoseVizInputError(f"{p} is a folder; give the README file")
    if p.exists() and not p.is_file():
        raise PoseVizInputError(f"{p} is not a regular file; give the README file")
    if not p.is_file():
        raise PoseVizInputError(f"{p} not found")
    try:
        old = p.read_text(encoding="utf-8")
        new = replace_table(old, shipped_table())
    except (UnicodeDecodeError, ValueError) as exc:
        raise PoseVizInputError(f"{p}: {exc}") from None
    changed = new != old
    if changed:
        atomic_write_text(p, new)
    return changed
