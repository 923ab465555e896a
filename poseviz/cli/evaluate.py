"""Evaluation commands: ``coco-eval`` (a results file's 10 COCO stats) and ``eval`` (LSP, COCO, MPII)."""
from __future__ import annotations

import argparse
import json

from poseviz.core.errors import PoseVizInputError


def register(sub: argparse._SubParsersAction) -> None:
    """Add this group's sub-commands to ``sub``."""
    c = sub.add_parser("coco-eval", help="COCO keypoint AP/AR of a results file (the 10 standard stats)")
    c.add_argument("gt", help="ground-truth COCO keypoint JSON")
    c.add_argument("results", help="results JSON (list of image_id, keypoints, score)")
    c.add_argument("--schema", default=None, help="sigmas of this schema (default coco17)")
    c.add_argument("--json", action="store_true")
    c.set_defaults(fn=_coco_eval)
    e = sub.add_parser("eval", help="LSP test PCK@0.2, COCO OKS-AP (ground-truth boxes) and MPII validation PCKh@0.5")
    e.add_argument("--model", required=True)
    e.add_argument("--weights", default=None, help="safetensors file (default: the shipped weights)")
    e.add_argument("--data-root", "--data", dest="data_root", default=None, help="data root (default: the resolved one)")
    e.add_argument("--sources", default="lsp,coco,mpii", help="comma-separated: lsp, coco, mpii")
    e.add_argument("--coco-json", default=None, help="COCO keypoint file (default: the COCO sample in the data root)")
    e.add_argument("--coco-images", default=None, help="its images folder")
    e.add_argument("--mpii-root", default=None, help="a folder in the MPII layout (annotations.json + images/) to score "
                   "every person of, instead of the validation people")
    e.add_argument("--boxes", default="detected", choices=["detected", "gt", "joints"],
                   help="where people are cropped from: detected (the person detector, as a user's photo; COCO: the "
                   "standard protocol, AP over all people), gt (COCO's boxes, MPII's own scale box) or joints (the "
                   "ground-truth joints' box, as the training crops and the cards' joints-box figures)")
    e.add_argument("--refine", type=int, default=0, help="refinement passes with --boxes detected")
    e.add_argument("--flip", action="store_true")
    e.add_argument("--decode", default="dark", choices=["argmax", "quarter", "dark"])
    e.add_argument("--alpha", type=float, default=0.2, help="LSP PCK threshold (fraction of the torso)")
    e.add_argument("--limit", type=int, default=None, help="at most this many people (images for COCO) per source")
    e.add_argument("--json", action="store_true")
    e.set_defaults(fn=_eval)


def _coco_eval(args: argparse.Namespace) -> int:
    from poseviz.core.schemas import COCO17, get_schema
    from poseviz.io.coco import load_coco, load_results
    from poseviz.metrics import STAT_NAMES, coco_keypoint_eval

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


def _eval(args: argparse.Namespace) -> int:
    from poseviz.core.schemas import LSP14
    from poseviz.metrics.source_scores import score_sources
    from poseviz.models.fast_inference import for_inference
    from poseviz.models.pretrained import load_pretrained

    sources = tuple(x.strip() for x in args.sources.split(",") if x.strip())
    if not sources:
        raise PoseVizInputError("--sources names nothing to score; give one or more of lsp, coco, mpii (comma-separated)")
    if not 0 <= args.refine <= 5:
        raise PoseVizInputError(f"--refine must be 0 to 5 passes (got {args.refine})")
    model = for_inference(load_pretrained(args.model, args.weights))
    scores = score_sources(model, sources, args.data_root, flip=args.flip, method=args.decode, alpha=args.alpha,
                           limit=args.limit, coco_json=args.coco_json, coco_images=args.coco_images, mpii_root=args.mpii_root,
                           boxes=args.boxes, refine=args.refine)
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
              f"in {s['images']} images ({flip})" + ("" if "mean_oks_whole" not in s else f"; mean OKS {s['mean_oks_whole']:.3f} on {s['people_whole']} whole people, "
              f"{s['mean_oks_partial']:.3f} on {s['people_partial']} partial ones (fewer than 4 of the arms' 6 joints, or of the legs' 6, labelled)"))
    if "mpii" in scores:
        s = scores["mpii"]
        print(f"{args.model}: MPII {s['metric']} = {s['mean']:.1f} % on {s['people']} people ({flip})")
    for name in ("lsp", "mpii"):
        if name in scores:
            print(f"  per joint ({name}): " + ", ".join(f"{j} {v:.0f}" for j, v in scores[name]["per_joint"].items()))
    return 0
