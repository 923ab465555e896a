"""The enlargement that frames a detector box like a training crop (``poseviz.inference.yolox.BOX_ENLARGE``).

Training crops are the joints' box × 1.3, padded square. On the training people whose detector box was found
(``poseviz.training.detector_boxes``), the median ratio of the detector box's longer side to the joints' box's
gives BOX_ENLARGE = 1.3 / ratio. Prints the ratio per source and the resulting enlargement.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import table  # noqa: E402
from poseviz.core.geometry import DEFAULT_ENLARGE  # noqa: E402
from poseviz.data.lsp import joints_box  # noqa: E402
from poseviz.data.mix import DEFAULT_MIX, load_split, parse_mix  # noqa: E402
from poseviz.training.detector_boxes import person_detector_boxes  # noqa: E402
from poseviz.training.loop import _decode  # noqa: E402


def main() -> None:
    split = load_split(parse_mix(DEFAULT_MIX), None, validation=True)
    rows, ratios = [], []
    for name, people in split.train.items():
        boxes = person_detector_boxes(people, _decode(people, False), "runs/detector_boxes", progress=False)
        ok = np.isfinite(boxes[:, 0])
        r = np.array([max(b[2], b[3]) / max(joints_box(j)[2], joints_box(j)[3]) for b, j in zip(boxes[ok], people.joints[ok])])
        ratios.append(r)
        rows.append({"source": name, "people": len(people), "detected": f"{ok.mean():.1%}", "median ratio": f"{np.median(r):.3f}"})
    all_r = np.concatenate(ratios)
    rows.append({"source": "all", "people": sum(len(p) for p in split.train.values()), "detected": "",
                 "median ratio": f"{np.median(all_r):.3f} → BOX_ENLARGE {DEFAULT_ENLARGE / np.median(all_r):.3f}"})
    table(rows, "detector box longer side / joints' box longer side, training people")


if __name__ == "__main__":
    main()
