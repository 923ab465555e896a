"""Failure atlas throughput and browsing speed. Prints two tables.

1. People per second on the COCO sample (ground-truth boxes) for the engines: ``local`` (one process),
   ``local --workers 2`` and ``ray --workers 2`` (a local Ray, models in actors), with the server's peak RSS, and
   the projected wall time of COCO val2017 (6,352 people) × the chosen models on one such machine and on N Ray
   workers of its speed (linear in workers: shards are independent).
2. The page's filter changes on a synthetic 50,000-row atlas (median ms of each; issue 43's target ≤ 300 ms).

    python benchmarks/atlas.py [--models efficientpose_rt,hrnet_lsp,...] [--people 40] [--engines local,pool,ray]
"""
from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import ROOT, table  # noqa: E402
from poseviz.atlas import browse, build_atlas, spec_from  # noqa: E402
from poseviz.models import zoo  # noqa: E402

COCO_VAL_PEOPLE = 6352
DATA = ROOT.parent / "shared" / "data"


def throughput(models: list[str], people: int, engines: list[str]) -> list[dict]:
    rows = []
    for engine in engines:
        with tempfile.TemporaryDirectory() as tmp:
            spec = spec_from("coco-mini", models, root=str(DATA), limit=people, shard_size=max(people // 8, 1))
            kind, workers = {"local": ("local", 1), "pool": ("local", 2), "ray": ("ray", 2)}[engine]
            t0 = time.perf_counter()
            build_atlas(spec, Path(tmp) / "a", engine=kind, workers=workers, progress=False)
            wall = time.perf_counter() - t0
        rate = people / wall
        hours = COCO_VAL_PEOPLE / rate / 3600
        rows.append({"engine": f"{kind} × {workers}", "people": people, "models": len(models), "wall s": round(wall, 1),
                     "people / s": round(rate, 2), "COCO val2017, this machine (h)": round(hours, 2),
                     "on 8 workers at this rate each (h)": round(hours * workers / 8, 2),
                     "peak RSS, this process (MB)": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)})
    return rows


def synthetic_atlas(rows: int, out: Path) -> Path:
    """A written atlas of ``rows`` person × model rows with random figures (12 joints, 3 stages)."""
    from poseviz.atlas.store import VERSION, check_or_write_manifest, table_bytes, write_shard

    rng = np.random.default_rng(0)
    models = ["m1", "m2", "m3", "m4", "m5"]
    joints = ["left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip",
              "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle"]
    classes = np.array(["good", "jitter", "inversion", "swap", "miss"])
    per_shard = 5000
    shards = -(-rows // per_shard)
    check_or_write_manifest(out, {"version": VERSION, "dataset": "synthetic", "people": rows // len(models),
                                  "models": {m: "" for m in models}, "options": {"boxes": "gt", "flip": False,
                                  "occlusion": False, "limit": None}, "shard_size": per_shard // len(models), "shards": shards,
                                  "images": "", "dataset_sha256": ""})
    for s in range(shards):
        batch = []
        for i in range(s * per_shard, min((s + 1) * per_shard, rows)):
            err = rng.gamma(1.0, 0.1, 12)
            batch.append({"dataset": "synthetic", "image_id": i // 10, "ann_id": i // len(models) + 1, "file_name": "x.jpg",
                          "model": models[i % len(models)], "error": "", "box_source": "gt", "box": [0, 0, 10, 10],
                          "box_enlarge": 1.3, "area": float(rng.uniform(500, 40000)), "size_px": float(rng.uniform(20, 200)),
                          "crowd_index": float(rng.uniform(0, 1)), "num_labelled": 12, "oks": float(rng.uniform()),
                          "score": 0.5, "joints": joints, "gt_x": [0.0] * 12, "gt_y": [0.0] * 12,
                          "gt_v": rng.integers(1, 3, 12).tolist(), "pred_x": [0.0] * 12, "pred_y": [0.0] * 12,
                          "belief": [0.5] * 12, "err_px": (err * 50).tolist(), "err_norm": err.tolist(),
                          "ks": np.exp(-err).tolist(), "error_class": classes[rng.integers(0, 5, 12)].tolist(),
                          "stage_names": ["a", "b", "c"], "stage_peak": [[0.5] * 12] * 3,
                          "stage_err_norm": [err.tolist()] * 3, "worst_joint": "left_wrist", "occlusion_drop": float("nan")})
        write_shard(out, s, table_bytes(batch))
    return out


def browsing(rows: int) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        path = synthetic_atlas(rows, Path(tmp) / "a")
        t0 = time.perf_counter()
        atlas = browse.load(path)
        load_s = time.perf_counter() - t0
        cases = {"model only": browse.Filters(model="m2"),
                 "model + joint": browse.Filters(model="m2", joint="left_wrist"),
                 "model + joint + class + visibility": browse.Filters(model="m2", joint="left_wrist", error_class="miss", visibility=1),
                 "model + size + crowding": browse.Filters(model="m3", size=(32.0, 96.0), crowding=(0.2, 0.8)),
                 "error class only": browse.Filters(model="m1", error_class="swap")}
        out = [{"what": f"load {rows} rows (once per atlas, cached)", "median ms": round(1000 * load_s, 1)}]
        for name, f in cases.items():
            times = []
            for _ in range(7):
                t = time.perf_counter()
                browse.filter_people(atlas, f, limit=12)
                times.append(time.perf_counter() - t)
            out.append({"what": f"filter: {name}", "median ms": round(1000 * statistics.median(times), 1)})
        for name, fn in (("summary table", lambda: browse.summary(atlas)),
                         ("A fails where B does not", lambda: browse.fails_where_other_does_not(atlas, "m1", "m2"))):
            times = []
            for _ in range(5):
                t = time.perf_counter()
                fn()
                times.append(time.perf_counter() - t)
            out.append({"what": name, "median ms": round(1000 * statistics.median(times), 1)})
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default=",".join(zoo.shipped_models(None)))
    ap.add_argument("--people", type=int, default=40)
    ap.add_argument("--engines", default="local,pool,ray")
    ap.add_argument("--rows", type=int, default=50_000)
    args = ap.parse_args()
    if (DATA / "coco-mini").is_dir():
        table(throughput(args.models.split(","), args.people, args.engines.split(",")),
              f"Atlas throughput on the COCO sample, ground-truth boxes, {args.models}")
    else:
        print("(no COCO sample beside the checkout: throughput skipped)")
    table(browsing(args.rows), f"Atlas page filters on {args.rows} synthetic rows (target ≤ 300 ms)")


if __name__ == "__main__":
    main()
