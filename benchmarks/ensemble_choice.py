"""How the accuracy-first ensemble (``ensemble_lsp``) was chosen: candidate members and crop scales
scored on the validation split (300 LSP Extended people, PCK@0.2; 200 MPII people, PCKh@0.5; flip
test), with their median latency (flip test, the accuracy-first budget is 120 ms). The rule: among
the candidates within the budget, the fastest within 0.2 points of the best.

Never LSP test: those images are for the cards' final figures. Each (network, scale) is run once;
an ensemble's mean over members and scales is the mean of those maps, so the candidates are
combined without rerunning them. Needs the data root (``../shared/data``); about 10 minutes.

    .venv/bin/python benchmarks/ensemble_choice.py [--networks hrnet_lsp,openpose_lsp,...]
"""
from __future__ import annotations

import argparse
import itertools
import sys

import numpy as np
import torch

sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
from _common import table  # noqa: E402
from poseviz.cards import latencies_ms  # noqa: E402
from poseviz.core.geometry import DEFAULT_ENLARGE, box_to_center_scale, crop_transform, warp_crop  # noqa: E402
from poseviz.data.lsp import joints_box  # noqa: E402
from poseviz.data.mix import load_split, parse_mix  # noqa: E402
from poseviz.inference.top_down import keypoints_from_heatmaps, run_model  # noqa: E402
from poseviz.metrics.pck import lsp_head_size, lsp_torso_size, pck  # noqa: E402
from poseviz.models import zoo  # noqa: E402
from poseviz.models.ensemble import Ensemble  # noqa: E402
from poseviz.models.fast_inference import for_inference  # noqa: E402
from poseviz.models.pretrained import load_pretrained  # noqa: E402
from poseviz.training.dataset import load_images  # noqa: E402

SCALE_SETS = ((1.0,), (0.85, 1.0), (0.85, 1.0, 1.2))
BUDGET_MS = 120.0
# Differences this small are noise on 500 people; among them the faster candidate is preferred.
TIE_POINTS = 0.2
REFERENCE = {"lspet": (lsp_torso_size, 0.2), "mpii": (lsp_head_size, 0.5)}


def crops(people):
    """The validation crops as evaluation cuts them (joints' box × ``DEFAULT_ENLARGE``), with transforms."""
    out = []
    for img, gt in zip(load_images(people, np.arange(len(people))), people.joints):
        c, s = box_to_center_scale(joints_box(gt), 1.0, DEFAULT_ENLARGE)
        t = crop_transform(c, s, (128, 128))
        out.append((warp_crop(img, t), t))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--networks", default=",".join(n for n in zoo.shipped_networks(None) if zoo.entry(n).task != "dense"),
                    help="comma-separated shipped networks to combine")
    ap.add_argument("--max-members", type=int, default=3)
    args = ap.parse_args()
    names = args.networks.split(",")
    torch.set_num_threads(2)
    val = load_split(parse_mix("lsp:1,lspet:1,mpii:1")).validation
    data = {src: crops(people) for src, people in val.items()}
    scales = sorted({s for ss in SCALE_SETS for s in ss})
    nets = {n: for_inference(load_pretrained(n)) for n in names}
    maps = {}  # (network, scale, source) -> [N, K, h, w], flip-averaged, on the crop's grid
    for n, s, src in itertools.product(names, scales, data):
        one = Ensemble({n: nets[n]}, (s,))
        maps[n, s, src] = np.concatenate([run_model(one, c[None], flip=True).heatmaps.numpy() for c, _ in data[src]])
        print(f"ran {n} at scale {s:g} on {src}", file=sys.stderr, flush=True)

    def score(members, ss) -> tuple[float, dict]:
        per = {}
        for src, items in data.items():
            m = np.mean([maps[n, s, src] for n in members for s in ss], axis=0)
            kp = keypoints_from_heatmaps(m, [t for _, t in items], 128 / m.shape[-1])
            gt = val[src].joints
            size, alpha = REFERENCE[src]
            per[src] = pck(kp, gt, size(gt), alpha).mean
        return float(np.mean(list(per.values()))), per

    rows = []
    for k in range(1, args.max_members + 1):
        for members in itertools.combinations(names, k):
            for ss in SCALE_SETS:
                mean, per = score(members, ss)
                rows.append({"members": " + ".join(members), "scales": ", ".join(f"{s:g}" for s in ss),
                             "validation %": round(mean, 2), "LSPET PCK@0.2": round(per["lspet"], 2),
                             "MPII PCKh@0.5": round(per["mpii"], 2), "_m": members, "_s": ss})
    rows.sort(key=lambda r: -r["validation %"])
    top = rows[:15]
    ms = latencies_ms({i: Ensemble({n: nets[n] for n in r["_m"]}, r["_s"]) for i, r in enumerate(top)}, 20, flip=True)
    for i, r in enumerate(top):
        r["ms (flip)"] = round(ms[i], 1)
        r[f"≤ {BUDGET_MS:g} ms"] = "yes" if ms[i] <= BUDGET_MS else "no"
        del r["_m"], r["_s"]
    fits = [r for r in top if r["ms (flip)"] <= BUDGET_MS]
    pick = min((r for r in fits if r["validation %"] >= fits[0]["validation %"] - TIE_POINTS), key=lambda r: r["ms (flip)"]) if fits else None
    table(top, "Ensemble candidates on the validation split (flip test), best 15")
    if pick:
        print(f"\nthe rule picks: {pick['members']} at scales {pick['scales']}")
    chosen = zoo.entry("ensemble_lsp").kwargs
    print(f"shipped ensemble_lsp: {' + '.join(chosen['members'])}, scales {', '.join(f'{s:g}' for s in chosen['scales'])}")


if __name__ == "__main__":
    main()
