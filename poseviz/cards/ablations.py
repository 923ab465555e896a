"""The seed ablations: accuracy against theoretical receptive field (every stage of a 6-stage CPM) and
HRNet against Stacked Hourglass at matched parameter count.

Measured from their training runs (``python -m poseviz train --model cpm6_ablation | hourglass_ablation |
hrnet_ablation``) and written to ``assets/ablations.json`` and ``assets/ablations.md``; the Receptive-field
page shows them. Their weights are not shipped (the tree stays small enough to carry to a GPU machine);
the runs' logs are kept beside the card.
"""
from __future__ import annotations

import json
import platform
import shutil
from pathlib import Path

import numpy as np
import torch
from torch import nn

from poseviz.data.lsp import load_lsp, lsp_split
from poseviz.data.mix import VALIDATION_SIZES, load_split
from poseviz.data.root import data_root
from poseviz.explain.receptive_field import stage_receptive_fields
from poseviz.io.writing import atomic_write_text
from poseviz.metrics.evaluation import count_flops, evaluate_lsp, stage_pck
from poseviz.models import zoo
from poseviz.models.fast_inference import for_inference
from poseviz.models.pretrained import read_state_dict
from poseviz.training.validation import VALIDATION_METRICS

__all__ = ["STAGE_MODEL", "MATCHED_MODELS", "ablations_path", "load_ablations", "load_run", "stage_rows",
           "matched_row", "measure_ablations", "write_ablations", "rf_finding", "matched_finding"]

STAGE_MODEL = "cpm6_ablation"
MATCHED_MODELS = ("hourglass_ablation", "hrnet_ablation")


def ablations_path() -> Path:
    """Where the measured ablations live (JSON; the Markdown card sits beside it)."""
    return zoo.ASSETS / "ablations.json"


def load_ablations() -> dict:
    """The measured ablations, or {} when they have not been measured."""
    p = ablations_path()
    return json.loads(p.read_text()) if p.is_file() else {}


def load_run(name: str, run_dir: str | Path) -> nn.Module:
    """The ablation model ``name`` with the weights its run selected (``<run_dir>/<name>/best.safetensors``)."""
    model = zoo.build(name)
    model.load_state_dict(read_state_dict(Path(run_dir) / name / "best.safetensors"))  # strict: a run of this very model
    return model.eval()


def stage_rows(model: nn.Module, root: str | Path | None = None, progress: bool = False) -> list[dict]:
    """One row per stage: its theoretical receptive field (input px) and its own belief maps' accuracy on
    the validation people (LSP Extended PCK@0.2, MPII PCKh@0.5, their mean) and on LSP test (PCK@0.2, no flip)."""
    root = data_root(root)
    lsp = load_lsp(root / "lsp")
    test = stage_pck(model, lsp, lsp_split("test", len(lsp)), progress=progress)
    validation = load_split({}, root).validation
    val = {}
    for source, people in validation.items():
        column, reference, alpha = VALIDATION_METRICS[source]
        val[column] = stage_pck(model, people, np.arange(len(people)), alpha=alpha, reference=reference, progress=progress)
    rows = []
    for i, (rf, name) in enumerate(zip(stage_receptive_fields(model), test)):
        scores = {column: round(v[name], 2) for column, v in val.items()}
        rows.append({"stage": i + 1, "rf_px": rf.rf.size, "depth": rf.depth, **scores,
                     "val_score": round(float(np.mean(list(scores.values()))), 2), "lsp_test_pck": round(test[name], 2)})
    return rows


def _run_record(name: str, run_dir: Path) -> dict:
    from poseviz.cards import _training_info

    t = _training_info(run_dir / name)
    curve = t.get("validation_curve", [])
    best = max(curve, key=lambda r: r[1]) if curve else None
    return {"epochs": t.get("epochs"), "epoch_size": t.get("epoch_size"), "wall_minutes": t.get("wall_minutes"),
            "lr": t.get("config", {}).get("lr"), "init_from": t.get("init_from"),
            "best_val_score": best and round(best[1], 2), "best_epoch": best and best[0],
            "validation_curve": [[e, round(s, 2)] for e, s, *_ in curve]}


