"""The training loop: intermediate supervision on every stage, AdamW + cosine schedule,
resumable checkpoints, a CSV log and a PNG of the curves."""
from __future__ import annotations

import csv
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file
from torch.utils.data import DataLoader
from tqdm.auto import tqdm

from poseviz.data.mix import DEFAULT_MIX, load_split, parse_mix, sampling_weights
from poseviz.data.pack import describe_pack
from poseviz.data.poseset import PoseSet, concat
from poseviz.data.root import data_root
from poseviz.models import zoo
from poseviz.training.augment import AugmentConfig
from poseviz.training.dataset import DENSE_IGNORE, LSPPoseDataset, load_images
from poseviz.training.detector_boxes import person_detector_boxes
from poseviz.training.distill import distilled_targets, load_teacher
from poseviz.training.freeze import freeze_except, keep_frozen_in_eval, parse_parts
from poseviz.training.precision import BF16_MAX_ERROR, PRECISIONS, bf16_error, resolve_precision
from poseviz.training.validation import VALIDATION_COLUMNS, validate

__all__ = ["TrainConfig", "train", "stage_losses", "task_losses", "export_state", "describe_device", "LSP_JOINT_WEIGHTS"]

# Extremities are hardest and rarest in the error budget; weight them up as HRNet does.
LSP_JOINT_WEIGHTS = (1.5, 1.2, 1.0, 1.0, 1.2, 1.5, 1.5, 1.2, 1.0, 1.0, 1.2, 1.5, 1.0, 1.0)


