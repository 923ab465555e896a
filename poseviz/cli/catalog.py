"""What PoseViz has: ``models`` (the zoo, the README table), ``card`` (model cards), ``ablations`` (the seed
ablations' card) and ``data`` (datasets)."""
from __future__ import annotations

import argparse
import sys

from poseviz.core.errors import PoseVizInputError


def register(sub: argparse._SubParsersAction) -> None:
    """Add this group's sub-commands to ``sub``."""
    m = sub.add_parser("models", help="list the model zoo")
    m.add_argument("--markdown", action="store_true", help="print the README's table of shipped models (from the cards)")
    m.add_argument("--write-readme", metavar="README", default=None,
                   help="rewrite the shipped-model table between the markers in this README")
    m.set_defaults(fn=_models)
    cd = sub.add_parser("card", help="measure shipped models and write their model cards")
    cd.add_argument("model", nargs="+")
    cd.add_argument("--data-root", "--data", dest="data", default=None, help="data root (default: the resolved one)")
    cd.add_argument("--run-dir", default="runs", help="where `train --out` wrote the run; without its log the card keeps its training record")
    cd.add_argument("--latency", action="store_true", help="re-time latency too (on a quiet machine); otherwise the card's timings stay")
    cd.add_argument("--latency-only", action="store_true", help="re-time latency only, keep the card's other figures")
    cd.add_argument("--user-boxes-only", action="store_true",
                    help="measure only what a user gets (detector and MPII boxes), keep the card's other figures")
    cd.set_defaults(fn=_card)
    ab = sub.add_parser("ablations", help="measure the seed ablations' runs and write assets/ablations.md and .json "
                                          "(--occluders: lesson 6's pair)")
    ab.add_argument("--run-dir", required=True, help="where `train --out` wrote the cpm6_ablation, hourglass_ablation and hrnet_ablation runs")
    ab.add_argument("--data-root", default=None, help="data root (default: the resolved one)")
    ab.add_argument("--occluders", action="store_true",
                    help="measure lesson 6's pair instead (hourglass_occ_ablation, hourglass_noocc_ablation): "
                         "write assets/occluder_ablation.md and .json and ship both runs' weights")
    ab.set_defaults(fn=_ablations)
    d = sub.add_parser("data", help="list, fetch, verify public datasets and checkpoints; print the data root")
    d.add_argument("action", choices=["list", "fetch", "verify", "path"])
    d.add_argument("name", nargs="?", default=None, help="dataset or checkpoint (see `data list`)")
    d.add_argument("--data-root", default=None, help="data root (default: --data-root > $POSEVIZ_DATA > config > user data dir)")
    d.add_argument("--force", action="store_true", help="fetch: replace the whole folder, deleting files the download does not hold")
    d.set_defaults(fn=_data)


def _models(args: argparse.Namespace) -> int:
    from poseviz.cards.readme_table import shipped_table, write_readme
    from poseviz.models.zoo import ZOO, is_shipped

    if args.markdown:
        print(shipped_table())
        return 0
    if args.write_readme:
        changed = write_readme(args.write_readme)
        print(f"{args.write_readme}: shipped-model table {'updated' if changed else 'already current'}")
        return 0
    for e in ZOO.values():
        print(f"{e.name:<16} {e.task:<10} {'shipped' if is_shipped(e.name) else 'not trained yet':<16} {e.description}")
    return 0


def _card(args: argparse.Namespace) -> int:
    from poseviz.cards import measure_model, remeasure_latency, write_card
    from poseviz.cards.user_boxes import with_user_box_figures

    for name in args.model:
        if args.latency_only:
            m = remeasure_latency(name)
        elif args.user_boxes_only:
            m = with_user_box_figures(name, args.data)
        else:
            m = measure_model(name, args.data, args.run_dir, latency=args.latency)
        print(f"{name}: PCK@0.2 {m['pck_test']} % ({m['pck_test_flip']} % flip), {m['median_ms_per_crop']} ms/crop -> {write_card(m)}")
    return 0


def _ablations(args: argparse.Namespace) -> int:
    from pathlib import Path

    from poseviz.cards.ablations import MATCHED_MODELS, STAGE_MODEL, measure_ablations, write_ablations

    if args.occluders:
        return _occluder_ablation(args)
    missing = [n for n in (STAGE_MODEL, *MATCHED_MODELS) if not (Path(args.run_dir) / n / "best.safetensors").is_file()]
    if missing:
        raise PoseVizInputError(f"{args.run_dir} holds no selected weights for {', '.join(missing)}: "
                                f"train them first (python -m poseviz train --model NAME --out {args.run_dir} --select best)")
    a = measure_ablations(args.run_dir, args.data_root)
    print(f"{len(a['receptive_field']['stages'])} stages, {len(a['matched'])} matched models -> {write_ablations(a, run_dir=args.run_dir)}")
    return 0


def _occluder_ablation(args: argparse.Namespace) -> int:
    from pathlib import Path

    from poseviz.cards.occluder_ablation import PAIR, measure_occluder_ablation, occluder_finding, write_occluder_ablation

    missing = [n for n in PAIR if not (Path(args.run_dir) / n / "last.safetensors").is_file()]
    if missing:
        raise PoseVizInputError(f"{args.run_dir} holds no finished run of {', '.join(missing)}: train them first "
                                f"(python -m poseviz train --model NAME --out {args.run_dir} --occluders 0.5 or 0)")
    a = measure_occluder_ablation(args.run_dir, args.data_root)
    print(occluder_finding(a), "->", write_occluder_ablation(a, run_dir=args.run_dir))
    return 0


def _data(args: argparse.Namespace) -> int:
    from poseviz.data.fetch import downloads_dir, fetch, status, verify
    from poseviz.data.registry import REGISTRY, entry
    from poseviz.data.root import data_root, development_data

    root = data_root(args.data_root)
    if args.action == "path":
        print(root)
        return 0
    if args.action == "list":
        where = " (the development data)" if root == development_data() else ""
        print(f"data root: {root}{where}")
        for st in status(root):
            e = REGISTRY[st.name]
            print(f"  [{'x' if st.present else ' '}] {e.name:<24} {e.title}")
            print(f"      → {root / e.target}; licence: {e.licence}; cite: {e.citation}")
            if e.note:
                print(f"      note: {e.note}")
        print("fetch one with `python -m poseviz data fetch NAME`")
        return 0
    if not args.name:
        raise PoseVizInputError(f"`data {args.action}` needs a NAME; known: {', '.join(REGISTRY)}")
    e = entry(args.name)
    if args.action == "fetch":
        print(f"{e.title}\nlicence: {e.licence}\ncite: {e.citation}")
        try:
            print(f"installed in {fetch(e.name, root, force=args.force, notify=print)}")
        except KeyboardInterrupt:
            print(f"\ninterrupted: what was downloaded stays in {downloads_dir(root)} as a .part file; "
                  f"run `python -m poseviz data fetch {e.name}` again to resume", file=sys.stderr)
            return 130
        return 0
    st = verify(e.name, root)
    for problem in st.problems:
        print(f"  {problem}")
    print(f"{e.name}: {'complete' if st.present and not st.problems else 'NOT complete'} in {root / e.target}")
    return 0 if st.present and not st.problems else 1
