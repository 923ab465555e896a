"""Command line: ``python -m poseviz {coco-eval,train,eval,predict,grow,models,atlas,...}``, one module per command group."""
from __future__ import annotations

import argparse
import sys

from poseviz.core.errors import PoseVizInputError

__all__ = ["main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m poseviz`` argument parser with all sub-commands."""
    from poseviz.cli import atlas, catalog, evaluate, predict, train

    p = argparse.ArgumentParser(prog="python -m poseviz", description="PoseViz command line")
    sub = p.add_subparsers(dest="command", required=True)
    for group in (evaluate, train, predict, catalog, atlas):
        group.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point; user errors print one line to stderr and return 2."""
    args = build_parser().parse_args(argv)
    try:
        return args.fn(args)
    except PoseVizInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # one line, not a traceback: every long command keeps what it finished
        print("\ninterrupted", file=sys.stderr)
        return 130
