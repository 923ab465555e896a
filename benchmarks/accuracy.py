"""LSP-test PCK@0.2 of every shipped model, with and without flip test, against the model-zoo
targets (best ≥ 80 %, every model ≥ 70 %, flip allowed). ``--limit N`` scores the first N
test images only (a quick look; the cards use all 1000)."""
import argparse
import sys

import torch

sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
from _common import LSP, table  # noqa: E402

from poseviz import zoo  # noqa: E402
from poseviz.data.lsp import load_lsp, lsp_split  # noqa: E402
from poseviz.evaluation import evaluate_lsp  # noqa: E402
from poseviz.pretrained import load_pretrained  # noqa: E402
from poseviz.training.dataset import load_images  # noqa: E402

BEST_TARGET, EVERY_TARGET = 80.0, 70.0


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", default=str(LSP), help="LSP folder")
    ap.add_argument("--limit", type=int, default=None, help="first N test images (default all 1000)")
    args = ap.parse_args(argv)
    torch.set_num_threads(2)
    data = load_lsp(args.data)
    idx = lsp_split("test", len(data))[: args.limit]
    images = load_images(data, idx)
    rows = []
    for name in zoo.shipped_models(None):
        m = load_pretrained(name)
        plain = evaluate_lsp(m, data, idx, images=images, progress=False).pck.mean
        flip = evaluate_lsp(m, data, idx, flip=True, images=images, progress=False).pck.mean
        rows.append({"model": name, "task": zoo.ZOO[name].task, "PCK@0.2 (%)": round(plain, 1),
                     "with flip (%)": round(flip, 1), f"≥ {EVERY_TARGET:.0f} %": "yes" if max(plain, flip) >= EVERY_TARGET else "NO"})
    best = max((max(r["PCK@0.2 (%)"], r["with flip (%)"]) for r in rows), default=0.0)
    verdict = "met" if best >= BEST_TARGET else "NOT met"
    table(rows, f"LSP test PCK@0.2, {len(idx)} images (best {best:.1f} %: target ≥ {BEST_TARGET:.0f} % {verdict})")


if __name__ == "__main__":
    main()
