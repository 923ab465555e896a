"""Model cards: measure a shipped model and write ``assets/<name>.md`` and ``assets/<name>.json``."""
from __future__ import annotations

import csv
import json
import platform
import re
import statistics
import time
from pathlib import Path

import torch

from poseviz.cards.user_boxes import user_box_figures, user_box_rows
from poseviz.core.schemas import LSP14
from poseviz.data.lsp import load_lsp, lsp_split
from poseviz.inference.top_down import crop_context, model_input_size
from poseviz.io.writing import atomic_write_text
from poseviz.metrics.evaluation import count_flops, evaluate_lsp
from poseviz.models import zoo
from poseviz.models.fast_inference import for_inference
from poseviz.models.pretrained import load_pretrained
from poseviz.training.dataset import load_images

__all__ = ["SUBSET", "measure_model", "write_card", "latencies_ms", "latency_figures", "remeasure_latency", "coco_mini_ap", "default_coco_root", "fresh_layers", "measured_config"]

SUBSET = 50  # the fixed test subset the zoo test re-measures: LSP images 1001–1050
COCO_SUBSET = 20  # COCO sample images the zoo test re-measures
TARGET_PCK = 77.0  # every shipped model, LSP test PCK@0.2 with flip (the model-zoo v2 target)
# The accuracy-first model (an ensemble here): LSP test PCK@0.2 with flip, and median ms per crop with flip.
TARGET_PCK_ACCURACY_FIRST, BUDGET_MS_ACCURACY_FIRST = 85.0, 120.0


def latencies_ms(models: dict[str, torch.nn.Module], repeats: int = 30, flip: bool = False) -> dict[str, float]:
    """Median ms per forward of several models timed in turn within each repeat, so that a
    machine whose speed drifts (a shared VM) slows them alike and their ratios stay fair."""
    inputs = {}
    for key, model in models.items():
        w, h = model_input_size(model)
        inputs[key] = torch.randn(2 if flip else 1, 3, h, w)
    times: dict[str, list[float]] = {k: [] for k in models}
    with torch.inference_mode():
        for i in range(repeats + 5):
            for key, model in models.items():
                t0 = time.perf_counter()
                model(inputs[key])
                if i >= 5:
                    times[key].append(time.perf_counter() - t0)
    return {k: 1000 * statistics.median(v) for k, v in times.items()}


def latency_figures(model: torch.nn.Module, repeats: int = 50) -> dict:
    """A card's latency figures (ms): the fast model alone and with flip, and the eager one
    timed interleaved with it."""
    fast = for_inference(model)
    both = latencies_ms({"fast": fast, "eager": model}, repeats)
    return {"median_ms_per_crop": round(both["fast"], 2),
            "median_ms_per_crop_flip": round(latencies_ms({"fast": fast}, repeats, flip=True)["fast"], 2),
            "median_ms_per_crop_eager": round(both["eager"], 2)}


def _training_info(run_dir: Path) -> dict:
    info: dict = {"model": run_dir.name}
    log = run_dir / "log.csv"
    if log.is_file():
        rows = list(csv.DictReader(log.open()))
        if rows:
            info["epochs"] = int(rows[-1]["epoch"])
            info["wall_minutes"] = round(float(rows[-1]["wall_s"]) / 60, 1)
            evals = [(int(r["epoch"]), float(r["pck"])) for r in rows if r["pck"]]
            if "val_lspet_pck" in rows[0]:
                # Runs on the training mix monitor people carved from the training sources, not test images.
                info["validation_curve"] = [(int(r["epoch"]), float(r["pck"]), float(r["val_lspet_pck"]), float(r["val_mpii_pckh"]))
                                            for r in rows if r["pck"]]
            else:
                info["pck_curve_200"] = evals
            if evals:
                info["selected_epoch"] = max(evals, key=lambda e: e[1])[0]
    cfg = run_dir / "config.json"
    if cfg.is_file():
        c = json.loads(cfg.read_text())
        info["config"] = {k: c[k] for k in ("batch_size", "lr", "weight_decay", "sigma", "seed") if k in c}
        info["select"] = c.get("select", "best")
        # Runs before the option existed used Adam with the decay in the gradient.
        info["optimizer"] = {"adamw": "AdamW (decoupled weight decay)", "adam": "Adam"}[c.get("optimizer", "adam")]
        info["init_from"] = c.get("init_from")
        if c.get("frozen"):
            info["frozen"] = c["frozen"]
        record = _grow_record(c.get("init_from"))
        if record:
            info["init_model"] = record.get("model")
            info["revived_blocks"] = len(record.get("revived", []))
        info["scheduled_epochs"] = c.get("epochs")
        info["device"] = c.get("device")
        info["data_note"] = c.get("data_note")
        if "autocast" in c:
            info["autocast"], info["augment"] = c["autocast"], c.get("augment")
        if "mix" in c:
            info["mix"], info["epoch_size"] = c["mix"], c.get("epoch_size")
        if c.get("teacher"):
            info["config"].update(teacher=c["teacher"], distill=c.get("distill"))
    return info


