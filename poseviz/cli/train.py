"""Training commands: ``train``, ``grow`` (add capacity to trained weights) and ``pack-lsp`` / ``pack-mix``."""
from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

from poseviz.core.errors import PoseVizInputError
from poseviz.io.writing import atomic_write_bytes, atomic_write_text, check_writable

MAX_GROWTH = 8  # stacks, stages or modules one grow may add
_TRAIN_FLAGS = {"out_dir": ("--out",), "data": ("--data-root", "--data")}
_TRAIN_BOOLS = {"force"}
_TRAIN_HELP = {
    "model": "zoo model to train",
    "data": "data root holding lsp/, lspet/ and mpii/ (default: the resolved data root)",
    "mix": "sources and their share of each epoch's draws, e.g. lsp:1,lspet:2,mpii:1",
    "epoch_size": "people drawn per epoch (0: as many as the mix holds)",
    "workers": "DataLoader worker processes for augmentation",
    "eval_every": "validate every N epochs (0: never)",
    "eval_limit": "validation people per source (0: the whole fixed split)",
    "limit": "train on the first N people of each source",
    "init_from": "warm start from this safetensors file",
    "export": "copy the selected weights to this safetensors file",
    "select": "weights to export: end of schedule (last) or best validation score (best)",
    "teacher": "distil from this zoo model's belief maps (same input size)",
    "teacher_weights": "the teacher's safetensors file (default: shipped)",
    "distill": "weight of the teacher's maps in the target (0-1)",
    "optimizer": "adamw: decoupled weight decay (default); adam: decay added to the gradient",
    "force": "let --export overwrite an existing file",
    "half_body": "share of half-body crops (default: 0.3 for top-down models, 0 for bottom-up ones)",
    "train_only": "train only these top-level parts (comma-separated, e.g. dense_head,part_logits,u,v); the rest stay frozen as --init-from loaded them",
    "user_box": "share of crops cut like a user's or the detector's box (0.6-1.6x the joints' box, shift 15%%, aspect jitter; half of them the detector's own box)",
    "occluders": "share of crops with 1-2 pasted rectangles (flat colour or noise); 0 trains without occluder augmentation",
    "val_boxes": "validation crops: detected (the detector's box, as the app crops a photo) or joints (the joints' box)",
    "val_refine": "refinement passes in validation (re-crops around the confident joints)",
    "precision": "auto: bfloat16 autocast where the hardware has it and the model's maps survive it; bf16 or fp32 force one",
}
_TRAIN_CHOICES = {"select": ["last", "best"], "optimizer": ["adamw", "adam"], "val_boxes": ["detected", "joints"]}


def register(sub: argparse._SubParsersAction) -> None:
    """Add this group's sub-commands to ``sub``."""
    t = sub.add_parser("train", help="train a zoo model on LSP 1-1000 + LSP Extended + MPII (validation carved out)")
    _add_train_flags(t)
    t.set_defaults(fn=_train)
    gr = sub.add_parser("grow", help="add capacity to trained weights to fine-tune (HRNet, hourglass: without changing what they compute)")
    gr.add_argument("model", help="zoo model whose weights to grow")
    gr.add_argument("--out", required=True, help="safetensors file for the grown weights (train --init-from it)")
    gr.add_argument("--weights", default=None, help="weights to grow (default: the shipped ones)")
    gr.add_argument("--add-stack", type=int, default=0, help="hourglass: add this many stacks (copies of the last)")
    gr.add_argument("--add-stage", type=int, default=0,
                    help="CPM: add this many stages, copies of the last (a warm start: earlier stages keep their output)")
    gr.add_argument("--add-module", type=int, nargs="*", metavar="STAGE",
                    help="HRNet: add an identity module first in each listed stage (2-4)")
    gr.add_argument("--revive", action="store_true",
                    help="HRNet, hourglass: re-initialise residual blocks that training left dead (all weights 0), output unchanged")
    gr.add_argument("--force", action="store_true", help="overwrite --out (and its .json record) if they exist")
    gr.set_defaults(fn=_grow)
    pk = sub.add_parser("pack-lsp", help="write a downscaled LSP copy (to carry to a GPU machine)")
    pk.add_argument("--out", required=True)
    pk.add_argument("--data", default=None)
    pk.add_argument("--max-side", type=int, default=200)
    pk.add_argument("--force", action="store_true", help="write into --out even if it already holds files")
    pk.set_defaults(fn=_pack_lsp)
    pm = sub.add_parser("pack-mix", help="write the whole training mix small (WebP) to carry to a GPU machine")
    pm.add_argument("--out", required=True)
    pm.add_argument("--data-root", default=None)
    pm.add_argument("--max-side", type=int, default=128)
    pm.add_argument("--quality", type=int, default=60, help="WebP quality (0-100)")
    pm.add_argument("--force", action="store_true", help="write into --out even if it already holds files")
    pm.set_defaults(fn=_pack_mix)


def _train(args: argparse.Namespace) -> int:
    from poseviz.training.loop import TrainConfig, train

    cfg = TrainConfig(**{f.name: getattr(args, f.name) for f in dataclasses.fields(TrainConfig) if hasattr(args, f.name)})
    print(json.dumps(train(cfg), indent=1))
    return 0


