"""Training step time per zoo model in float32 and under bfloat16 autocast (one thread, batch 16,
128 px crops, forward + backward + AdamW), with the belief-map error ``--precision auto`` checks.

"auto" trains in bf16 where the CPU (AMX / AVX-512 BF16) or GPU has it natively and the maps move
at most ``BF16_MAX_ERROR``; this table shows what it picks on this machine and what that saves.
"""
import statistics
import sys
import time

import numpy as np
import torch

sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
from _common import LSP, table  # noqa: E402
from poseviz.data.lsp import load_lsp  # noqa: E402
from poseviz.models import zoo  # noqa: E402
from poseviz.models.pretrained import load_pretrained  # noqa: E402
from poseviz.training.dataset import LSPPoseDataset  # noqa: E402
from poseviz.training.precision import BF16_MAX_ERROR, bf16_error, resolve_precision  # noqa: E402


def step_ms(model: torch.nn.Module, x: torch.Tensor, amp: bool, repeats: int = 5) -> float:
    """Median ms of one training step (the first, warm-up step not counted)."""
    opt = torch.optim.AdamW(model.parameters(), 1e-6)
    times = []
    for _ in range(repeats + 1):
        t = time.perf_counter()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=amp):
            out = model(x)
        loss = sum(s.float().pow(2).mean() for s in out.stages)
        opt.zero_grad()
        loss.backward()
        opt.step()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times[1:])


def main() -> None:
    torch.set_num_threads(1)
    native = resolve_precision("auto", torch.device("cpu")) is not None
    # The map error is measured as training measures it, on people (on noise the maps are near zero and
    # any rounding is a large share of them); LSP training images 1-16, 128 px crops.
    lsp = load_lsp(LSP)
    crops = LSPPoseDataset(lsp, np.arange(16), (128, 128), 4)
    x = torch.stack([crops[i]["image"] for i in range(16)]).contiguous(memory_format=torch.channels_last)
    rows = []
    for name in zoo.shipped_models(None):
        model = load_pretrained(name).train().to(memory_format=torch.channels_last)
        error = bf16_error(model, x[:8])
        fp32, bf16 = step_ms(model, x, False), step_ms(model, x, True)
        auto = "bf16" if native and error <= BF16_MAX_ERROR else "fp32"
        rows.append({"model": name, "fp32 ms/step": round(fp32), "bf16 ms/step": round(bf16),
                     "bf16 speed-up": f"{fp32 / bf16:.2f}×", "bf16 map error": f"{error:.1%}", "auto picks": auto})
    table(rows, f"Training step, batch 16, one thread (native bf16: {'yes' if native else 'no'})")


if __name__ == "__main__":
    main()
