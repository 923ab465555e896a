"""Occlusion sweep over 100 LSP test images for one shipped model (target ≤ 60 s), and its PCK-drop curve."""
import sys
import time

import numpy as np
import torch

sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
from _common import LSP, table  # noqa: E402
from poseviz.data.lsp import load_lsp, lsp_split  # noqa: E402
from poseviz.explain.occlusion import occlusion_sweep  # noqa: E402
from poseviz.models.pretrained import load_pretrained  # noqa: E402
from poseviz.training.dataset import load_images  # noqa: E402


def main(name: str = "hourglass_lsp", n: int = 100) -> None:
    torch.set_num_threads(2)
    data = load_lsp(LSP)
    idx = lsp_split("test")[:n]
    images = load_images(data, idx)
    t0 = time.perf_counter()
    res = occlusion_sweep(load_pretrained(name), data, idx, images=images, progress=False)
    secs = time.perf_counter() - t0
    monotone = bool(np.all(np.diff(res.pck) <= 1.0))  # within noise: never rises by more than a point
    rows = [{"occluder side (% crop)": int(round(100 * s)), "PCK@0.2 (%)": round(p, 1), "drop (points)": round(d, 1)}
            for s, p, d in zip(res.sizes, res.pck, res.drop)]
    table(rows, f"Occlusion sweep, {name}, {n} LSP test images, 3×3 positions: {secs:.1f} s (target ≤ 60 s), "
                f"PCK falls monotonically with size: {'yes' if monotone else 'NO'}")


if __name__ == "__main__":
    main(*(sys.argv[1:2] or []))
