"""COCO-sample AP with ground-truth boxes (flip test, 12 body joints), with a 95 % bootstrap interval over its
images: how far apart two models' APs must be before the sample can tell them apart.
Run: ``.venv/bin/python benchmarks/coco_ap_ci.py [--models efficientpose_rt,efficientpose_i] [--resamples 300]``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import table  # noqa: E402

import poseviz  # noqa: E402
from poseviz.cards import default_coco_root  # noqa: E402
from poseviz.explain.oks_errors import restrict_dataset  # noqa: E402
from poseviz.inference.top_down import model_schema  # noqa: E402
from poseviz.io.coco import load_coco  # noqa: E402
from poseviz.io.images import load_image  # noqa: E402
from poseviz.metrics.bootstrap import bootstrap_coco_ap  # noqa: E402
from poseviz.metrics.evaluation import evaluate_coco_boxes  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="efficientpose_rt,efficientpose_i,ensemble_lsp")
    ap.add_argument("--resamples", type=int, default=300)
    args = ap.parse_args()
    root = default_coco_root()
    gt = load_coco(root / "annotations" / "person_keypoints_train2017.json")
    rows = []
    for name in args.models.split(","):
        model = poseviz.load_model(name)
        ev, results, _ = evaluate_coco_boxes(model, gt, lambda im: load_image(root / "train2017" / im["file_name"], max_side=None).rgb,
                                             flip=True, progress=False)
        data, sigmas, _ = restrict_dataset(gt, model_schema(model))
        lo, hi = bootstrap_coco_ap(data, results, sigmas, args.resamples)
        rows.append({"model": name, "people": len(results), "AP": f"{ev.stats[0]:.3f}", "95 % interval (images resampled)": f"{lo:.3f}–{hi:.3f}"})
    table(rows, "COCO sample, ground-truth boxes, flip: AP and its bootstrap interval")


if __name__ == "__main__":
    main()