def source_figures(model: torch.nn.Module, root: str | Path | None = None, progress: bool = True) -> dict:
    """The card's COCO (ground-truth boxes, flip test) and MPII validation (flip test) figures, on every
    person and on the fixed subsets the tests re-measure (COCO images 1–20, MPII people 1–50)."""
    from poseviz.metrics.source_scores import score_sources

    full = score_sources(model, ("coco", "mpii"), root, flip=True, progress=progress)
    coco_sub = score_sources(model, ("coco",), root, flip=True, limit=COCO_SUBSET, progress=False)["coco"]
    mpii_sub = score_sources(model, ("mpii",), root, flip=True, limit=SUBSET, progress=False)["mpii"]
    keep = ("AP", "AP .5", "AP .75", "AP (M)", "AP (L)", "AR", "mean_oks_whole", "mean_oks_partial", "people_whole", "people_partial")
    return {"coco_boxes_flip": {"people": full["coco"]["people"], **{k: full["coco"][k] for k in keep}},
            "coco_boxes_subset20_flip": coco_sub["AP"],
            "mpii_pckh_flip": full["mpii"]["mean"], "mpii_people": full["mpii"]["people"],
            "mpii_pckh_subset50_flip": mpii_sub["mean"]}


def measure_model(name: str, data_root: str | None = None, run_dir: str | Path = "runs", progress: bool = True,
                  coco_root: str | Path | None = None, latency: bool = False) -> dict:
    """Every figure a model card states, measured now on this machine.

    What cannot be re-measured is kept from the existing card: the training record when
    ``run_dir`` holds no log of this model (a fresh clone), and the latency figures unless
    ``latency`` (timings belong to a quiet machine, not to whatever else is running now).
    A run that continued this model's own weights adds the card's previous record to its history.
    """
    old = zoo.card_metrics(name)
    model = load_pretrained(name)
    data = load_lsp(None if data_root is None else Path(data_root) / "lsp")
    idx = lsp_split("test", len(data))
    images = load_images(data, idx)
    plain = evaluate_lsp(model, data, idx, flip=False, images=images, progress=progress)
    flipped = evaluate_lsp(model, data, idx, flip=True, images=images, progress=progress)
    subset = evaluate_lsp(model, data, idx[:SUBSET], flip=False, images=images[:SUBSET], progress=False)
    torch.set_num_threads(2)
    m = {
        "model": name,
        "description": zoo.entry(name).description,
        "arch": zoo.entry(name).arch,
        "config": measured_config(name),
        "params": int(sum(p.numel() for p in model.parameters())),
        "gflops": round(count_flops(model), 3),
        "pck_test": round(plain.pck.mean, 2),
        "pck_test_flip": round(flipped.pck.mean, 2),
        "pck_per_joint_flip": {j: round(float(v), 1) for j, v in zip(LSP14.joints, flipped.pck.per_joint)},
        "pck_subset50": round(subset.pck.mean, 2),
        **source_figures(for_inference(model), data_root, progress),
        **user_box_figures(for_inference(model), data_root, progress),
    }
    timing_keys = ("median_ms_per_crop", "median_ms_per_crop_flip", "median_ms_per_crop_eager", "machine")
    if latency or not all(k in old for k in timing_keys[:2]):
        m.update(latency_figures(model), machine=f"{platform.machine()}, {torch.get_num_threads()} CPU threads, torch {torch.__version__}")
    else:
        m.update({k: old[k] for k in timing_keys if k in old})
    if zoo.is_ensemble(name):
        # No training of its own: what it averages is recorded, and each member's card holds its training.
        m["training"] = {"model": name, "members": list(zoo.members(name)), "scales": list(zoo.entry(name).kwargs["scales"])}
        m["task"] = zoo.entry(name).task
        return m
    if not zoo.entry(name).trained_here:
        m["training"] = {"model": name, "trained_here": False}
        m["crop_context"] = crop_context(model)
        m["task"] = zoo.entry(name).task
        return m
    run_log = Path(run_dir) / name / "log.csv"
    m["training"] = _training_info(Path(run_dir) / name) if run_log.is_file() else old.get("training", {"model": name})
    if run_log.is_file() and old.get("training") and _continues_own(m["training"], name):
        previous = {k: v for k, v in old["training"].items() if k != "history"}
        m["training"]["history"] = [*old["training"].get("history", []), previous]
    elif not run_log.is_file() and "history" in old.get("training", {}):
        m["training"]["history"] = old["training"]["history"]
    init = m["training"].get("init_from")
    if init and _init_model(m["training"]) != name:
        m["training"]["fresh_layers"] = fresh_layers(model, init)
    else:
        grown = _growth(name, m)
        if grown:
            m["training"]["grown_from"] = grown
    if getattr(model, "nonlocal_block", None) is not None:
        from poseviz.explain.nonlocal_effect import nonlocal_effect

        m["nonlocal"] = nonlocal_effect(model, data, idx, images, progress=progress, pck_flip=flipped.pck.mean).as_dict()
    task = zoo.entry(name).task
    m["task"] = task
    if task == "dense":
        from poseviz.metrics.dense_eval import evaluate_dense

        m["charts_test"] = evaluate_dense(model, data, idx, images, progress=progress).as_dict()
        m["charts_subset50"] = evaluate_dense(model, data, idx[:SUBSET], images[:SUBSET], progress=False).as_dict()
    elif task == "paf":
        m["coco_mini_bottom_up"] = coco_mini_ap(model, coco_root, progress)
    return m


