"""From a photo to people: top-down prediction of one person (``top_down``), bottom-up grouping of every
person (``bottom_up``), person detection and candidates, and the "no confident person" gate.

The names below load on first use (PEP 562), so importing one submodule never drags in the others.
"""
from __future__ import annotations

import importlib

_NAMES = {"Prediction": "top_down", "predict_person": "top_down", "predict_crop": "top_down",
          "BottomUpResult": "bottom_up", "predict_people": "bottom_up"}
__all__ = [*_NAMES, "bottom_up", "confidence", "detect", "person_boxes", "top_down"]


def __getattr__(name: str):
    if name in _NAMES:
        return getattr(importlib.import_module(f"poseviz.inference.{_NAMES[name]}"), name)
    if name in __all__:
        return importlib.import_module(f"poseviz.inference.{name}")
    raise AttributeError(f"module 'poseviz.inference' has no attribute {name!r}")
