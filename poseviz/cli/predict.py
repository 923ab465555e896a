"""Prediction commands: ``predict`` (one person or every person in an image) and ``receptive-field``."""
from __future__ import annotations

import argparse
import json

import numpy as np

from poseviz.core.errors import PoseVizInputError


def register(sub: argparse._SubParsersAction) -> None:
    """Add this group's sub-commands to ``sub``."""
    pr = sub.add_parser("predict", help="keypoints of every person in an image (or of one, with --box)")
    pr.add_argument("image")
    pr.add_argument("--model", required=True)
    pr.add_argument("--weights", default=None)
    pr.add_argument("--box", default=None, help="x,y,w,h in original image pixels (default: every person the "
                    "detector finds, the default person first)")
    pr.add_argument("--bottom-up", action="store_true", help="OpenPose-style models: every person grouped bottom-up "
                    "(belief maps + part affinity fields) instead of detected and predicted top-down")
    pr.add_argument("--refine", type=int, default=None, help="refinement passes: re-crops around the confident joints "
                    "(default: the library's, poseviz.inference.refine.DEFAULT_REFINE_PASSES)")
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


def _predict(args: argparse.Namespace) -> int:
    from poseviz.inference.top_down import predict_person
    from poseviz.io.images import load_image
    from poseviz.models.fast_inference import for_inference
    from poseviz.models.pretrained import load_pretrained
    from poseviz.models.protocol import predicts_pafs

    from poseviz.inference.refine import DEFAULT_REFINE_PASSES, refined_prediction

    if not 0 <= args.image_id < 2**63:  # COCO ids are 64-bit integers; our own result validator holds them there
        raise PoseVizInputError(f"--image-id must be an integer from 0 to 2^63 - 1 (got {args.image_id})")
    refine = DEFAULT_REFINE_PASSES if args.refine is None else args.refine
    if not 0 <= refine <= 5:
        raise PoseVizInputError(f"--refine must be 0 to 5 passes (got {refine})")
    if args.bottom_up and args.box:
        raise PoseVizInputError("--bottom-up finds every person itself: give no --box")
    model = for_inference(load_pretrained(args.model, args.weights))
    if args.bottom_up and not predicts_pafs(model):
        raise PoseVizInputError(f"--bottom-up needs an OpenPose-style model (part affinity fields); {args.model} has none")
    img = load_image(args.image)
    if args.bottom_up:
        return _predict_bottom_up(model, img, args)
    if not args.box:
        return _predict_everyone(model, img, args, refine)
    if args.box:
        try:
            box = tuple(float(v) for v in args.box.split(","))
        except ValueError:
            raise PoseVizInputError(f"--box must be x,y,w,h numbers, got {args.box!r}") from None
        if len(box) != 4:
            raise PoseVizInputError(f"--box must have 4 numbers x,y,w,h, got {len(box)}")
        box = tuple(v * img.scale for v in box)
    pred = refined_prediction(model, img.rgb, predict_person(model, img.rgb, box, flip=args.flip), refine, args.flip)
    result = _result(pred, img, args.image_id)
    if args.json:
        print(json.dumps([result]))
    else:
        _print_joints(pred.schema.joints, result)
    return 0


def _result(pred, img, image_id: int) -> dict:
    """One person's COCO result (keypoints in the original image's pixels)."""
    kp = pred.keypoints.copy()
    kp[:, :2] = img.to_original(kp[:, :2])
    if not np.isfinite(kp).all():  # JSON has no NaN: never print one
        raise PoseVizInputError("the model produced non-finite keypoints for this image and box")
    return {"image_id": image_id, "category_id": 1, "schema": pred.schema.name,
            "keypoints": [round(float(v), 2) for v in kp.ravel()], "score": round(pred.score, 4)}


def _print_joints(names, result: dict) -> None:
    for name, (x, y, s) in zip(names, np.array(result["keypoints"]).reshape(-1, 3)):
        print(f"{name:<15} x={x:8.1f}  y={y:8.1f}  belief={s:5.2f}")


def _predict_everyone(model, img, args: argparse.Namespace, refine: int) -> int:
    """Every detected person top-down, the default first: COCO results with box, detector_score and default."""
    import sys

    from poseviz.inference.people import predict_everyone

    people = predict_everyone(model, img.rgb, flip=args.flip, refine=refine)
    results = []
    for p in people:
        x, y, w, h = p.candidate.box
        (x0, y0), (x1, y1) = img.to_original(np.array([[x, y], [x + w, y + h]]))
        results.append({**_result(p.prediction, img, args.image_id),
                        "box": [round(float(v), 2) for v in (x0, y0, x1 - x0, y1 - y0)],
                        "detector_score": round(p.candidate.score, 4), "default": p.default})
    if not results:
        print("No person found in this image (the detector found nobody): give a box with --box x,y,w,h.", file=sys.stderr)
    if args.json:
        print(json.dumps(results))
        return 0
    for n, (p, r) in enumerate(zip(people, results), 1):
        print(f"person {n}{' (default)' if r['default'] else ''}: box {r['box']}, detector score {r['detector_score']:.2f}, "
              f"mean peak belief {r['score']:.3f}")
        _print_joints(p.prediction.schema.joints, r)
    return 0


def _predict_bottom_up(model, img, args: argparse.Namespace) -> int:
    """Every person in the image (OpenPose-style models, no --box): COCO results, one per person."""
    from poseviz.inference.bottom_up import predict_people
    from poseviz.inference.top_down import model_schema

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


MAX_RF_INPUT = 16384  # px: far beyond any crop these networks take; the field is compared with it, nothing is allocated


def _receptive_field(args: argparse.Namespace) -> int:
    from poseviz.explain.receptive_field import receptive_fields
    from poseviz.models import create_model
    from poseviz.models.zoo import ZOO, build

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
        if not (1 <= h <= MAX_RF_INPUT and 1 <= w <= MAX_RF_INPUT):
            raise PoseVizInputError(f"--input H W must be whole numbers of pixels from 1 to {MAX_RF_INPUT} (got {h} {w})")
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
