"""One-off: the authors' EfficientPose Keras files → PoseViz's graph JSON and safetensors weights.

    .venv/bin/python scripts/convert_efficientpose.py [../shared/models/efficientpose]

Writes ``poseviz/models/graphs/efficientpose_{rt,i}.json`` (the layer graph, no weights) and
``assets/efficientpose_{rt,i}.safetensors``, after checking each file's SHA-256 against the one its README
states and the converted network's output against the authors' reference (``reference_*.npz``).
"""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from poseviz.models.efficientpose import graph_path  # noqa: E402
from poseviz.models.keras_graph import KerasGraph  # noqa: E402
from poseviz.models.keras_import import read_keras_model  # noqa: E402

SOURCES = {"rt": ("EfficientPoseRT.h5", "508943cfdeb1d102d69aff4280b805c023585b0d9ae530344fb4c4fad3a175f1", "RT"),
           "i": ("EfficientPoseI.h5", "003aea100c30c68103fb4c383fb8782f78adbea7a45451af85334327b79fc5bd", "I")}


def main() -> None:
    src = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared" / "models" / "efficientpose")
    for variant, (file, sha, tag) in SOURCES.items():
        digest = hashlib.sha256((src / file).read_bytes()).hexdigest()
        if digest != sha:
            raise SystemExit(f"{file}: SHA-256 {digest} is not the published {sha}")
        nodes, outputs, state, size = read_keras_model(src / file)
        net = KerasGraph(nodes, outputs).eval()
        net.load_state_dict(state, strict=True)
        ref = np.load(src / f"reference_{tag}.npz")
        with torch.no_grad():
            final = net(torch.from_numpy(ref["input"]))[outputs[-1]]
        pooled = F.avg_pool2d(final, 4).numpy()
        err = float(np.abs(pooled - ref["final_output_avgpool4"]).max() / np.abs(ref["final_output_avgpool4"]).max())
        if err > 1e-4:
            raise SystemExit(f"{file}: converted output differs from the authors' reference by {err:.2e} (relative)")
        graph_path(variant).write_text(json.dumps({"source": f"daniegr/EfficientPose models/keras/{file}", "input_size": size,
                                                   "outputs": outputs, "nodes": nodes}, indent=0) + "\n", encoding="utf-8")
        out = ROOT / "assets" / f"efficientpose_{variant}.safetensors"
        save_file({f"net.{k}": v.contiguous() for k, v in state.items()}, str(out),
                  metadata={"source": f"daniegr/EfficientPose models/keras/{file} (commit 78e4bd1913780dd565efe35db03a4aec75907e8c)",
                            "sha256_of_source": sha, "licence": "Apache-2.0", "reference_relative_error": f"{err:.2e}"})
        print(f"{variant}: {len(nodes)} layers, {sum(v.numel() for v in state.values() if v.dtype.is_floating_point):,} numbers, "
              f"relative error {err:.1e} -> {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
