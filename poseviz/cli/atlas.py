"""``atlas``: every person of a dataset through every chosen model, into a folder of Parquet shards."""
from __future__ import annotations

import argparse

from poseviz.core.errors import PoseVizInputError


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``atlas`` sub-command to ``sub``."""
    a = sub.add_parser("atlas", help="failure atlas: every person of a dataset through every model (Parquet shards)")
    a.add_argument("dataset", help="coco-val2017, coco-mini, lsp (test split) or mpii under the data root, or a COCO keypoint JSON")
    a.add_argument("--models", required=True, help="comma-separated shipped models, e.g. efficientpose_rt,hrnet_lsp")
    a.add_argument("--out", required=True, help="atlas folder (new or empty; an existing atlas of the same run resumes)")
    a.add_argument("--images", default=None, help="images folder of a COCO keypoint JSON")
    a.add_argument("--data-root", default=None, help="data root (default: the resolved one)")
    a.add_argument("--boxes", choices=["gt", "detected"], default="gt",
                   help="crop each person from its annotated box (gt) or from the person detector's matching box")
    a.add_argument("--flip", action="store_true", help="flip test")
    a.add_argument("--occlusion", action="store_true",
                   help="also probe how much greying one patch lowers each person's worst joint (about 65 runs per person)")
    a.add_argument("--engine", choices=["local", "ray"], default="local")
    a.add_argument("--address", default=None, help="Ray cluster address (default: a local Ray started for the run)")
    a.add_argument("--workers", type=int, default=1, help="processes (local) or Ray actors, one CPU each")
    a.add_argument("--shard-size", type=int, default=32, help="people per shard (the unit of work and of resuming)")
    a.add_argument("--limit", type=int, default=None, help="only the first N people")
    a.set_defaults(fn=_atlas)


def _atlas(args: argparse.Namespace) -> int:
    from poseviz.atlas import build_atlas, spec_from

    models = [m.strip() for m in args.models.split(",") if m.strip()]
    if not models:
        raise PoseVizInputError("--models: name at least one shipped model")
    spec = spec_from(args.dataset, models, images=args.images, root=args.data_root, boxes=args.boxes, flip=args.flip,
                     occlusion=args.occlusion, shard_size=args.shard_size, limit=args.limit)
    m = build_atlas(spec, args.out, engine=args.engine, workers=args.workers, address=args.address)
    print(f"{args.out}: {m['people']} people × {len(m['models'])} models in {m['shards']} shards "
          f"({m['written']} written now, {m['resumed']} already done)")
    return 0
