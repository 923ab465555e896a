"""Whole-image bottom-up inference (network + grouping) of every shipped PAF model on the
COCO sample, with one scale and with OpenPose's scale search, and its COCO AP on the 12 joints
LSP and COCO share."""
import statistics
import sys
import time

import torch

sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
from _common import table  # noqa: E402
from poseviz.models import zoo  # noqa: E402
from poseviz.cards import default_coco_root  # noqa: E402
from poseviz.inference.bottom_up import DEFAULT_LONG_SIDE, ONE_SCALE, PAPER_SCALES, evaluate_bottom_up, predict_people  # noqa: E402
from poseviz.io.coco import load_coco  # noqa: E402
from poseviz.io.images import load_image  # noqa: E402
from poseviz.models.pretrained import load_pretrained  # noqa: E402


def main() -> None:
    torch.set_num_threads(2)
    root = default_coco_root()
    gt = load_coco(root / "annotations" / "person_keypoints_train2017.json")
    files = {im["file_name"]: load_image(root / "train2017" / im["file_name"], max_side=None).rgb for im in gt.dataset["images"]}
    rows = []
    for name in zoo.shipped_models("paf"):
        m = load_pretrained(name)
        for scales in (ONE_SCALE, PAPER_SCALES):
            times, people = [], 0
            for rgb in files.values():
                t0 = time.perf_counter()
                res = predict_people(m, rgb, scales=scales)
                times.append(time.perf_counter() - t0)
                people += len(res.people)
            ev, _ = evaluate_bottom_up(m, gt, lambda im: files[im["file_name"]], scales=scales, progress=False)
            ap, ap50, ar = ev.stats[0], ev.stats[1], ev.stats[5]
            rows.append({"model": name, "long sides (px)": ", ".join(str(round(DEFAULT_LONG_SIDE * s)) for s in scales),
                         "images": len(files), "median ms/image": round(1000 * statistics.median(times), 1),
                         "people found": people, "AP (12 joints)": round(ap, 3), "AP .5": round(ap50, 3), "AR": round(ar, 3)})
    table(rows, "Bottom-up inference on the COCO sample (network + PAF grouping; scales averaged before grouping)")


if __name__ == "__main__":
    main()