@dataclass
class TrainConfig:
    """Training options (CLI flags of ``python -m poseviz train``)."""

    model: str
    out_dir: str = "runs"
    data: str | None = None  # the data root (default: ``poseviz.data.root.data_root()``)
    mix: str = DEFAULT_MIX  # sources and their share of each epoch's draws
    epoch_size: int = 0  # people drawn per epoch (0: as many as the mix holds)
    workers: int = 0  # DataLoader worker processes (augmentation in parallel; useful on a GPU machine)
    epochs: int = 200
    batch_size: int = 16
    lr: float = 2e-3
    weight_decay: float = 1e-4
    # "adamw" (decoupled decay) or "adam" (decay added to the gradient, as the runs before 2026-11-23).
    optimizer: str = "adamw"
    sigma: float = 1.5
    eval_every: int = 5
    eval_limit: int = 0  # validation people per source (0: all of the fixed validation split)
    threads: int = 0  # 0 = torch's default
    seed: int = 0
    limit: int | None = None  # train on the first N people of each source (tests, overfitting)
    init_from: str | None = None  # warm start from a safetensors file
    export: str | None = None  # write the selected weights here as safetensors
    # "last" exports the end of the cosine schedule; "best" the checkpoint with the best
    # validation score (LSP Extended + MPII people carved from the training sources).
    select: str = "last"
    joint_weights: tuple[float, ...] = field(default=LSP_JOINT_WEIGHTS)
    teacher: str | None = None  # a zoo model whose belief maps the student also learns from
    teacher_weights: str | None = None  # its safetensors file (default: the shipped weights)
    distill: float = 0.5  # weight α of the teacher's maps in the blended target
    force: bool = False  # let --export overwrite an existing file
    # "auto": bfloat16 autocast where the hardware computes it natively (a CUDA GPU with bf16,
    # a CPU with AMX or AVX-512 BF16) and the network's maps survive it (``bf16_error``),
    # float32 elsewhere; "bf16" / "fp32" force one.
    precision: str = "auto"
    # Share of half-body crops (``AugmentConfig.half_body_prob``); None: 0.3 for top-down models, 0 for
    # bottom-up ones, which see whole images where no box cuts a person in half. (Trained without them, the
    # OpenPose-style model still grouped parts into "people": the remedy is ``person_boxes.looks_whole``.)
    half_body: float | None = None
    # Comma-separated top-level parts to train (e.g. the chart head: "dense_head,part_logits,u,v"); the rest
    # stay frozen as loaded (``poseviz.training.freeze``). None: train everything.
    train_only: str | None = None
    # Share of crops cut like a user's or the detector's box (``AugmentConfig.user_box_prob``; issue 38).
    user_box: float = 0.0
    # Share of crops with pasted rectangles (``AugmentConfig.occluder_prob``); 0 trains the occlusion
    # ablation (lesson 6): the same recipe without the occluders the occlusion explorer tests.
    occluders: float = AugmentConfig.occluder_prob
    # Validation crops: "detected" (the detector's box of each person, as the app crops a photo, with
    # ``val_refine`` refinement passes) or "joints" (the joints' box, as the training crops; the runs before December 2026).
    val_boxes: str = "detected"
    val_refine: int = 0

    def check(self) -> None:
        """Refuse (``PoseVizInputError``) options that cannot train, before any work is done."""
        import math

        from poseviz.core.errors import PoseVizInputError

        for name in ("epochs", "batch_size"):
            if getattr(self, name) < 1:
                raise PoseVizInputError(f"--{name.replace('_', '-')} must be at least 1 (got {getattr(self, name)})")
        for name in ("epoch_size", "workers", "eval_every", "eval_limit", "threads"):
            if getattr(self, name) < 0:
                raise PoseVizInputError(f"--{name.replace('_', '-')} must be ≥ 0 (got {getattr(self, name)})")
        if self.limit is not None and self.limit < 1:
            raise PoseVizInputError(f"--limit must be at least 1 (got {self.limit})")
        for name in ("lr", "weight_decay", "sigma", "distill"):
            v = getattr(self, name)
            if not math.isfinite(v) or v < 0 or (name in ("lr", "sigma") and v == 0):
                raise PoseVizInputError(f"--{name.replace('_', '-')} must be a finite number {'above' if name in ('lr', 'sigma') else '≥'} 0 (got {v})")
        if zoo.is_ensemble(self.model):
            raise PoseVizInputError(f"{self.model} has no weights of its own to train: it averages "
                                    f"{', '.join(zoo.members(self.model))}; train those (or distil it: --teacher {self.model})")
        zoo.check_trainable(self.model)
        if self.half_body is not None and not 0 <= self.half_body <= 1:
            raise PoseVizInputError(f"--half-body must be a probability in [0, 1] (got {self.half_body})")
        for name in ("user_box", "occluders"):
            if not 0 <= getattr(self, name) <= 1:
                raise PoseVizInputError(f"--{name.replace('_', '-')} must be a probability in [0, 1] (got {getattr(self, name)})")
        if self.val_boxes not in ("detected", "joints"):
            raise PoseVizInputError(f"--val-boxes must be 'detected' or 'joints' (got {self.val_boxes!r})")
        if not 0 <= self.val_refine <= 5:
            raise PoseVizInputError(f"--val-refine must be 0 to 5 passes (got {self.val_refine})")
        if self.precision not in PRECISIONS:
            raise PoseVizInputError(f"--precision must be one of {', '.join(PRECISIONS)} (got {self.precision!r})")
        if self.train_only is not None:
            if not parse_parts(self.train_only):
                raise PoseVizInputError("--train-only needs at least one part name (e.g. dense_head)")
            if not self.init_from:
                raise PoseVizInputError("--train-only freezes the other parts as loaded: give the weights with --init-from")
            freeze_except(zoo.build(self.model), parse_parts(self.train_only))  # refuses unknown names
        if self.init_from:
            p = Path(self.init_from)
            if not p.is_file():
                raise PoseVizInputError(f"--init-from {p}: file not found")
            from poseviz.models.pretrained import checkpoint_format

            if checkpoint_format(p) in ("zip", "pickle"):
                raise PoseVizInputError(f"--init-from {p.name} is a torch checkpoint; give a safetensors file "
                                        "(the shipped weights, a grow output or a run's last.safetensors)")
        if self.export:
            from poseviz.io.writing import check_writable

            check_writable(self.export, self.force)


