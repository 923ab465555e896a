"""Lesson 6's controlled comparison: one 3-stack hourglass recipe trained from scratch twice, with and without
the pasted occluders of ``poseviz.training.augment.add_occluders`` — the same data, seed, schedule and budget.

Every shipped model was trained with those rectangles, so grey squares are a test they rehearsed; this pair says
what the rehearsal buys. Measured from the two runs (``python -m poseviz train --model hourglass_occ_ablation
--occluders 0.5`` and ``--model hourglass_noocc_ablation --occluders 0``, the rest of the flags alike) and written to
``assets/occluder_ablation.json`` and ``.md``; both runs' final weights ship beside them (1.5 MB each) because the
lesson runs them.
"""
from __future__ import annotations

import json
import platform
import shutil
from pathlib import Path

import numpy as np
import torch

from poseviz.data.lsp import load_lsp, lsp_split
from poseviz.data.root import data_root
from poseviz.explain.occlusion import compare_sweeps, occlusion_sweep, visibility_rows
from poseviz.io.writing import atomic_write_text
from poseviz.metrics.bootstrap import pck_interval
from poseviz.metrics.evaluation import load_images
from poseviz.models import zoo
from poseviz.models.fast_inference import for_inference
from poseviz.models.pretrained import read_state_dict

__all__ = ["PAIR", "SWEEP_SIZES", "card_path", "load_occluder_ablation", "measure_occluder_ablation",
           "occluder_finding", "write_occluder_ablation"]

PAIR = ("hourglass_occ_ablation", "hourglass_noocc_ablation")  # (with occluders, without)
SWEEP_SIZES = (0.0, 0.15, 0.3, 0.45)  # occluder side as a fraction of the crop; 0 is the unoccluded crop


def card_path() -> Path:
    """Where the measured pair lives (JSON; the Markdown card sits beside it)."""
    return zoo.ASSETS / "occluder_ablation.json"


def load_occluder_ablation() -> dict:
    """The measured pair, or {} when it has not been measured."""
    p = card_path()
    return json.loads(p.read_text()) if p.is_file() else {}


def _run_record(run: Path) -> dict:
    from poseviz.cards import _training_info

    t = _training_info(run)
    c = json.loads((run / "config.json").read_text())
    return {"epochs": t.get("epochs"), "epoch_size": c.get("epoch_size"), "wall_minutes": t.get("wall_minutes"),
            "lr": c.get("lr"), "batch_size": c.get("batch_size"), "seed": c.get("seed"), "threads": c.get("threads"),
            "occluder_prob": c["augment"]["occluder_prob"], "select": c.get("select"),
            "validation_curve": [[e, round(s, 2)] for e, s, *_ in t.get("validation_curve", [])]}


def measure_occluder_ablation(run_dir: str | Path, root: str | Path | None = None, sweep_people: int = 200,
                              people: int | None = None, progress: bool = True) -> dict:
    """Both runs measured now: their training records; on the LSP test people (all, or the first ``people``), PCK
    on visible and on occluded joints; on the first ``sweep_people``, PCK under grey squares of ``SWEEP_SIZES`` at
    2 × 2 positions, and how much more the model trained without occluders drops (paired intervals)."""
    torch.set_num_threads(2)
    run_dir = Path(run_dir)
    models = {}
    for name in PAIR:
        m = zoo.build(name)
        m.load_state_dict(read_state_dict(run_dir / name / "last.safetensors"))  # strict: a run of this very model
        models[name] = for_inference(m.eval())
    lsp = load_lsp(data_root(root) / "lsp")
    test = lsp_split("test", len(lsp))[:people]
    rows, results = visibility_rows(models, lsp, test)
    with_occ, without = (results[n] for n in PAIR)
    flags = lsp.joints[test][..., 2]
    gains = {}  # what training with occluders adds, on the occluded joints (v = 1) and on the visible ones (v = 2)
    for kind, v in (("occluded", 1), ("visible", 2)):
        counted = with_occ.labelled & (flags == v)
        gain = 100 * ((with_occ.correct & counted).sum() - (without.correct & counted).sum()) / counted.sum()
        gains[f"{kind}_gain"] = round(float(gain), 1)
        gains[f"{kind}_gain_ci"] = [round(x, 1) for x in pck_interval(with_occ.correct, counted, baseline=without.correct)]
    sweep_idx = test[:sweep_people]
    images = load_images(lsp, sweep_idx)
    sweeps = {n: occlusion_sweep(m, lsp, sweep_idx, sizes=SWEEP_SIZES, grid=2, images=images, progress=progress)
              for n, m in models.items()}
    return {
        "pair": list(PAIR), "runs": {n: _run_record(run_dir / n) for n in PAIR},
        "visibility": {"people": len(test), "rows": rows, **gains},
        "sweep": {"people": len(sweep_idx), "positions": 4,
                  "pck": {n: [round(float(v), 1) for v in s.pck] for n, s in sweeps.items()},
                  "compare": compare_sweeps(sweeps[PAIR[1]], sweeps[PAIR[0]], (PAIR[1], PAIR[0]))},
        "machine": f"{platform.machine()}, {torch.get_num_threads()} CPU threads, torch {torch.__version__}",
    }


