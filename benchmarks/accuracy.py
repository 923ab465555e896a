"""Every shipped model on the three evaluation sources (flip test), against the model-zoo v2 targets:
LSP test PCK@0.2 best ≥ 82 % and every model ≥ 77 %; COCO-sample OKS-AP with ground-truth boxes
best ≥ 0.30; MPII validation PCKh@0.5 best ≥ 80 %; the accuracy-first model (the ensemble) LSP ≥ 85 %. ``--limit N`` scores the first N people of each
source (a quick look; the cards use all of them)."""
import argparse
import sys

import torch

sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
from _common import table  # noqa: E402
from poseviz.models import zoo  # noqa: E402
from poseviz.cards import TARGET_PCK_ACCURACY_FIRST  # noqa: E402
from poseviz.metrics.source_scores import score_sources  # noqa: E402
from poseviz.models.fast_inference import for_inference  # noqa: E402
from poseviz.models.pretrained import load_pretrained  # noqa: E402

LSP_BEST, LSP_EVERY, COCO_BEST, MPII_BEST = 82.0, 77.0, 0.30, 80.0


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data-root", default=None, help="data root (default: the resolved one)")
    ap.add_argument("--limit", type=int, default=None, help="first N people per source (default all)")
    args = ap.parse_args(argv)
    torch.set_num_threads(2)
    rows = []
    for name in zoo.shipped_models(None):
        s = score_sources(for_inference(load_pretrained(name)), root=args.data_root, flip=True, limit=args.limit, progress=False)
        target = TARGET_PCK_ACCURACY_FIRST if zoo.is_ensemble(name) else LSP_EVERY
        rows.append({"model": name, "LSP PCK@0.2 flip (%)": s["lsp"]["mean"],
                     "LSP target": f"≥ {target:g} %: {'yes' if s['lsp']['mean'] >= target else 'NO'}",
                     "COCO AP (GT boxes)": round(s["coco"]["AP"], 3), "MPII PCKh@0.5 (%)": s["mpii"]["mean"]})
    best = {k: max(r[k] for r in rows) for k in ("LSP PCK@0.2 flip (%)", "COCO AP (GT boxes)", "MPII PCKh@0.5 (%)")}
    verdict = ", ".join(f"{k} best {v:g} (target {t:g}: {'met' if v >= t else 'NOT met'})"
                        for (k, v), t in zip(best.items(), (LSP_BEST, COCO_BEST, MPII_BEST)))
    table(rows, f"Three sources, flip test — {verdict}")


if __name__ == "__main__":
    main()