def _resolve(path: str | Path) -> Path:
    p = Path(path)
    return p if p.is_file() else zoo.ASSETS.parent / path


def _grow_record(init_from: str | None) -> dict | None:
    """What ``python -m poseviz grow`` wrote beside the weights a run started from, if anything."""
    if not init_from:
        return None
    p = _resolve(Path(init_from).with_suffix(".json"))
    return json.loads(p.read_text()) if p.is_file() else None


def _continues_own(t: dict, name: str) -> bool:
    return bool(t.get("init_from")) and _init_model(t) == name


def _init_model(t: dict) -> str:
    """The zoo model whose weights a run started from (a grown copy counts as its source model)."""
    return t.get("init_model") or Path(t["init_from"]).stem


def measured_config(name: str) -> dict:
    """The zoo entry's keyword arguments as the card's JSON holds them (nested tuples → lists)."""
    return json.loads(json.dumps(zoo.entry(name).kwargs))


def _growth(name: str, m: dict) -> dict | None:
    """Config changes since the previous card (weights grown with ``python -m poseviz grow``), or None.

    A re-measured card of the same run keeps the record its previous card had.
    """
    path = zoo.card_metrics_path(name)
    if not path.is_file():
        return None
    old = json.loads(path.read_text())
    if old.get("config") != m["config"]:
        return {k: [old.get("config", {}).get(k), v] for k, v in m["config"].items() if old.get("config", {}).get(k) != v}
    same_run = all(old.get("training", {}).get(k) == m["training"].get(k) for k in ("epochs", "wall_minutes", "init_from"))
    return old.get("training", {}).get("grown_from") if same_run else None


def fresh_layers(model: torch.nn.Module, init_from: str | Path) -> list[str] | None:
    """Top-level submodules of ``model`` that a warm start from ``init_from`` left untouched.

    ``init_from`` is read relative to the project root when it is not found as given; None if
    the file is gone (the card then says nothing about it).
    """
    from safetensors import safe_open

    path = _resolve(init_from)
    if not path.is_file():
        return None
    with safe_open(str(path), "pt") as f:
        have = set(f.keys())
    return sorted({k.split(".")[0] for k in model.state_dict() if k not in have})