def _interval(lo: float, hi: float) -> str:
    return f"{lo} – {hi}{', which holds 0' if lo <= 0 <= hi else ''}"


def occluder_finding(a: dict) -> str:
    """What the pair shows, in two sentences, from its numbers (an interval that holds 0 is said to)."""
    last = a["sweep"]["compare"][-1]
    more = last[f"{PAIR[1]} drops more by (points)"]
    lo, hi = (float(x) for x in last["95 % CI (paired)"].split(" – "))
    if lo <= 0 <= hi:
        sweep = f"the two models lose alike: {PAIR[1]} drops {more:+} points more"
    else:
        sweep = f"{PAIR[1]} drops {abs(more)} points {'more' if more > 0 else 'less'} than {PAIR[0]}"
    v = a["visibility"]
    return (f"Under a grey square {last['occluder side (% of crop)']} % of the crop's side, {sweep} (paired 95 % "
            f"interval {_interval(lo, hi)}). On the joints LSP's annotators marked occluded — real occluders, not "
            f"rectangles — {PAIR[0]} scores {v['occluded_gain']:+} points (paired 95 % interval "
            f"{_interval(*v['occluded_gain_ci'])}), and on the visible joints {v['visible_gain']:+} points "
            f"({_interval(*v['visible_gain_ci'])}).")


def _markdown(a: dict) -> str:
    runs = a["runs"]
    r0 = runs[PAIR[0]]
    vis = a["visibility"]["rows"]
    vis_cols = list(vis[0])
    cmp = a["sweep"]["compare"]
    cmp_cols = list(cmp[0])
    training = [f"| {n} | {r['occluder_prob']} | {r['epochs']} × {r['epoch_size']} | {r['wall_minutes']} | "
                f"{r['validation_curve'][-1][1] if r['validation_curve'] else '–'} |" for n, r in runs.items()]
    return "\n".join([
        "# Occluder augmentation: a controlled pair", "",
        "Every shipped model was trained with pasted rectangles (half of the crops, one or two flat-colour or noise "
        "rectangles 10–30 % of the crop's side). To see what that rehearsal buys, one 3-stack hourglass recipe was "
        f"trained from scratch twice on the training mix — the same seed ({r0['seed']}), schedule (AdamW, cosine, lr "
        f"{r0['lr']}, batch {r0['batch_size']}, {r0['epochs']} epochs × {r0['epoch_size']} people, "
        f"{r0['threads']} CPU thread each) and weights selection ({r0['select']} epoch) — once with the rectangles and once "
        f"without. Small and briefly trained, these are weaker than the shipped models: read them against each other. "
        f"Measured on {a['machine']}; LSP test figures are final figures (nothing was selected on them). Rerun: "
        "`python -m poseviz ablations --occluders --run-dir RUNS` after the two `train` runs.", "",
        "| run | share of crops with occluders | epochs × people | minutes | last validation score % |", "|---|---|---|---|---|",
        *training, "",
        f"## Joints the annotators marked occluded ({a['visibility']['people']} LSP test people, annotated boxes, no flip)", "",
        "| " + " | ".join(vis_cols) + " |", "|" + "---|" * len(vis_cols),
        *["| " + " | ".join(str(r[c]) for c in vis_cols) + " |" for r in vis], "",
        f"## Under grey squares ({a['sweep']['people']} LSP test people × {a['sweep']['positions']} positions)", "",
        "| " + " | ".join(cmp_cols) + " |", "|" + "---|" * len(cmp_cols),
        *["| " + " | ".join(str(r[c]) for c in cmp_cols) + " |" for r in cmp], "",
        occluder_finding(a), ""])


def write_occluder_ablation(a: dict, run_dir: str | Path | None = None, out_dir: Path | None = None) -> Path:
    """Write ``occluder_ablation.json`` and ``.md``; with ``run_dir``, ship both runs' final weights and logs beside them."""
    out_dir = out_dir or zoo.ASSETS
    if run_dir is not None:
        for name in PAIR:
            shutil.copyfile(Path(run_dir) / name / "last.safetensors", out_dir / f"{name}.safetensors")
            shutil.copyfile(Path(run_dir) / name / "log.csv", out_dir / f"{name}_train_log.csv")
    atomic_write_text(out_dir / "occluder_ablation.json", json.dumps(a, indent=1))
    path = out_dir / "occluder_ablation.md"
    atomic_write_text(path, _markdown(a))
    return path