def matched_row(name: str, run_dir: str | Path, root: str | Path | None = None, progress: bool = False) -> dict:
    """Size, speed, training record and accuracy (LSP test PCK@0.2 with flip, COCO sample AP, MPII PCKh) of one model."""
    from poseviz.cards import latency_figures, source_figures

    model = load_run(name, run_dir)
    lsp = load_lsp(data_root(root) / "lsp")
    flipped = evaluate_lsp(model, lsp, lsp_split("test", len(lsp)), flip=True, progress=progress)
    sources = source_figures(for_inference(model), root, progress)
    return {"model": name, "description": zoo.entry(name).description, "params": int(sum(p.numel() for p in model.parameters())),
            "gflops": round(count_flops(model), 3), "median_ms_per_crop": latency_figures(model, repeats=30)["median_ms_per_crop"],
            **_run_record(name, Path(run_dir)), "lsp_test_pck_flip": round(flipped.pck.mean, 2),
            "coco_ap_flip": round(sources["coco_boxes_flip"]["AP"], 4), "mpii_pckh_flip": round(sources["mpii_pckh_flip"], 2)}


def measure_ablations(run_dir: str | Path, root: str | Path | None = None, progress: bool = True) -> dict:
    """Every ablation figure, measured now from the runs in ``run_dir``."""
    torch.set_num_threads(2)
    stage_model = load_run(STAGE_MODEL, run_dir)
    return {
        "receptive_field": {"model": STAGE_MODEL, "description": zoo.entry(STAGE_MODEL).description,
                            **_run_record(STAGE_MODEL, Path(run_dir)), "stages": stage_rows(stage_model, root, progress)},
        "matched": [matched_row(n, run_dir, root, progress) for n in MATCHED_MODELS],
        "validation_people": dict(VALIDATION_SIZES),
        "machine": f"{platform.machine()}, {torch.get_num_threads()} CPU threads, torch {torch.__version__}",
    }


def rf_finding(stages: list[dict], crop: int = 128) -> str:
    """What the stage rows show, in one sentence, from their numbers: the score up to the first stage whose field
    is at least twice the crop (every output position then sees all of it) and what the later stages add."""
    first, last = stages[0], stages[-1]
    k = next((i for i, r in enumerate(stages) if r["rf_px"] >= 2 * crop), None)
    if k is None:
        return (f"The validation score goes from {first['val_score']} % (stage 1, field {first['rf_px']:.0f} px) to "
                f"{last['val_score']} % at stage {last['stage']} (field {last['rf_px']:.0f} px, short of twice the {crop} px crop).")
    after = last["val_score"] - stages[k]["val_score"]
    n = len(stages) - 1 - k
    tail = f"; the {n} stage{'s' if n > 1 else ''} after it add{'' if n > 1 else 's'} {after:+.2f} points" if n else ""
    return (f"The validation score goes from {first['val_score']} % (stage 1, field {first['rf_px']:.0f} px) to "
            f"{stages[k]['val_score']} % at stage {stages[k]['stage']}, the first whose field ({stages[k]['rf_px']:.0f} px) is at "
            f"least twice the {crop} px crop, so that every output position sees the whole crop{tail}.")


def matched_finding(matched: list[dict]) -> str:
    """Which of the matched models learned more and which runs faster, from their numbers."""
    a, b = sorted(matched, key=lambda m: m["best_val_score"], reverse=True)
    fast, slow = sorted(matched, key=lambda m: m["median_ms_per_crop"])
    return (f"Under the same budget from scratch, {a['model']} reaches a validation score of {a['best_val_score']} % against "
            f"{b['best_val_score']} % for {b['model']}; {fast['model']} is {slow['median_ms_per_crop'] / fast['median_ms_per_crop']:.1f}× "
            "faster per crop. HRNet's published results start from ImageNet-pretrained weights and train for 210 epochs: "
            "this compares early training from scratch, not converged models.")