def make_optimizer(model: torch.nn.Module, kind: str, lr: float, weight_decay: float) -> torch.optim.Optimizer:
    """AdamW (default) or Adam with L2 decay in the gradient.

    Why AdamW: Adam divides every gradient by its running RMS, so when a parameter's loss
    gradient is zero the L2 term alone is normalised to a step of about ``lr`` towards zero.
    A gated block that starts closed — the non-local block, whose output BatchNorm starts at
    zero — gets no loss gradient in θ, φ and g, and Adam decayed them to exactly zero in a few
    hundred steps, so the gate never opened. AdamW shrinks them by ``lr × weight_decay`` per step.
    """
    if kind == "adamw":
        return torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    if kind == "adam":
        return torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    raise ValueError(f"unknown optimizer {kind!r}: use 'adamw' or 'adam'")


def stage_losses(stages: list[torch.Tensor], targets: torch.Tensor, weights: torch.Tensor, joint_weights: torch.Tensor) -> torch.Tensor:
    """Per-stage weighted MSE between belief maps and targets → [S] (intermediate supervision)."""
    w = (weights * joint_weights)[:, :, None, None]
    return torch.stack([((s - targets) ** 2 * w).mean() for s in stages])


def task_losses(out, batch: dict[str, torch.Tensor], joint_weights: torch.Tensor, device: torch.device) -> torch.Tensor:
    """Per-stage losses [S] of any zoo model: belief maps always; + PAFs (MSE, every stage)
    for OpenPose-style models; + the chart head (part cross-entropy and U/V L1 on the true
    part's chart, weighted to the belief-map loss's scale) for DensePose-style models."""
    per_stage = stage_losses(out.stages, batch["targets"].to(device), batch["weights"].to(device), joint_weights)
    if out.pafs is not None and "pafs" in batch:
        target = batch["pafs"].to(device)
        per_stage = per_stage + torch.stack([((p - target) ** 2).mean() for p in out.pafs])
    if out.dense is not None and "dense_i" in batch:
        index = batch["dense_i"].to(device)
        known = index != DENSE_IGNORE
        ce = (torch.nn.functional.cross_entropy(out.dense.part_logits.float(), index, ignore_index=DENSE_IGNORE)
              if known.any() else out.dense.part_logits.sum() * 0)
        fg = index > 0
        u, v = out.dense.uv_at(index.clamp(min=0))  # the target part's chart (ignored pixels masked by fg)
        uv = ((u - batch["dense_u"].to(device)).abs() + (v - batch["dense_v"].to(device)).abs())[fg].mean() if fg.any() else u.sum() * 0
        per_stage = per_stage + DENSE_WEIGHT * (ce + uv)
    return per_stage


# Cross-entropy starts near ln 11 ≈ 2.4 while belief-map MSE is ~0.005: this keeps the
# chart head from swamping the keypoint head's gradients in the shared backbone.
DENSE_WEIGHT = 0.01


def export_state(model: torch.nn.Module | dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """State dict (of a model, or one already loaded, e.g. from ``last.pt``) ready for
    safetensors: contiguous, with |w| < 1e-20 flushed to zero, convolution and linear
    weights (tensors of 2+ dimensions) in half precision.

    Weight decay leaves dead channels with denormal weights; on a CPU these make the
    activations denormal and inference of the trained hourglass 2.3× slower. Half-precision
    weights halve the shipped files (the tree must travel to a GPU machine with the training
    pack, 64 MiB in all) and move keypoints by 0.02 px on average; loading casts them back
    to float32. BatchNorm parameters and statistics stay in float32 (a tiny running variance
    would lose its digits in float16).
    """
    state = model.state_dict() if isinstance(model, torch.nn.Module) else model
    out = {}
    for k, v in state.items():
        v = v.detach().contiguous()
        if v.is_floating_point():
            v = torch.where(v.abs() < 1e-20, torch.zeros_like(v), v)
            if v.ndim >= 2:
                v = v.half()
        out[k] = v
    return out


def describe_device(device: torch.device) -> str:
    """The training device in words, e.g. ``NVIDIA H100 80GB HBM3`` or ``CPU, 1 thread``."""
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    n = torch.get_num_threads()
    return f"CPU, {n} thread{'s' if n != 1 else ''}"


def _device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _plot(log_path: Path, png_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = list(csv.DictReader(log_path.open()))
    if not rows:
        return
    ep = [int(r["epoch"]) for r in rows]
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.5))
    a.plot(ep, [float(r["loss"]) for r in rows])
    a.set_xlabel("epoch")
    a.set_ylabel("loss (weighted MSE, all stages)")
    a.set_yscale("log")
    ev = [(int(r["epoch"]), float(r["pck"])) for r in rows if r["pck"]]
    if ev:
        b.plot(*zip(*ev), marker="o")
    b.set_xlabel("epoch")
    b.set_ylabel("validation score (%)")
    fig.tight_layout()
    fig.savefig(png_path, dpi=100)
    plt.close(fig)


