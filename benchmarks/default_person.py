"""How often the app's default person box is a real person, on the COCO sample.

For each image with an annotated person (non-crowd, labelled joints), the default box of each
policy is compared with every annotated person's box: the share of images where the best IoU
is ≥ 0.5, and the median best IoU. Policies: HOG's highest-scoring box, else the whole image (the app
until November 2026); the fallback finders (bottom-up people that look whole, then HOG; the app until
December 2026, now used only without the detector); and the detector with several default rules, the
last being ``poseviz.inference.person_boxes.default_person``. Also the detector's median time per photo.
Prints a table.
"""
from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from poseviz.data.root import dataset_dir  # noqa: E402
from poseviz.inference.detect import detect_people  # noqa: E402
from poseviz.inference.person_boxes import default_person, fallback_candidates, person_candidates, whole_image_box  # noqa: E402
from poseviz.inference.yolox import detect_persons  # noqa: E402
from poseviz.io.images import load_image  # noqa: E402
from poseviz.models.fast_inference import for_inference  # noqa: E402
from poseviz.models.pretrained import load_pretrained  # noqa: E402


def iou(a, b) -> float:
    iw = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = iw * ih
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--weights", default=None, help="OpenPose-style weights to try as the finder (default: the shipped ones)")
    args = ap.parse_args()
    torch.set_num_threads(2)
    root = dataset_dir("coco-mini")
    doc = json.loads((root / "annotations" / "person_keypoints_train2017.json").read_text())
    people: dict[int, list] = {}
    for a in doc["annotations"]:
        if a["num_keypoints"] > 0 and not a["iscrowd"]:
            people.setdefault(a["image_id"], []).append(a["bbox"])
    import time

    finder = for_inference(load_pretrained("openpose_lsp", args.weights))
    rules = {"detector: largest box": lambda d: d.box[2] * d.box[3], "detector: highest score": lambda d: d.score,
             "detector: area x score": lambda d: d.box[2] * d.box[3] * d.score}
    scores: dict[str, list[float]] = {"HOG's top box, else whole image": [], "fallback: bottom-up, then HOG": [],
                                      **{k: [] for k in rules}, "now: person_boxes.default_person (prominence)": []}
    times = []
    for im in doc["images"]:
        if im["id"] not in people:
            continue
        rgb = load_image(root / "train2017" / im["file_name"], max_side=None).rgb
        h, w = rgb.shape[:2]
        best = lambda box: max(iou(box, g) for g in people[im["id"]])  # noqa: E731
        hog = detect_people(rgb)
        scores["HOG's top box, else whole image"].append(best(hog[0].box if hog else whole_image_box(w, h)))
        cands = fallback_candidates(rgb, finder)
        i = default_person(cands)
        scores["fallback: bottom-up, then HOG"].append(best(cands[i].box if i is not None else whole_image_box(w, h)))
        t0 = time.perf_counter()
        dets = detect_persons(rgb)
        times.append(time.perf_counter() - t0)
        for name, key in rules.items():
            scores[name].append(best(max(dets, key=key).box) if dets else 0.0)
        cands = person_candidates(rgb)
        i = default_person(cands)
        scores["now: person_boxes.default_person (prominence)"].append(best(cands[i].box) if i is not None else 0.0)
    n = len(times)
    print(f"default person box on the COCO sample ({n} images with annotated people; {platform.machine()}; "
          f"fallback finder: {args.weights or 'shipped openpose_lsp'}; detector median {1000 * np.median(times):.1f} ms/photo)")
    print(f"{'policy':<48}{'IoU ≥ 0.5':>10}{'median IoU':>12}")
    for name, v in scores.items():
        v = np.array(v)
        print(f"{name:<48}{100 * (v >= 0.5).mean():>9.1f}%{np.median(v):>12.2f}")


if __name__ == "__main__":
    main()