def coco_mini_ap(model: torch.nn.Module, coco_root: str | Path | None = None, progress: bool = False) -> dict:
    """Bottom-up COCO AP/AR of an OpenPose-style model on the COCO sample (12 joints shared with LSP)."""
    from poseviz.inference.bottom_up import DEFAULT_LONG_SIDE, PAPER_SCALES, evaluate_bottom_up
    from poseviz.io.coco import load_coco
    from poseviz.io.images import load_image
    from poseviz.metrics import STAT_NAMES

    root = Path(coco_root) if coco_root else default_coco_root()
    gt = load_coco(root / "annotations" / "person_keypoints_train2017.json")
    ev, _ = evaluate_bottom_up(model, gt, lambda im: load_image(root / "train2017" / im["file_name"], max_side=None).rgb,
                               progress=progress, scales=PAPER_SCALES)
    return {"images": len(gt.dataset["images"]), "long_side": DEFAULT_LONG_SIDE, "scales": list(PAPER_SCALES), "joints": 12,
            **{k: round(float(v), 4) for k, v in zip(STAT_NAMES, ev.stats)}}


def default_coco_root() -> Path:
    """The COCO sample in the data root (``<data root>/coco-mini``)."""
    from poseviz.data.root import dataset_dir

    return dataset_dir("coco-mini")


_VALIDATION_WORDS = ("the validation score (mean of PCK@0.2 on 300 LSP Extended people and PCKh@0.5 on 200 MPII "
                     "people, held out of the training mix)")


def _checkpoint_row(t: dict, out_dir: Path | None = None) -> str:
    if t.get("validation_curve") and t.get("select") == "best":
        warm = "; continuing the previously shipped weights of this model" if t.get("init_from") and _init_model(t) == t.get("model") else ""
        return (f"| shipped checkpoint | epoch {t.get('selected_epoch', '?')} of {t.get('epochs', '?')}, the best by "
                f"{_VALIDATION_WORDS}{warm}; no test image was looked at during training |")
    if t.get("select") == "last":
        warm = ""
        if t.get("init_from"):
            own = _init_model(t) == t.get("model")
            # Numeric order, so part10 follows part9 rather than part1.
            earlier = sorted((p.name for p in (out_dir or zoo.ASSETS).glob(f"{t.get('model')}_train_log_part*.csv")),
                             key=lambda n: int(re.search(r"_part(\d+)\.csv$", n).group(1)))
            logs = ", ".join(f"`{n}`" for n in earlier) or "not kept"
            warm = (f"; a further cosine cycle continuing the previously shipped weights of this model (earlier cycles' logs: {logs})"
                    if own else f"; warm-started from `{t['init_from']}`{_fresh_note(t.get('fresh_layers'))}")
            warm += _frozen_note(t)
            if t.get("revived_blocks"):
                warm += (f"; before this cycle {t['revived_blocks']} dead residual blocks of those weights (every weight 0, "
                         "left by Adam's L2 decay) were re-initialised with `python -m poseviz grow --revive`, output unchanged")
            if t.get("grown_from"):
                changes = ", ".join(f"{k} {json.dumps(a)} → {json.dumps(b)}" for k, (a, b) in t["grown_from"].items())
                warm += (f"; before this cycle those weights were grown ({changes}) with `python -m poseviz grow`, "
                         "which adds capacity that starts as the identity, so the cycle began at their accuracy")
        planned = t.get("scheduled_epochs")
        where = ("end of the cosine schedule" if not planned or planned <= t.get("epochs", planned)
                 else f"the run was stopped {planned - t['epochs']} epochs before its {planned}-epoch cosine schedule ended")
        watched = ("PCK on LSP test images 1001–1200 was only monitored, not used to choose" if t.get("pck_curve_200")
                   else f"{_VALIDATION_WORDS} was monitored; no test image was looked at during training" if t.get("validation_curve")
                   else "no test image was looked at during training")
        return f"| shipped checkpoint | the last epoch ({t.get('epochs', '?')}, {where}){warm}; {watched} |"
    return (f"| shipped checkpoint | epoch {t.get('selected_epoch', '?')}, the best PCK@0.2 on LSP test images 1001–1200 "
            "during training (so those 200 test images also served for checkpoint selection) |")


