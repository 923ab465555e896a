"""Shared helpers for the benchmarks: the machine line and table printing."""
from __future__ import annotations

import os
import platform
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in __import__("sys").path:  # app pages import the app.state module
    __import__("sys").path.insert(0, str(ROOT))
LSP = ROOT.parent / "shared" / "data" / "lsp"


def machine() -> str:
    return f"{platform.machine()} · {os.cpu_count()} cores · torch {torch.__version__} · {torch.get_num_threads()} threads"


def table(rows: list[dict], title: str) -> None:
    print(f"\n## {title}\n({machine()})\n")
    if not rows:
        print("(no rows)")
        return
    cols = list(rows[0])
    widths = [max(len(str(c)), *(len(str(r[c])) for r in rows)) for c in cols]
    print("| " + " | ".join(str(c).ljust(w) for c, w in zip(cols, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print("| " + " | ".join(str(r[c]).ljust(w) for c, w in zip(cols, widths)) + " |")


def rss_mb() -> float:
    """Resident set size of this process (MB), from /proc."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")
