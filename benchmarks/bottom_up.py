"""Whole-image bottom-up inference (network + grouping) of every shipped PAF model on the
COCO sample, and its COCO AP on the 12 joints LSP and COCO share."""
import statistics
import sys
import time

import torch

sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
from _common import table  # noqa: E402
from poseviz.models import zoo  # noqa: E402
from poseviz.cards import coco_mini_ap, default_coco_root  # noqa: E402
from poseviz.inference.bottom_up import DEFAULT_LONG_SIDE, predict_people  # noqa: E402
from poseviz.io.images import load_image  # noqa: E402
from poseviz.models.pretrained import load_pretrained  # noqa: E402


def main() -> None:
    torch.set_num_threads(2)
    images = [load_image(p).rgb for p in sorted((default_coco_root() / "train2017").glob("*.jpg"))]
    rows = []
    for name in zoo.shipped_models("paf"):
        m = load_pretrained(name)
        times, people = [], 0
        for rgb in images:
            t0 = time.perf_counter()
            res = predict_people(m, rgb)
            times.append(time.perf_counter() - t0)
            people += len(res.people)
        ap = coco_mini_ap(m)
        rows.append({"model": name, "long side (px)": DEFAULT_LONG_SIDE, "images": len(images),
                     "median ms/image": round(1000 * statistics.median(times), 1), "people found": people,
                     "AP (12 joints)": round(ap["AP"], 3), "AP .5": round(ap["AP .5"], 3), "AR": round(ap["AR"], 3)})
    table(rows, "Bottom-up inference on the COCO sample (network + PAF grouping)")


if __name__ == "__main__":
    main()