def _markdown(a: dict) -> str:
    rf, matched = a["receptive_field"], a["matched"]
    stage_lines = [f"| {r['stage']} | {r['rf_px']:.0f} | {r['val_lspet_pck']} | {r['val_mpii_pckh']} | {r['val_score']} | {r['lsp_test_pck']} |"
                   for r in rf["stages"]]
    cols = ["parameters", "GFLOPs per crop", "median ms per crop (fast inference)", "training", "best validation score (epoch)",
            "LSP test PCK@0.2, flip", "COCO sample OKS-AP, GT boxes, flip", "MPII validation PCKh@0.5, flip"]

    def cells(m: dict) -> list[str]:
        return [f"{m['params']:,}", f"{m['gflops']}", f"{m['median_ms_per_crop']}",
                f"{m['epochs']} epochs × {m['epoch_size']} people from scratch, {m['wall_minutes']} min",
                f"{m['best_val_score']} % ({m['best_epoch']})", f"{m['lsp_test_pck_flip']} %", f"{m['coco_ap_flip']:.3f}",
                f"{m['mpii_pckh_flip']} %"]

    table = [f"| | {' | '.join(m['model'] for m in matched)} |", "|---|" + "---|" * len(matched),
             *[f"| {c} | {' | '.join(cells(m)[i] for m in matched)} |" for i, c in enumerate(cols)]]
    return "\n".join([
        "# Seed ablations", "",
        "Two claims the explorer shows, measured on the training mix (LSP 1–1000, LSP Extended, MPII) with the "
        f"validation people held out ({a['validation_people']['lspet']} LSP Extended, {a['validation_people']['mpii']} MPII; "
        "the validation score is the mean of their PCK@0.2 and PCKh@0.5). LSP test (1001–2000) was not looked at during "
        f"training; its figures are final figures only. Measured on {a['machine']}. Rerun: "
        "`python -m poseviz ablations --run-dir RUNS` after the three `train` runs below.", "",
        "## Accuracy against theoretical receptive field", "",
        f"{rf['description']}: stages 1–3 start from `cpm_lsp`'s weights and stages 4–6 from copies of its stage 3 "
        f"(`python -m poseviz grow cpm_lsp --add-stage 3`), then all six are trained together with a loss on every stage for "
        f"{rf['epochs']} epochs × {rf['epoch_size']} people ({rf['wall_minutes']} min, lr {rf['lr']}); the weights with the best "
        f"validation score (epoch {rf['best_epoch']}) are measured. Each row is one stage's own belief maps: what a CPM cut "
        "after that stage predicts (no flip test).", "",
        "| stage | theoretical RF (px, 128 px crop) | LSP Extended val PCK@0.2 % | MPII val PCKh@0.5 % | validation score % | LSP test PCK@0.2 % |",
        "|---|---|---|---|---|---|", *stage_lines, "", rf_finding(rf["stages"]), "",
        "## HRNet against Stacked Hourglass at matched parameter count", "",
        "Both trained from scratch alike: the same training mix, seed and schedule (AdamW, cosine, lr 2e-3, batch 16); "
        "the weights with the best validation score are measured.", "", *table, "", matched_finding(matched), ""])


def write_ablations(a: dict, out_dir: Path | None = None, run_dir: str | Path | None = None) -> Path:
    """Write ``ablations.json`` and ``ablations.md`` (and copy each run's log beside them when ``run_dir`` holds it)."""
    out_dir = out_dir or zoo.ASSETS
    atomic_write_text(out_dir / "ablations.json", json.dumps(a, indent=1))
    if run_dir is not None:
        for name in (STAGE_MODEL, *MATCHED_MODELS):
            log = Path(run_dir) / name / "log.csv"
            if log.is_file():
                shutil.copyfile(log, out_dir / f"{name}_train_log.csv")
    path = out_dir / "ablations.md"
    atomic_write_text(path, _markdown(a))
    return path