def _frozen_note(t: dict) -> str:
    """What a ``--train-only`` run left as loaded (empty when everything was trained)."""
    if not t.get("frozen"):
        return ""
    trained = [n for n, _ in zoo.build(t["model"]).named_children() if n not in t["frozen"]]
    words = (f"; only {', '.join(f'`{n}`' for n in trained)} were trained, every other part stayed frozen as loaded "
             "(BatchNorm statistics included)")
    if t.get("init_from") and set(trained) <= set(t.get("fresh_layers") or ()):
        # Only layers the source lacked were trained: what the source computed is unchanged.
        words += f", so this model's belief maps are exactly those of the `{Path(t['init_from']).stem}` weights it started from"
    return words


def _fresh_note(layers: list[str] | None) -> str:
    if not layers:
        return ""
    names = ", ".join(f"`{n}`" for n in layers)
    why = (" — a non-local block starts as the identity (its last BatchNorm is zero-initialised, as in Wang et al.), "
           "so the cycle began at that model's accuracy") if layers == ["nonlocal_block"] else ""
    return f", which holds every layer but {names}; those started from a fresh initialisation{why}"


def _data_words(t: dict) -> str:
    if not t.get("mix"):
        return "LSP images 1–1000"
    per = f", {t['epoch_size']} people drawn per epoch" if t.get("epoch_size") else ""
    return ("LSP images 1–1000, LSP Extended (9,700 people) and MPII (1,086 people) in the last cycle (earlier cycles: "
            f"LSP images 1–1000 only), drawn with source shares `{t['mix']}`{per}, 300 LSP Extended and 200 MPII people "
            "held out for validation")


def _device_words(t: dict) -> str:
    # Runs from before the device was recorded all ran on this 2-core machine beside other jobs.
    return t.get("device") or "a 2-core CPU shared with other jobs"


def _augment_words(m: dict, t: dict) -> str:
    # Runs before the augmentation was recorded used rotation ±30°, scale ±25 % (PAF models ±40 %).
    a = t.get("augment") or {"rotation": 30.0, "scale": 0.4 if m.get("task") == "paf" else 0.25}
    occluders = "no synthetic occluders" if a.get("occluder_prob", 0.5) == 0 else "synthetic occluders"  # train --occluders 0
    words = f"rotation ±{a['rotation']:g}°, scale ±{a['scale'] * 100:g} %, flip, colour jitter, {occluders}"
    if a.get("half_body_prob"):
        words += (f", half-body crops (probability {a['half_body_prob']:g}: the upper or the lower body's joints "
                  f"framed × {a['half_body_enlarge']:g}) in the last cycle")
    if a.get("user_box_prob"):
        lo, hi = a["box_scale"]
        words += (f", crops cut like a user's box (probability {a['user_box_prob']:g}: the joints' box scaled "
                  f"{lo:g}–{hi:g} ×, shifted ±{a['box_shift'] * 100:g} %, aspect ±{a['box_aspect'] * 100:g} %; "
                  f"{a['detector_box_prob'] * 100:g} % of them the person detector's own box) in the last cycle")
    return words


def _distill_note(t: dict) -> str:
    c = t.get("config", {})
    if not c.get("teacher"):
        return ""
    a = c.get("distill")
    return (f"; distilled from `{c['teacher']}`: belief-map targets = {a} × its maps + {1 - a:g} × the Gaussians "
            "(Fast Pose Distillation, `--teacher`)")


def _targets_note(m: dict) -> str:
    if m.get("task") == "paf":
        return "; targets: Gaussian belief maps and a PAF per limb of LSP's skeleton (1 grid cell wide), every stage supervised"
    if m.get("task") == "dense":
        return "; targets: belief maps plus skeleton-derived I/U/V charts (cross-entropy and L1, weight 0.01)"
    return ""


