"""Command line: ``python -m poseviz {coco-eval,train,eval,predict,grow,models,...}``."""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

import numpy as np

from .errors import PoseVizInputError
from .writing import atomic_write_bytes, atomic_write_text, check_writable

__all__ = ["main"]


def _coco_eval(args: argparse.Namespace) -> int:
    from .coco import load_coco, load_results
    from .metrics import STAT_NAMES, coco_keypoint_eval
    from .schemas import COCO17, get_schema

    gt = load_coco(args.gt)
    res = load_results(args.results, gt)
    try:
        sigmas = get_schema(args.schema).sigma_array if args.schema else COCO17.sigma_array
    except KeyError as exc:
        raise PoseVizInputError(str(exc).strip("'\"")) from None
    if len(sigmas) != gt.num_joints:
        raise PoseVizInputError(f"{gt.num_joints} keypoints in the file but {len(sigmas)} sigmas in the schema")
    out = coco_keypoint_eval(gt.dataset, res, sigmas)
    if args.json:
        print(json.dumps(out.as_dict(), indent=1))
    else:
        labels = [
            "Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets= 20 ]",
            "Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets= 20 ]",
            "Average Precision  (AP) @[ IoU=0.75      | area=   all | maxDets= 20 ]",
            "Average Precision  (AP) @[ IoU=0.50:0.95 | area=medium | maxDets= 20 ]",
            "Average Precision  (AP) @[ IoU=0.50:0.95 | area= large | maxDets= 20 ]",
            "Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets= 20 ]",
            "Average Recall     (AR) @[ IoU=0.50      | area=   all | maxDets= 20 ]",
            "Average Recall     (AR) @[ IoU=0.75      | area=   all | maxDets= 20 ]",
            "Average Recall     (AR) @[ IoU=0.50:0.95 | area=medium | maxDets= 20 ]",
            "Average Recall     (AR) @[ IoU=0.50:0.95 | area= large | maxDets= 20 ]",
        ]
        assert len(labels) == len(STAT_NAMES)
        for label, v in zip(labels, out.stats):
            print(f" {label} = {v:0.3f}")
    return 0


def _train(args: argparse.Namespace) -> int:
    from .training.loop import TrainConfig, train

    cfg = TrainConfig(**{f.name: getattr(args, f.name) for f in dataclasses.fields(TrainConfig) if hasattr(args, f.name)})
    print(json.dumps(train(cfg), indent=1))
    return 0


# Flags of `train` that are not spelled as their TrainConfig field, and their help texts.
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
}
_TRAIN_CHOICES = {"select": ["last", "best"], "optimizer": ["adamw", "adam"]}


