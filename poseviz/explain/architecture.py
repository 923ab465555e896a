"""The architectures side by side, read from the models themselves: their stages, the resolution of each stage's
maps and its theoretical receptive field; and what a pose costs top-down (a detector, then one crop per person)
against bottom-up (one pass over the whole image, then grouping) as the number of people grows."""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from poseviz.explain.receptive_field import stage_receptive_fields
from poseviz.inference.top_down import model_input_size
from poseviz.models import zoo

__all__ = ["stage_rows", "architecture_rows", "PeopleCost", "measure_people_cost"]


@torch.inference_mode()
def stage_rows(name: str) -> list[dict]:
    """One row per stage of a zoo network: its name, the size of the maps it returns, the grid it computed them on
    (input px between units) and the theoretical receptive field of its units (input px, walked layer by layer)."""
    model = zoo.build(name).eval()
    w, h = model_input_size(model)
    out = model(torch.zeros(1, 3, h, w))
    fields = stage_receptive_fields(model)
    rows = []
    for i, (stage, maps) in enumerate(zip(out.stage_names, out.stages)):
        mh, mw = maps.shape[-2:]
        rf = fields[i].rf if i < len(fields) else None
        # the walker's jump is the grid the stage was computed on; the maps may be returned upsampled (EfficientPose)
        rows.append({"stage": stage, "maps returned (px)": f"{mw}×{mh}",
                     "computed every (input px)": round(rf.jump, 2) if rf else round(w / mw, 2),
                     "theoretical RF (input px)": rf.size if rf else None})
    return rows


def architecture_rows(names: list[str]) -> list[dict]:
    """One row per network: input, stages, output stride, parameters, GFLOPs and the final theoretical RF against
    the input (measured figures from the network's card)."""
    rows = []
    for name in names:
        stages = stage_rows(name)
        card = zoo.card_metrics(name)
        w, h = model_input_size(zoo.build(name))
        final = stages[-1]["theoretical RF (input px)"]
        rows.append({"network": name, "input (px)": f"{w}×{h}", "stages": len(stages),
                     "final grid (input px)": stages[-1]["computed every (input px)"],
                     "parameters (M)": round(card["params"] / 1e6, 2), "GFLOPs": card["gflops"],
                     "final RF (input px)": final, "final RF / input": round(final / w, 1) if final else None})
    return rows


@dataclass(frozen=True)
class PeopleCost:
    """Measured medians (ms) on one image: the person detector, one top-down crop, one bottom-up pass."""

    detector_ms: float
    crop_ms: float
    bottom_up_ms: float

    def top_down_ms(self, people: np.ndarray) -> np.ndarray:
        """Detector once, then one crop per person."""
        return self.detector_ms + self.crop_ms * np.asarray(people, dtype=np.float64)

    def crossing(self) -> float:
        """The number of people beyond which bottom-up is cheaper (inf when a crop costs nothing)."""
        return (self.bottom_up_ms - self.detector_ms) / self.crop_ms if self.crop_ms > 0 else float("inf")


def _median_ms(fn, repeats: int) -> float:
    fn()  # warm-up: allocations, caches
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1000 * float(np.median(times))


def measure_people_cost(top_down: nn.Module, bottom_up: nn.Module, rgb: np.ndarray, repeats: int = 5) -> PeopleCost:
    """Time the three parts on ``rgb`` on this machine. The bottom-up pass includes its grouping of parts into
    people, which grows slowly with the people found; top-down crops are timed one person at a time."""
    from poseviz.inference.bottom_up import predict_people
    from poseviz.inference.person_boxes import default_box
    from poseviz.inference.top_down import predict_person
    from poseviz.inference.yolox import detect_persons

    box = default_box(rgb)
    return PeopleCost(detector_ms=_median_ms(lambda: detect_persons(rgb), repeats),
                      crop_ms=_median_ms(lambda: predict_person(top_down, rgb, box), repeats),
                      bottom_up_ms=_median_ms(lambda: predict_people(bottom_up, rgb), repeats))
