"""How wide EfficientPose wants its crop: validation PCK with the person detector's boxes at several crop contexts.

This project's networks crop a detector box × ``BOX_ENLARGE`` (calibrated to their training crops, the joints' box
× 1.3); EfficientPose was trained by its authors on MPII's framing, wider. ``crop_context`` multiplies our framing;
the one with the best mean over the validation people (300 LSP Extended, 200 MPII; no flip) is
``poseviz.models.efficientpose.CROP_CONTEXT``. Its weights saw all of MPII, so the MPII column is not held out for it:
the LSP Extended column is the one to read. Prints a table.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import table  # noqa: E402
from benchmarks.box_robustness import score  # noqa: E402
from poseviz.data.mix import DEFAULT_MIX, load_split, parse_mix  # noqa: E402
from poseviz.inference.yolox import BOX_ENLARGE  # noqa: E402
from poseviz.models import create_model  # noqa: E402
from poseviz.models.efficientpose import CROP_CONTEXT  # noqa: E402
from poseviz.models.fast_inference import for_inference  # noqa: E402
from poseviz.models.pretrained import read_state_dict  # noqa: E402
from poseviz.models.zoo import weights_path  # noqa: E402
from poseviz.training.detector_boxes import person_detector_boxes  # noqa: E402
from poseviz.training.loop import _decode  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variants", default="rt,i")
    ap.add_argument("--contexts", default="1.0,1.04,1.13,1.22,1.31")
    ap.add_argument("--cache", default="runs/detector_boxes")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    val = load_split(parse_mix(DEFAULT_MIX), None, validation=True).validation
    images = {n: _decode(p, False) for n, p in val.items()}
    det = {n: person_detector_boxes(p, images[n], args.cache, progress=False) for n, p in val.items()}
    rows = []
    for v in args.variants.split(","):
        state = read_state_dict(weights_path(f"efficientpose_{v}"))
        for c in map(float, args.contexts.split(",")):
            model = create_model("efficientpose", variant=v, crop_context=c).eval()
            model.load_state_dict(state)
            model = for_inference(model)
            r = {"model": f"efficientpose_{v}", "crop context": f"{c:g}{' (shipped)' if abs(c - CROP_CONTEXT) < 1e-9 else ''}",
                 "crop / detector box": f"{c * BOX_ENLARGE:.2f}"}
            s = {src: score(model, val[src], images[src], src, det[src], BOX_ENLARGE) for src in val}
            r.update({f"{src} detected": f"{x:.1f}" for src, x in s.items()}, mean=f"{np.mean(list(s.values())):.2f}")
            rows.append(r)
            print(r, flush=True)
    table(rows, "EfficientPose: validation PCK with the detector's boxes by crop context (no flip)")


if __name__ == "__main__":
    main()
