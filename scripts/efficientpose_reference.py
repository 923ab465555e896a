"""Write ``tests/data/efficientpose_reference.npz``: the shipped EfficientPose weights' output on a fixed input,
so a test notices if the weight files or the graph reader ever change what they compute (the equality with the
authors' own reference is checked against ``../shared`` where it exists).

    .venv/bin/python scripts/efficientpose_reference.py
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from poseviz.models import create_model  # noqa: E402
from poseviz.models.efficientpose import VARIANTS  # noqa: E402
from poseviz.models.pretrained import read_state_dict  # noqa: E402


def main() -> None:
    out = {}
    for variant, side in VARIANTS.items():
        model = create_model("efficientpose", variant=variant).eval()
        model.load_state_dict(read_state_dict(ROOT / "assets" / f"efficientpose_{variant}.safetensors"))
        x = torch.randn(1, 3, side, side, generator=torch.Generator().manual_seed(0))
        with torch.no_grad():
            o = model(x)
        out[f"{variant}_final_avgpool8"] = F.avg_pool2d(o.heatmaps, 8).numpy()
        out[f"{variant}_pafs_mean"] = o.pafs[0].mean((2, 3)).numpy()
    np.savez_compressed(ROOT / "tests" / "data" / "efficientpose_reference.npz", **out)
    print({k: v.shape for k, v in out.items()})


if __name__ == "__main__":
    main()