def _seed_worker(worker_id: int) -> None:
    """Each DataLoader worker draws its own augmentation (a forked copy of the dataset's generator
    would give every worker the same crops)."""
    info = torch.utils.data.get_worker_info()
    info.dataset.rng = np.random.default_rng(torch.initial_seed() % 2**32)


def _resume_state(ckpt: Path, device: torch.device) -> dict:
    try:
        return torch.load(ckpt, map_location=device, weights_only=True)
    except Exception as exc:  # truncated or damaged: torch raises RuntimeError, EOFError, UnpicklingError…
        from poseviz.core.errors import PoseVizInputError

        raise PoseVizInputError(f"cannot resume: {ckpt} is damaged ({str(exc).splitlines()[0][:120]}); move it "
                                "away to start the run afresh, or choose another --out") from None


def _decode(people: PoseSet, progress: bool) -> list[np.ndarray]:
    return load_images(people, np.arange(len(people)), progress=progress)


def _flushing_denormals() -> bool:
    return (torch.tensor([1e-30]) * torch.tensor([1e-9])).item() == 0.0


def train(cfg: TrainConfig, progress: bool = True) -> dict:
    """Train a zoo model on the training mix (LSP 1–1000, LSP Extended, MPII; validation people
    carved out); resumes from ``out_dir/<model>/last.pt`` if present.

    Returns a summary dict (best PCK, epochs, wall time).
    """
    cfg.check()
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    # Denormal floats appear as the learning rate decays and slowed CPU epochs threefold here.
    # The flag is process-wide (it broke hypothesis's float strategies in the same process),
    # so it is put back as it was when training ends.
    was_flushing = _flushing_denormals()
    torch.set_flush_denormal(True)
    try:
        return _train(cfg, progress)
    except KeyboardInterrupt:
        from poseviz.core.errors import PoseVizInputError

        raise PoseVizInputError(f"stopped; the last finished epoch is saved in {Path(cfg.out_dir) / cfg.model / 'last.pt'}: "
                                "resume with the same command") from None
    finally:
        torch.set_flush_denormal(was_flushing)


