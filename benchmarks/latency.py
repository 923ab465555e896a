"""Median CPU inference time per crop of every shipped model (target ≤ 30 ms at native size; the
accuracy-first ensemble ≤ 120 ms with flip test).

"median ms/crop" is the model as predict, eval and the app run it (BatchNorm folded,
channels-last; poseviz.models.fast_inference); "eager" is the same weights as trained, for the ratio.
"""
import sys

import torch

sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
from _common import table  # noqa: E402
from poseviz.models import zoo  # noqa: E402
from poseviz.cards import BUDGET_MS_ACCURACY_FIRST, latency_figures  # noqa: E402
from poseviz.metrics.evaluation import count_flops  # noqa: E402
from poseviz.models.pretrained import load_pretrained  # noqa: E402


def main() -> None:
    torch.set_num_threads(2)
    rows = []
    for name in zoo.shipped_models(None):  # every task: keypoints, PAF and chart models
        m = load_pretrained(name)
        f = latency_figures(m, 50)  # fast and eager interleaved: a fair ratio
        ms, eager, ms_flip = f["median_ms_per_crop"], f["median_ms_per_crop_eager"], f["median_ms_per_crop_flip"]
        w, h = m.config.input_size
        rows.append({"model": name, "task": zoo.ZOO[name].task, "input": f"{w}×{h}", "params (M)": round(sum(p.numel() for p in m.parameters()) / 1e6, 2),
                     "GFLOPs": round(count_flops(m), 2), "median ms/crop": round(ms, 1), "with flip": round(ms_flip, 1),
                     "eager ms": round(eager, 1), "speed-up": f"{eager / ms:.2f}×",
                     "target": (f"≤ {BUDGET_MS_ACCURACY_FIRST:g} ms with flip: {'yes' if ms_flip <= BUDGET_MS_ACCURACY_FIRST else 'NO'}"
                                if zoo.is_ensemble(name) else f"≤ 30 ms: {'yes' if ms <= 30 else 'NO'}")})
    table(rows, "Inference latency per crop (median of 50)")


if __name__ == "__main__":
    main()
