"""Training precision: bfloat16 autocast where the hardware computes it natively, and a check that
a network's belief maps survive it."""
from __future__ import annotations

import copy

import torch

__all__ = ["PRECISIONS", "BF16_MAX_ERROR", "resolve_precision", "bf16_error"]

PRECISIONS = ("auto", "bf16", "fp32")
# "auto" trains in float32 a network whose maps move more than this under bf16. On LSP crops the
# zoo's maps move 0.5–5 % (benchmarks/train_precision.py). The 3-stack hourglass is the fragile one:
# its stem's BatchNorm subtracts a mean far larger than the spread and bf16 keeps 3 significant
# digits, so on textured noise its maps move 31 % and its bf16 gradient is no closer to float32's
# than another batch's is (tests/test_train_precision.py).
BF16_MAX_ERROR = 0.1


def resolve_precision(precision: str, device: torch.device) -> torch.dtype | None:
    """The autocast dtype a run asks for (``None``: plain float32).

    Why bfloat16 by default where the hardware has it: a training step of the zoo's models with
    bf16 autocast takes 1.5–2.8× less time on a CPU with AMX (one thread, batch 16:
    ``benchmarks/train_precision.py``); the weights, the optimiser and the losses stay in float32,
    and bf16 keeps float32's exponent range, so no loss scaling is needed.
    """
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    if precision == "fp32":
        return None
    if precision == "bf16":
        return torch.bfloat16
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else None
    native = torch.cpu._is_amx_tile_supported() or torch.cpu._is_avx512_bf16_supported()
    return torch.bfloat16 if native else None


@torch.no_grad()
def bf16_error(model: torch.nn.Module, images: torch.Tensor) -> float:
    """Relative L2 error of the last stage's belief maps under bf16 autocast against float32
    (inference mode, on a copy: the model's BatchNorm statistics are not touched)."""
    m = copy.deepcopy(model).eval()
    ref = m(images).stages[-1].float()
    with torch.autocast(images.device.type, dtype=torch.bfloat16):
        low = m(images).stages[-1].float()
    return float((low - ref).norm() / ref.norm().clamp(min=1e-12))