def _task_section(m: dict) -> list[str]:
    if m.get("task") == "dense":
        c, c50 = m["charts_test"], m["charts_subset50"]
        return ["", "## Dense correspondence (skeleton-derived charts, not DensePose-COCO)", "",
                "Targets: each limb a capsule around its bone (radius 0.12 × torso), U along the bone, V across it; torso "
                "the shoulder–hip quadrilateral; head a capsule from neck to head top (`poseviz/core/dense.py`). Charts are "
                "predicted at stride 2 (64×64 for a 128×128 crop).", "",
                f"| LSP test (1000 crops) | mean part IoU {c['miou']} % · with left/right merged {c.get('miou_sideless', '?')} % · "
                f"U/V mean abs error {c['uv_error']} (chart units, where the part is right) |",
                "|---|---|",
                f"| test images 1001–1050 (re-checked by the tests) | mean part IoU {c50['miou']} % |", "",
                "| part | IoU % |", "|---|---|", *[f"| {p} | {v} |" for p, v in c["part_iou"].items()]]
    if m.get("task") == "paf":
        c = m["coco_mini_bottom_up"]
        return ["", "## Bottom-up multi-person (COCO sample)", "",
                f"Whole images resized to a long side of {_scale_words(c)}; belief maps + PAFs grouped into people "
                f"(`poseviz/inference/bottom_up.py`); scored with the core OKS/AP (equal to pycocotools) on the {c['joints']} joints "
                f"LSP and COCO share, over the {c['images']} images of the COCO sample (`coco-mini`).", "",
                "| stat | value |", "|---|---|", *[f"| {k} | {v} |" for k, v in c.items() if k not in ("images", "long_side", "scales", "joints")],
                "", "Trained only on single-person LSP crops, so crowded COCO scenes are out of its training distribution."]
    return []


def _scale_words(c: dict) -> str:
    scales = c.get("scales") or [1.0]
    if len(scales) == 1:
        return f"{c['long_side']} px"
    sides = ", ".join(f"{round(c['long_side'] * s)}" for s in scales)
    return (f"{sides} px in turn (OpenPose's test-time scale search, ×{', '.join(f'{s:g}' for s in scales)} of "
            f"{c['long_side']} px), the last stage's maps of every scale averaged")


def _nonlocal_section(m: dict) -> list[str]:
    n = m.get("nonlocal")
    if not n:
        return []
    drop = n["pck_flip"] - n["pck_flip_silenced"]
    verdict = (f"so the block does something: silencing it costs {drop:.2f} points of PCK" if drop > 0.3 else
               f"so the prediction hardly depends on it ({drop:+.2f} points of PCK when it is silenced)")
    kind = (" Its attention is nearly the same for every query — one global context for the whole image, "
            "as GCNet (Cao et al., 2019) found for non-local blocks in other networks." if n["query_dependence"] < 0.01 else "")
    return ["", "## Does the non-local block do anything?", "",
            "Measured by `poseviz.explain.nonlocal_effect` (rerun: `python -m poseviz card " + m["model"] + "`).", "",
            "| measure | value |", "|---|---|",
            f"| output gate, largest \|γ\| of the block's last BatchNorm (0 = the block adds nothing) | {n['output_gate']} |",
            f"| query dependence, mean Jensen–Shannon divergence between queries' attention maps "
            f"(0 = the same map for every query, ln 2 ≈ 0.693 = disjoint), LSP test images 1001–{1000 + n['query_dependence_people']} "
            f"| {n['query_dependence']} nats |",
            f"| attention entropy as a share of ln N (1 = every position weighed equally) | {n['entropy_share']} |",
            f"| LSP test PCK@0.2 (flip) with the block / with it silenced (output BatchNorm set to 0, as at initialisation) "
            f"| {n['pck_flip']:.2f} % / {n['pck_flip_silenced']:.2f} % |", "",
            f"The gate is open, {verdict}.{kind}" if n["output_gate"] > 1e-3 else
            "The gate is still closed: the block's attention never reaches the prediction."]


def _ablation_section(m: dict) -> list[str]:
    """A pointer to the seed ablations for the architectures they compare (written by ``python -m poseviz ablations``)."""
    if m.get("arch") not in ("cpm", "hourglass", "hrnet") or not (zoo.ASSETS / "ablations.md").is_file():
        return []
    what = {"cpm": "accuracy against theoretical receptive field, stage by stage of a 6-stage CPM",
            "hourglass": "Stacked Hourglass against HRNet at matched parameter count, both trained from scratch",
            "hrnet": "HRNet against Stacked Hourglass at matched parameter count, both trained from scratch"}[m["arch"]]
    return ["", "## Seed ablation", "", f"This architecture's ablation ({what}): `assets/ablations.md`, plotted on the "
            "Receptive-field page."]


