"""How each model scores on the validation people with the boxes a user gets, not the joints' box.

Validation people (300 LSP Extended, 200 MPII, held out of training): PCK@0.2 / PCKh@0.5 (12 limbs + neck and head)
cropped from (a) the joints' box × 1.3 (how training crops are cut; the cards' figures), (b) the person detector's
box (the app's default; NaN: the whole image), (c) MPII's standard box (scale × 200 px), each without and with the
refinement pass. No flip test. Prints a table.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import table  # noqa: E402
from poseviz.data.mix import DEFAULT_MIX, load_split, parse_mix  # noqa: E402
from poseviz.data.mpii import mpii_person_boxes  # noqa: E402
MEASURED_PASSES = 2  # the refinement column: this many re-crops
from poseviz.inference.yolox import BOX_ENLARGE  # noqa: E402
from poseviz.metrics.evaluation import evaluate_lsp  # noqa: E402
from poseviz.models import zoo  # noqa: E402
from poseviz.models.fast_inference import for_inference  # noqa: E402
from poseviz.models.pretrained import load_pretrained  # noqa: E402
from poseviz.training.detector_boxes import person_detector_boxes  # noqa: E402
from poseviz.training.loop import _decode  # noqa: E402
from poseviz.training.validation import VALIDATION_METRICS  # noqa: E402


def score(model, people, images, name, boxes=None, enlarge=1.3, refine=0) -> float:
    _, reference, alpha = VALIDATION_METRICS[name]
    return evaluate_lsp(model, people, np.arange(len(people)), alpha=alpha, images=images, progress=False,
                        reference=reference, boxes=boxes, box_enlarge=enlarge, refine=refine).pck.mean


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=",".join(zoo.shipped_networks(None)))
    ap.add_argument("--weights", default=None, help="safetensors to try instead of the shipped weights (one model)")
    ap.add_argument("--cache", default="runs/detector_boxes")
    args = ap.parse_args()
    torch.set_num_threads(2)
    split = load_split(parse_mix(DEFAULT_MIX), None, validation=True)
    val = split.validation
    images = {n: _decode(p, False) for n, p in val.items()}
    det = {n: person_detector_boxes(p, images[n], args.cache, progress=False) for n, p in val.items()}
    mpii_box = mpii_person_boxes(val["mpii"])
    rows = []
    for name in args.models.split(","):
        model = for_inference(load_pretrained(name, weights=args.weights) if args.weights else load_pretrained(name))
        r = {"model": name}
        for src in val:
            r[f"{src} joints"] = f"{score(model, val[src], images[src], src):.1f}"
            for k in (0, MEASURED_PASSES):
                r[f"{src} detected r{k}"] = f"{score(model, val[src], images[src], src, det[src], BOX_ENLARGE, k):.1f}"
        for k in (0, MEASURED_PASSES):
            r[f"mpii own box r{k}"] = f"{score(model, val['mpii'], images['mpii'], 'mpii', mpii_box, 1.3, k):.1f}"
        rows.append(r)
        print(r, flush=True)
    table(rows, "validation people: joints' box vs detector box vs MPII's box (rK: K refinement passes)")


if __name__ == "__main__":
    main()