def _add_train_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per ``TrainConfig`` field, typed by its default (so the two cannot drift)."""
    from .training.loop import TrainConfig

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
        if f.name in ("limit", "init_from", "export", "teacher", "teacher_weights", "data"):
            kind = int if f.name == "limit" else str
        parser.add_argument(*names, dest=f.name, type=kind, default=default, required=required,
                            choices=_TRAIN_CHOICES.get(f.name), help=_TRAIN_HELP.get(f.name))


def _eval(args: argparse.Namespace) -> int:
    from .fast_inference import for_inference
    from .pretrained import load_pretrained
    from .schemas import LSP14
    from .source_scores import score_sources

    sources = tuple(x.strip() for x in args.sources.split(",") if x.strip())
    model = for_inference(load_pretrained(args.model, args.weights))
    scores = score_sources(model, sources, args.data_root, flip=args.flip, method=args.decode, alpha=args.alpha,
                           limit=args.limit, coco_json=args.coco_json, coco_images=args.coco_images, mpii_root=args.mpii_root)
    for s in scores.values():
        if "per_joint" in s:
            s["per_joint"] = {j: round(float(v), 2) for j, v in zip(LSP14.joints, s["per_joint"])}
    if args.json:
        print(json.dumps({"model": args.model, "flip": bool(args.flip), **scores}, indent=1))
        return 0
    flip = "flip test on" if args.flip else "flip test off"
    if "lsp" in scores:
        s = scores["lsp"]
        print(f"{args.model}: LSP test {s['metric']} = {s['mean']:.1f} % on {s['people']} images ({flip}), "
              f"median {s['median_ms']:.1f} ms per crop")
    if "coco" in scores:
        s = scores["coco"]
        print(f"{args.model}: COCO {s['metric']}: AP {s['AP']:.3f} (AP@.5 {s['AP .5']:.3f}) on {s['people']} people "
              f"in {s['images']} images ({flip})")
    if "mpii" in scores:
        s = scores["mpii"]
        print(f"{args.model}: MPII {s['metric']} = {s['mean']:.1f} % on {s['people']} people ({flip})")
    for name in ("lsp", "mpii"):
        if name in scores:
            print(f"  per joint ({name}): " + ", ".join(f"{j} {v:.0f}" for j, v in scores[name]["per_joint"].items()))
    return 0


def _data(args: argparse.Namespace) -> int:
    from .data.fetch import fetch, status, verify
    from .data.registry import REGISTRY, entry
    from .data.root import data_root, development_data

    root = data_root(args.data_root)
    if args.action == "path":
        print(root)
        return 0
    if args.action == "list":
        where = " (the development data)" if root == development_data() else ""
        print(f"data root: {root}{where}")
        for st in status(root):
            e = REGISTRY[st.name]
            print(f"  [{'x' if st.present else ' '}] {e.name:<24} {e.title}")
            print(f"      → {root / e.target}; licence: {e.licence}; cite: {e.citation}")
            if e.note:
                print(f"      note: {e.note}")
        print("fetch one with `python -m poseviz data fetch NAME`")
        return 0
    if not args.name:
        raise PoseVizInputError(f"`data {args.action}` needs a NAME; known: {', '.join(REGISTRY)}")
    e = entry(args.name)
    if args.action == "fetch":
        print(f"{e.title}\nlicence: {e.licence}\ncite: {e.citation}")
        print(f"installed in {fetch(e.name, root)}")
        return 0
    st = verify(e.name, root)
    for problem in st.problems:
        print(f"  {problem}")
    print(f"{e.name}: {'complete' if st.present and not st.problems else 'NOT complete'} in {root / e.target}")
    return 0 if st.present and not st.problems else 1


def _predict(args: argparse.Namespace) -> int:
    from .fast_inference import for_inference
    from .image_io import load_image
    from .inference import predict_person
    from .pretrained import load_pretrained

    model = for_inference(load_pretrained(args.model, args.weights))
    img = load_image(args.image)
    if getattr(model, "limbs", None) is not None and not args.box:
        return _predict_bottom_up(model, img, args)
    if args.box:
        try:
            box = tuple(float(v) for v in args.box.split(","))
        except ValueError:
            raise PoseVizInputError(f"--box must be x,y,w,h numbers, got {args.box!r}") from None
        if len(box) != 4:
            raise PoseVizInputError(f"--box must have 4 numbers x,y,w,h, got {len(box)}")
        box = tuple(v * img.scale for v in box)
    else:
        h, w = img.rgb.shape[:2]
        box = (0.0, 0.0, float(w), float(h))
    pred = predict_person(model, img.rgb, box, flip=args.flip)
    kp = pred.keypoints.copy()
    kp[:, :2] = img.to_original(kp[:, :2])
    if not np.isfinite(kp).all():  # JSON has no NaN: never print one
        raise PoseVizInputError("the model produced non-finite keypoints for this image and box")
    result = {"image_id": args.image_id, "category_id": 1, "schema": pred.schema.name,
              "keypoints": [round(float(v), 2) for v in np.column_stack([kp[:, :2], kp[:, 2]]).ravel()],
              "score": round(pred.score, 4)}
    if args.json:
        print(json.dumps([result]))
    else:
        for name, (x, y, s) in zip(pred.schema.joints, kp):
            print(f"{name:<15} x={x:8.1f}  y={y:8.1f}  belief={s:5.2f}")
    return 0


def _predict_bottom_up(model, img, args: argparse.Namespace) -> int:
    """Every person in the image (OpenPose-style models, no --box): COCO results, one per person."""
    from .bottom_up import predict_people
    from .inference import model_schema

    res = predict_people(model, img.rgb)
    schema = model_schema(model)
    results = []
    for kp, score in zip(res.people, res.scores):
        kp = kp.copy()
        found = kp[:, 2] > 0
        kp[found, :2] = img.to_original(kp[found, :2])  # joints not found stay at (0, 0, 0)
        results.append({"image_id": args.image_id, "category_id": 1, "schema": schema.name,
                        "keypoints": [round(float(v), 2) for v in kp.ravel()], "score": round(float(score), 4)})
    if args.json:
        print(json.dumps(results))
    else:
        print(f"{len(results)} people found (bottom-up: belief maps + part affinity fields)")
        for n, r in enumerate(results, 1):
            kp = np.array(r["keypoints"]).reshape(-1, 3)
            print(f"person {n}: score {r['score']:.3f}, {int((kp[:, 2] > 0).sum())} joints found")
    return 0


def _receptive_field(args: argparse.Namespace) -> int:
    from .models import create_model
    from .receptive_field import receptive_fields
    from .zoo import ZOO, build

    paper = {"cpm-paper": ("cpm", {}), "hourglass-8": ("hourglass", {"num_stacks": 8}),
             "hrnet-w32": ("hrnet", {"width": 32}), "hrnet-w48": ("hrnet", {"width": 48})}
    if args.model in ZOO:
        model = build(args.model)
    elif args.model in paper:
        arch, kw = paper[args.model]
        model = create_model(arch, **kw)
    else:
        raise PoseVizInputError(f"unknown model {args.model!r}; use a zoo model ({', '.join(ZOO)}) or {', '.join(paper)}")
    w, h = model.config.input_size
    if args.input:
        h, w = args.input
    rows = [r for r in receptive_fields(model) if args.all or r.stage_output]
    table = [{"layer": r.name, "depth": r.depth, "rf_px": r.rf.size, "jump_px": r.rf.jump, "start_px": r.rf.start,
              "covers_input": r.rf.size >= max(h, w)} for r in rows]
    if args.json:
        print(json.dumps({"model": args.model, "input_hw": [h, w], "layers": table}, indent=1))
    else:
        print(f"{args.model}: theoretical receptive field at {h}×{w} input")
        print(f"{'layer':<34}{'depth':>6}{'RF px':>9}{'jump':>7}{'start':>8}  sees whole input")
        for r in table:
            print(f"{r['layer']:<34}{r['depth']:>6}{r['rf_px']:>9.0f}{r['jump_px']:>7.0f}{r['start_px']:>8.1f}  {'yes' if r['covers_input'] else 'no'}")
    return 0


def _card(args: argparse.Namespace) -> int:
    from .cards import measure_model, remeasure_latency, write_card

    for name in args.model:
        m = remeasure_latency(name) if args.latency_only else measure_model(name, args.data, args.run_dir, latency=args.latency)
        print(f"{name}: PCK@0.2 {m['pck_test']} % ({m['pck_test_flip']} % flip), {m['median_ms_per_crop']} ms/crop -> {write_card(m)}")
    return 0


def _grow(args: argparse.Namespace) -> int:
    import copy

    import torch

    from .errors import CheckpointError
    from .models.hourglass import StackedHourglass
    from .models.hrnet import HRNet
    from .pretrained import load_pretrained
    from .training.grow import add_hourglass_stack, add_hrnet_module, revive_dead_blocks
    from .training.loop import export_state

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
        raise PoseVizInputError("nothing to grow: give --add-stack, --add-module STAGE and/or --revive")
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


def _pack_lsp(args: argparse.Namespace) -> int:
    from .data.pack import pack_lsp

    n, size = pack_lsp(args.out, args.data, args.max_side, force=args.force)
    print(f"{n} images and joints.mat in {args.out}: {size / 2**20:.1f} MB")
    return 0


def _pack_mix(args: argparse.Namespace) -> int:
    from .data.pack import pack_mix

    size = pack_mix(args.out, args.data_root, args.max_side, args.quality, force=args.force)
    print(f"the training mix in {args.out}: {size / 2**20:.1f} MiB of images (train --data-root {args.out})")
    return 0


def _models(args: argparse.Namespace) -> int:
    from .model_table import shipped_table, write_readme
    from .zoo import ZOO, weights_path

    if args.markdown:
        print(shipped_table())
        return 0
    if args.write_readme:
        changed = write_readme(args.write_readme)
        print(f"{args.write_readme}: shipped-model table {'updated' if changed else 'already current'}")
        return 0
    for e in ZOO.values():
        print(f"{e.name:<16} {e.task:<10} {'shipped' if weights_path(e.name).is_file() else 'not trained yet':<16} {e.description}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m poseviz`` argument parser with all sub-commands."""
    p = argparse.ArgumentParser(prog="python -m poseviz", description="PoseViz command line")
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("coco-eval", help="COCO keypoint AP/AR of a results file (the 10 standard stats)")
    c.add_argument("gt", help="ground-truth COCO keypoint JSON")
    c.add_argument("results", help="results JSON (list of image_id, keypoints, score)")
    c.add_argument("--schema", default=None, help="sigmas of this schema (default coco17)")
    c.add_argument("--json", action="store_true")
    c.set_defaults(fn=_coco_eval)
    t = sub.add_parser("train", help="train a zoo model on LSP 1-1000 + LSP Extended + MPII (validation carved out)")
    _add_train_flags(t)
    t.set_defaults(fn=_train)
    d = sub.add_parser("data", help="list, fetch, verify public datasets and checkpoints; print the data root")
    d.add_argument("action", choices=["list", "fetch", "verify", "path"])
    d.add_argument("name", nargs="?", default=None, help="dataset or checkpoint (see `data list`)")
    d.add_argument("--data-root", default=None, help="data root (default: --data-root > $POSEVIZ_DATA > config > user data dir)")
    d.set_defaults(fn=_data)
    e = sub.add_parser("eval", help="LSP test PCK@0.2, COCO OKS-AP (ground-truth boxes) and MPII validation PCKh@0.5")
    e.add_argument("--model", required=True)
    e.add_argument("--weights", default=None, help="safetensors file (default: the shipped weights)")
    e.add_argument("--data-root", "--data", dest="data_root", default=None, help="data root (default: the resolved one)")
    e.add_argument("--sources", default="lsp,coco,mpii", help="comma-separated: lsp, coco, mpii")
    e.add_argument("--coco-json", default=None, help="COCO keypoint file (default: the COCO sample in the data root)")
    e.add_argument("--coco-images", default=None, help="its images folder")
    e.add_argument("--mpii-root", default=None, help="a folder in the MPII layout (annotations.json + images/) to score "
                   "every person of, instead of the validation people")
    e.add_argument("--flip", action="store_true")
    e.add_argument("--decode", default="dark", choices=["argmax", "quarter", "dark"])
    e.add_argument("--alpha", type=float, default=0.2, help="LSP PCK threshold (fraction of the torso)")
    e.add_argument("--limit", type=int, default=None, help="at most this many people (images for COCO) per source")
    e.add_argument("--json", action="store_true")
    e.set_defaults(fn=_eval)
    pr = sub.add_parser("predict", help="keypoints of one person in an image")
    pr.add_argument("image")
    pr.add_argument("--model", required=True)
    pr.add_argument("--weights", default=None)
    pr.add_argument("--box", default=None, help="x,y,w,h in original image pixels (default: whole image; "
                    "OpenPose-style models without --box find every person bottom-up)")
    pr.add_argument("--flip", action="store_true")
    pr.add_argument("--image-id", type=int, default=0)
    pr.add_argument("--json", action="store_true")
    pr.set_defaults(fn=_predict)
    rf = sub.add_parser("receptive-field", help="theoretical receptive field per stage")
    rf.add_argument("model", help="zoo model or paper config (cpm-paper, hourglass-8, hrnet-w32, hrnet-w48)")
    rf.add_argument("--input", nargs=2, type=int, metavar=("H", "W"), default=None)
    rf.add_argument("--all", action="store_true", help="every layer, not only stage outputs")
    rf.add_argument("--json", action="store_true")
    rf.set_defaults(fn=_receptive_field)
    cd = sub.add_parser("card", help="measure shipped models and write their model cards")
    cd.add_argument("model", nargs="+")
    cd.add_argument("--data-root", "--data", dest="data", default=None, help="data root (default: the resolved one)")
    cd.add_argument("--run-dir", default="runs", help="where `train --out` wrote the run; without its log the card keeps its training record")
    cd.add_argument("--latency", action="store_true", help="re-time latency too (on a quiet machine); otherwise the card's timings stay")
    cd.add_argument("--latency-only", action="store_true", help="re-time latency only, keep the card's other figures")
    cd.set_defaults(fn=_card)
    gr = sub.add_parser("grow", help="add capacity to trained weights without changing what they compute (to fine-tune)")
    gr.add_argument("model", help="zoo model whose weights to grow")
    gr.add_argument("--out", required=True, help="safetensors file for the grown weights (train --init-from it)")
    gr.add_argument("--weights", default=None, help="weights to grow (default: the shipped ones)")
    gr.add_argument("--add-stack", type=int, default=0, help="hourglass: add this many stacks (copies of the last)")
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
    m = sub.add_parser("models", help="list the model zoo")
    m.add_argument("--markdown", action="store_true", help="print the README's table of shipped models (from the cards)")
    m.add_argument("--write-readme", metavar="README", default=None,
                   help="rewrite the shipped-model table between the markers in this README")
    m.set_defaults(fn=_models)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point; user errors print one line to stderr and return 2."""
    args = build_parser().parse_args(argv)
    try:
        return args.fn(args)
    except PoseVizInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