def remeasure_latency(name: str) -> dict:
    """Re-time an existing card's latency figures on this machine (for a quiet machine, after
    a card was measured while training jobs shared the CPU); other figures stay as they are."""
    m = json.loads(zoo.card_metrics_path(name).read_text())
    model = load_pretrained(name)
    torch.set_num_threads(2)
    m.update(latency_figures(model))
    m["machine"] = f"{platform.machine()}, {torch.get_num_threads()} CPU threads, torch {torch.__version__}"
    return m


def _source_rows(m: dict) -> list[str]:
    if "coco_boxes_flip" not in m:
        return []
    c = m["coco_boxes_flip"]
    return [f"| COCO sample OKS-AP, ground-truth boxes, 12 body joints, flip test ({c['people']} people) | "
            f"AP {c['AP']:.3f} · AP@.5 {c['AP .5']:.3f} · AP@.75 {c['AP .75']:.3f} · AR {c['AR']:.3f} "
            f"(images 1–{COCO_SUBSET}, re-checked by the tests: AP {m['coco_boxes_subset20_flip']:.3f}){_completeness_words(c)} |",
            f"| MPII validation PCKh@0.5, ground-truth joints' box, flip test ({m['mpii_people']} people; head size 0.6 × √2 × neck→head top) | "
            f"{m['mpii_pckh_flip']} % (people 1–50, re-checked by the tests: {m['mpii_pckh_subset50_flip']} %) |"]


def _completeness_words(c: dict) -> str:
    if "mean_oks_whole" not in c:  # cards measured before the split was recorded
        return ""
    return (f"; mean OKS {c['mean_oks_whole']:.3f} on the {c['people_whole']} whole people, {c['mean_oks_partial']:.3f} "
            f"on the {c['people_partial']} partial ones (fewer than 4 of the arms' 6 joints, or of the legs' 6, labelled)")


def _history_section(t: dict) -> list[str]:
    cycles = t.get("history", [])
    if not cycles:
        return []
    rows = [f"| {i} | {c.get('epochs', '?')} | {c.get('wall_minutes', '?')} min | {_device_words(c)} | {_data_words(c)} |"
            for i, c in enumerate(cycles, 1)]
    return ["", "## Earlier training cycles", "", "| cycle | epochs | wall time | device | data |", "|---|---|---|---|---|", *rows]


def _eager_note(m: dict) -> str:
    if "median_ms_per_crop_eager" not in m:
        return ""
    return (f", BatchNorm folded and channels-last as `predict`, `eval` and the app run it "
            f"(eager PyTorch: {m['median_ms_per_crop_eager']} ms)")


def _block(lines: list[str]) -> str:
    """Lines to splice into the card template after a line of its own (each starts on a new line)."""
    return "".join("\n" + line for line in lines)


def _ensemble_values(m: dict) -> dict:
    """The card rows an ensemble states instead of a training record: what it averages, and its own targets."""
    members, scales = m["training"]["members"], m["training"]["scales"]
    cards = ", ".join(f"`{n}` (`assets/{n}.md`)" for n in members)
    lsp_ok = m["pck_test_flip"] >= TARGET_PCK_ACCURACY_FIRST
    ms_ok = m["median_ms_per_crop_flip"] <= BUDGET_MS_ACCURACY_FIRST
    return dict(
        training_data=f"none of its own; its members were trained as their cards say: {cards}",
        training=(f"none: the belief maps of {' and '.join(f'`{n}`' for n in members)} are averaged over views of the crop at "
                  f"scales {', '.join(f'{s:g}' for s in scales)} (`poseviz/models/ensemble.py`). Members and scales were "
                  "chosen on the validation split, never on test images: `benchmarks/ensemble_choice.py`"),
        checkpoint_row="| shipped checkpoint | no weights of its own: each member's shipped weights, so it follows them when they are retrained (re-measure this card then) |",
        curves="Stages shown by the explorer: each member's averaged belief maps, then their mean (the prediction).",
        limits=(f"The accuracy-first model: {'meets' if lsp_ok else 'below'} its target of ≥ {TARGET_PCK_ACCURACY_FIRST:g} % "
                f"PCK@0.2 (flip) on LSP test, {'within' if ms_ok else 'over'} its {BUDGET_MS_ACCURACY_FIRST:g} ms budget per crop "
                f"with flip test. Too slow for the live camera's default; pick it where accuracy matters more than speed. "
                f"Re-measure after retraining a member: `python -m poseviz card {m['model']} --latency` on a quiet machine."),
    )