def _train(cfg: TrainConfig, progress: bool) -> dict:
    torch.manual_seed(cfg.seed)
    device = _device()
    run_dir = Path(cfg.out_dir) / cfg.model
    run_dir.mkdir(parents=True, exist_ok=True)
    ckpt = run_dir / "last.pt"
    resume = _resume_state(ckpt, device) if ckpt.is_file() else None  # checked before any slow work
    # Where and on what it ran, for the model card (not options: a resumed run may move machines).
    root = data_root(cfg.data)
    run_info = {"device": describe_device(device), "data_note": describe_pack(root / "lsp"), "data_root": str(root)}
    model = zoo.build(cfg.model).to(device)
    if cfg.init_from:
        from poseviz.models.pretrained import read_state_dict

        # Non-strict so a block added to a trained network (the non-local block) starts from it.
        report = model.load_state_dict(read_state_dict(cfg.init_from), strict=False)
        if report.missing_keys or report.unexpected_keys:
            print(f"warm start from {cfg.init_from}: {len(report.missing_keys)} missing keys "
                  f"({', '.join(report.missing_keys[:4])}...), {len(report.unexpected_keys)} unexpected")
    # NHWC convolutions are 20–30 % faster per step on these CPUs (oneDNN's native layout).
    memory_format = torch.channels_last if device.type == "cpu" else torch.contiguous_format
    model = model.to(memory_format=memory_format)
    frozen = freeze_except(model, parse_parts(cfg.train_only)) if cfg.train_only else []
    mc = model.config
    teacher = None
    if cfg.teacher:
        teacher = load_teacher(cfg.teacher, cfg.teacher_weights, model).to(device, memory_format=memory_format)
    mix = parse_mix(cfg.mix)
    split = load_split(mix, root, validation=bool(cfg.eval_every))
    train_sets = {n: (p.subset(np.arange(min(cfg.limit, len(p)))) if cfg.limit else p) for n, p in split.train.items()}
    val_sets = {n: (p.subset(np.arange(min(cfg.eval_limit, len(p)))) if cfg.eval_limit else p)
                for n, p in split.validation.items()}
    people = concat(list(train_sets.values()))
    stride = model.stride
    task = zoo.entry(cfg.model).task
    # Bottom-up models meet people smaller than a top-down crop makes them: wider scale range.
    half_body = cfg.half_body if cfg.half_body is not None else (0.0 if task == "paf" else AugmentConfig.half_body_prob)
    augment = AugmentConfig(scale=0.4 if task == "paf" else AugmentConfig.scale, half_body_prob=half_body,
                            user_box_prob=cfg.user_box, occluder_prob=cfg.occluders)
    train_images = _decode(people, progress)
    box_cache = Path(cfg.out_dir) / "detector_boxes"
    det_boxes = None
    if cfg.user_box > 0:  # per source, so each source's boxes are cached once whatever the mix
        starts = np.cumsum([0, *(len(p) for p in train_sets.values())])
        det_boxes = np.concatenate([person_detector_boxes(p, train_images[a:b], box_cache, progress)
                                    for p, a, b in zip(train_sets.values(), starts[:-1], starts[1:])])
    ds = LSPPoseDataset(people, np.arange(len(people)), tuple(mc.input_size), stride, cfg.sigma, augment,
                        images=train_images, seed=cfg.seed, task=task, detector_boxes=det_boxes)
    draws = cfg.epoch_size or len(people)
    sampler = torch.utils.data.WeightedRandomSampler(torch.from_numpy(sampling_weights(train_sets, mix)), draws,
                                                     replacement=True, generator=torch.Generator().manual_seed(cfg.seed))
    loader = DataLoader(ds, batch_size=min(cfg.batch_size, draws), sampler=sampler, drop_last=True,
                        num_workers=cfg.workers, persistent_workers=cfg.workers > 0, worker_init_fn=_seed_worker)
    val_images = {n: _decode(p, progress) for n, p in val_sets.items()}
    val_boxes = ({n: person_detector_boxes(p, val_images[n], box_cache, progress) for n, p in val_sets.items()}
                 if cfg.val_boxes == "detected" and cfg.eval_every else None)
    opt = make_optimizer(model, cfg.optimizer, cfg.lr, cfg.weight_decay)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=cfg.epochs * len(loader), eta_min=cfg.lr * 0.01)
    jw = torch.tensor(cfg.joint_weights[: mc.num_joints], dtype=torch.float32, device=device)
    start, best, wall = 0, -1.0, 0.0
    if resume is not None:
        state = resume
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        sched.load_state_dict(state["scheduler"])
        # A resumed run may be given a different length: the cosine then decays from
        # the current rate to its floor at the new last step.
        sched.T_max = cfg.epochs * len(loader)
        start, best, wall = int(state["epoch"]), float(state["best"]), float(state["wall"])
        ds.rng = np.random.default_rng(cfg.seed + start)
        sampler.generator.manual_seed(cfg.seed + start)
    amp = resolve_precision(cfg.precision, device)
    if amp is not None and cfg.precision == "auto" and resume is not None and "autocast" in resume:
        # One decision per run: a probe of the weights mid-run can land on the other side of the bound
        # (the hourglass's maps moved 7.6 % at the start of a cycle and 12.5 % four epochs later).
        run_info["bf16_map_error"] = resume["bf16_map_error"]
        amp = amp if resume["autocast"] == "bfloat16" else None
    elif amp is not None and cfg.precision == "auto":  # checked on the weights this run starts from
        drawn = ds.rng.bit_generator.state  # the probe must not shift the run's augmentation stream
        probe = torch.stack([ds[i]["image"] for i in range(min(8, len(ds)))]).to(device).contiguous(memory_format=memory_format)
        ds.rng.bit_generator.state = drawn
        run_info["bf16_map_error"] = round(bf16_error(model, probe), 4)
        if run_info["bf16_map_error"] > BF16_MAX_ERROR:
            print(f"{cfg.model}: belief maps under bfloat16 differ from float32 by {run_info['bf16_map_error']:.0%} "
                  f"(over {BF16_MAX_ERROR:.0%}): training in float32")
            amp = None
    run_info["autocast"] = str(amp).removeprefix("torch.") if amp else "float32"
    run_info["augment"] = asdict(augment)
    run_info["frozen"] = frozen
    (run_dir / "config.json").write_text(json.dumps({**asdict(cfg), **run_info}, indent=1))
    log_path = run_dir / "log.csv"
    new_log = not log_path.is_file() or start == 0
    log = log_path.open("w" if new_log else "a", newline="")
    writer = csv.writer(log)
    if new_log:
        writer.writerow(["epoch", "loss", "stage_losses", "lr", "pck", "wall_s", *VALIDATION_COLUMNS])
    bar = tqdm(range(start, cfg.epochs), desc=cfg.model, disable=not progress, initial=start, total=cfg.epochs)
    for epoch in bar:
        t0 = time.time()
        model.train()
        keep_frozen_in_eval(model, frozen)
        totals = None
        n = 0
        for batch in loader:
            x = batch["image"].to(device).contiguous(memory_format=memory_format)
            if teacher is not None:
                batch = {**batch, "targets": distilled_targets(teacher, x, batch["targets"].to(device), cfg.distill)}
            with torch.autocast(device.type, dtype=amp or torch.float32, enabled=amp is not None):
                out = model(x)
            per_stage = task_losses(out, batch, jw, device)
            loss = per_stage.sum()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            totals = per_stage.detach() if totals is None else totals + per_stage.detach()
            n += 1
        stage_mean = (totals / max(n, 1)).cpu().numpy()
        pck_val, val_cells = "", [""] * len(VALIDATION_COLUMNS)
        if cfg.eval_every and ((epoch + 1) % cfg.eval_every == 0 or epoch + 1 == cfg.epochs):
            scores = validate(model.cpu(), val_sets, val_images, val_boxes, cfg.val_refine)
            model.to(device)
            pck_val = f"{scores['score']:.2f}"
            val_cells = [f"{scores[c]:.2f}" if c in scores else "" for c in VALIDATION_COLUMNS]
            if scores["score"] > best:
                best = scores["score"]
                save_file(export_state(model), str(run_dir / "best.safetensors"))
        wall += time.time() - t0
        writer.writerow([epoch + 1, f"{stage_mean.sum():.6f}", " ".join(f"{v:.6f}" for v in stage_mean),
                         f"{sched.get_last_lr()[0]:.6g}", pck_val, f"{wall:.1f}", *val_cells])
        log.flush()
        # Written aside and renamed, so a run killed mid-save still resumes from the last epoch.
        torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "scheduler": sched.state_dict(),
                    "epoch": epoch + 1, "best": best, "wall": wall, "autocast": run_info["autocast"],
                    "bf16_map_error": run_info.get("bf16_map_error")}, ckpt.with_suffix(".tmp"))
        ckpt.with_suffix(".tmp").replace(ckpt)
        bar.set_postfix(loss=f"{stage_mean.sum():.4g}", pck=pck_val or "-")
    log.close()
    _plot(log_path, run_dir / "curves.png")
    save_file(export_state(model), str(run_dir / "last.safetensors"))
    if cfg.export:
        from poseviz.io.writing import atomic_copy

        use_best = cfg.select == "best" and (run_dir / "best.safetensors").is_file()
        atomic_copy(run_dir / ("best.safetensors" if use_best else "last.safetensors"), cfg.export)
    return {"model": cfg.model, "best_pck": best, "epochs": cfg.epochs, "wall_s": wall, "run_dir": str(run_dir)}
