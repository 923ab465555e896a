"""How often the app's default person box is a real person, on the COCO sample.

For each image with an annotated person (non-crowd, labelled joints), the default box of two
policies is compared with every annotated person's box: the share of images where the best IoU
is ≥ 0.5, and the median best IoU. "before": HOG's highest-scoring box, else the whole image (the
app until this policy); "now": ``poseviz.inference.person_boxes.default_person``. Prints a table.
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
from poseviz.inference.person_boxes import default_person, person_candidates, whole_image_box  # noqa: E402
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
    finder = for_inference(load_pretrained("openpose_lsp", args.weights))
    before, now = [], []
    for im in doc["images"]:
        if im["id"] not in people:
            continue
        rgb = load_image(root / "train2017" / im["file_name"], max_side=None).rgb
        h, w = rgb.shape[:2]
        hog = detect_people(rgb)
        before.append(max(iou(hog[0].box if hog else whole_image_box(w, h), g) for g in people[im["id"]]))
        cands = person_candidates(rgb, finder)
        i = default_person(cands)
        box = cands[i].box if i is not None else whole_image_box(w, h)
        now.append(max(iou(box, g) for g in people[im["id"]]))
    print(f"default person box on the COCO sample ({len(now)} images with annotated people; {platform.machine()}; "
          f"finder: {args.weights or 'shipped openpose_lsp'})")
    print(f"{'policy':<40}{'IoU ≥ 0.5':>10}{'median IoU':>12}")
    for name, v in (("before: HOG's top box, else whole image", before), ("now: poseviz.inference.person_boxes", now)):
        v = np.array(v)
        print(f"{name:<40}{100 * (v >= 0.5).mean():>9.1f}%{np.median(v):>12.2f}")


if __name__ == "__main__":
    main()