def _authors_values(m: dict) -> dict:
    """The card rows of a published network shipped with its authors' weights: whose training, and what that
    means for the figures."""
    name = m["model"]
    return dict(
        training_data=("not trained by this project: its authors trained it on MPII Human Pose (Groos, Ramampiaro & "
                       "Ihlen, Applied Intelligence 2021), so **its MPII figures here are not held out**, and it predicts "
                       "MPII's 16 joints, scored on the LSP joints they share (MPII's head top and upper neck stand for "
                       "LSP's head and neck, which LSP annotates a little differently)"),
        training="none here: the authors' Keras weights read by `scripts/convert_efficientpose.py`, equal to their "
                 "reference output to about 1e-6 (`tests/test_efficientpose.py`)",
        checkpoint_row=("| shipped checkpoint | the authors' released weights (daniegr/EfficientPose, commit 78e4bd1), "
                        "Apache-2.0; licence and provenance in `assets/THIRD_PARTY.md` |"),
        curves="No training curves: this project did not train it. Stages shown by the explorer: pass 1's part affinity "
               "fields, then the belief maps of passes 2 and 3 and the upsampled output.",
        limits=(f"Its crops are framed wider than this project's networks' (crop context "
                f"{m.get('crop_context', 1):.3g}, chosen on the validation people with detector boxes: "
                f"`benchmarks/efficientpose_framing.py`). `python -m poseviz train --model {name}` is refused: to change it, "
                "fine-tune it outside PoseViz."),
    )


def write_card(m: dict, out_dir: Path | None = None) -> Path:
    """Write the JSON figures and a Markdown card beside the weights (``poseviz/cards/template.md``)."""
    from importlib.resources import files
    from string import Template

    out_dir = out_dir or zoo.ASSETS
    atomic_write_text(out_dir / f"{m['model']}.json", json.dumps(m, indent=1))
    t = m.get("training", {})
    limits = (f"Below the project's target of ≥ {TARGET_PCK:g} % PCK@0.2 (flip) for every shipped model; shipped so the "
              "explorer shows real, trained belief maps. " if m["pck_test_flip"] < TARGET_PCK
              else f"Meets the project's ≥ {TARGET_PCK:g} % PCK@0.2 target for shipped models. ")
    values = dict(
        model=m["model"], description=m["description"], arch=m["arch"], config=json.dumps(m["config"]),
        params=f"{m['params'] / 1e6:.2f}", gflops=m["gflops"],
        training_data=(f"{_data_words(t)}, augmentation: {_augment_words(m, t)}{_targets_note(m)}"
                       f"{'; the last cycle read ' + t['data_note'] if t.get('data_note') else ''}"),
        training=(f"{t.get('epochs', '?')} epochs, {t.get('wall_minutes', '?')} min wall time on {_device_words(t)}"
                  f"{' with bfloat16 autocast' if t.get('autocast') == 'bfloat16' else ''}; "
                  f"{t.get('optimizer', 'Adam')}, cosine schedule, {json.dumps(t.get('config', {}))}{_distill_note(t)}"),
        checkpoint_row=_checkpoint_row(t, out_dir), pck_test=m["pck_test"], pck_test_flip=m["pck_test_flip"],
        pck_subset50=m["pck_subset50"], source_rows=_block(_source_rows(m)), user_rows=_block(user_box_rows(m)),
        latency=f"{m['median_ms_per_crop']} ms ({m['median_ms_per_crop_flip']} ms with flip) on {m['machine']}{_eager_note(m)}",
        joint_rows=_block([f"| {j} | {v} |" for j, v in m["pck_per_joint_flip"].items()]),
        task_section=_block(_task_section(m) + _nonlocal_section(m) + _ablation_section(m)), history_section=_block(_history_section(t)),
        limits=limits + f"Resume training with `python -m poseviz train --model {m['model']} --init-from assets/{m['model']}.safetensors`.",
    )
    values["curves"] = f"![training curves]({m['model']}_curves.png)"
    if m["arch"] == "ensemble":
        values.update(_ensemble_values(m))
    elif m.get("training", {}).get("trained_here") is False:
        values.update(_authors_values(m))
    template = Template(files("poseviz.cards").joinpath("template.md").read_text(encoding="utf-8"))
    path = out_dir / f"{m['model']}.md"
    atomic_write_text(path, template.substitute(values))
    return path