def _add_train_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per ``TrainConfig`` field, typed by its default (so the two cannot drift)."""
    from poseviz.training.loop import TrainConfig
    from poseviz.training.precision import PRECISIONS

    choices = {**_TRAIN_CHOICES, "precision": list(PRECISIONS)}
    for f in dataclasses.fields(TrainConfig):
        if f.name == "joint_weights":
            continue
        if f.name in _TRAIN_BOOLS:
            parser.add_argument("--" + f.name.replace("_", "-"), dest=f.name, action="store_true", help=_TRAIN_HELP.get(f.name))
            continue
        names = _TRAIN_FLAGS.get(f.name, ("--" + f.name.replace("_", "-"),))
        required = f.default is dataclasses.MISSING
        default = None if required else f.default
        kind = {"int": int, "float": float}.get(type(default).__name__, str)
        if f.name in ("limit", "init_from", "export", "teacher", "teacher_weights", "data", "half_body"):
            kind = {"limit": int, "half_body": float}.get(f.name, str)
        parser.add_argument(*names, dest=f.name, type=kind, default=default, required=required,
                            choices=choices.get(f.name), help=_TRAIN_HELP.get(f.name))


def _grow(args: argparse.Namespace) -> int:
    import copy

    import torch

    from poseviz.core.errors import CheckpointError
    from poseviz.models.hourglass import StackedHourglass
    from poseviz.models.hrnet import HRNet
    from poseviz.models.pretrained import load_pretrained
    from poseviz.models.cpm import CPM
    from poseviz.training.grow import add_cpm_stages, add_hourglass_stack, add_hrnet_module, revive_dead_blocks
    from poseviz.training.loop import export_state

    for flag, n in (("--add-stack", args.add_stack), ("--add-stage", args.add_stage), ("--add-module", len(args.add_module or []))):
        if not 0 <= n <= MAX_GROWTH:  # each step copies a block: beyond a few the file and the RAM grow without bound
            raise PoseVizInputError(f"{flag} adds 0 to {MAX_GROWTH} at a time (got {n}); grow again from the result for more")
    for target in (Path(args.out), Path(args.out).with_suffix(".json")):
        check_writable(target, args.force)
    try:
        model = load_pretrained(args.model, args.weights)
    except CheckpointError as err:
        raise PoseVizInputError(f"{args.weights or 'the shipped file'} does not hold {args.model} weights: {err}") from None
    grown = model
    for _ in range(args.add_stack):
        if not isinstance(grown, StackedHourglass):
            raise PoseVizInputError(f"--add-stack needs a Stacked Hourglass; {args.model} is {type(model).__name__}")
        grown = add_hourglass_stack(grown)
    if args.add_stage:
        if not isinstance(grown, CPM):
            raise PoseVizInputError(f"--add-stage needs a CPM; {args.model} is {type(model).__name__}")
        try:
            grown = add_cpm_stages(grown, args.add_stage)
        except ValueError as err:
            raise PoseVizInputError(str(err)) from None
    for stage in args.add_module or []:
        if not isinstance(grown, HRNet):
            raise PoseVizInputError(f"--add-module needs an HRNet; {args.model} is {type(model).__name__}")
        try:
            grown = add_hrnet_module(grown, stage)
        except ValueError as err:
            raise PoseVizInputError(str(err)) from None
    revived = []
    if args.revive:
        candidate = copy.deepcopy(grown) if grown is model else grown
        try:  # revive_dead_blocks is the one place that knows which networks it can revive
            revived = revive_dead_blocks(candidate)
        except TypeError:
            raise PoseVizInputError(f"--revive needs an HRNet or a Stacked Hourglass (residual blocks); "
                                    f"{args.model} is {type(model).__name__}") from None
        if not revived and grown is model:
            raise PoseVizInputError(f"{args.model} has no dead residual blocks: nothing to revive, no file written")
        grown = candidate
        n = sum(p.numel() for name in revived for p in grown.get_submodule(name).parameters())
        print(f"revived {len(revived)} dead residual blocks ({n:,} parameters)" + (f": {', '.join(revived[:6])}..." if revived else ""))
    if grown is model:
        raise PoseVizInputError("nothing to grow: give --add-stack, --add-stage, --add-module STAGE and/or --revive")
    grown.eval()
    size = model.config.input_size
    x = torch.randn(2, 3, size[1], size[0], generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        diff = (grown(x).heatmaps - model(x).heatmaps).abs().max().item()
    from safetensors.torch import save

    # A record beside the weights, for the model card of the run that starts from them.
    atomic_write_bytes(args.out, save(export_state(grown)))
    atomic_write_text(Path(args.out).with_suffix(".json"), json.dumps({"model": args.model, "revived": revived}))
    changed = {k: v for k, v in dataclasses.asdict(grown.config).items() if dataclasses.asdict(model.config)[k] != v}
    print(f"{args.out}: {sum(p.numel() for p in grown.parameters()):,} parameters (was {sum(p.numel() for p in model.parameters()):,}); "
          f"config changes {changed}; max |heatmap change| on random input {diff:.2g}")
    return 0


def _check_pack(args: argparse.Namespace) -> None:
    if not 32 <= args.max_side <= 4096:  # below, no joint survives the crop; above, the pack is the dataset again
        raise PoseVizInputError(f"--max-side must be 32 to 4096 px (got {args.max_side})")
    if not 0 <= getattr(args, "quality", 0) <= 100:
        raise PoseVizInputError(f"--quality is WebP's 0 to 100 (got {args.quality})")


def _pack_lsp(args: argparse.Namespace) -> int:
    from poseviz.data.pack import pack_lsp

    _check_pack(args)
    n, size = pack_lsp(args.out, args.data, args.max_side, force=args.force)
    print(f"{n} images and joints.mat in {args.out}: {size / 2**20:.1f} MB")
    return 0


def _pack_mix(args: argparse.Namespace) -> int:
    from poseviz.data.pack import pack_mix

    _check_pack(args)
    size = pack_mix(args.out, args.data_root, args.max_side, args.quality, force=args.force)
    print(f"the training mix in {args.out}: {size / 2**20:.1f} MiB of images (train --data-root {args.out})")
    return 0
