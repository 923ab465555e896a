"""Clips made in the tests (no dataset needed): the astronaut photo scikit-image ships, sliding across a frame."""
from __future__ import annotations

import functools

import numpy as np

from poseviz.data.samples import sample_images
from poseviz.io.images import load_image

CLIP_SIZE = (320, 240)


@functools.cache
def astronaut() -> np.ndarray:
    return load_image(sample_images()["Astronaut (scikit-image)"].read_bytes()).rgb


@functools.cache
def model(name: str = "hrnet_nl_lsp"):
    from poseviz.models.fast_inference import for_inference
    from poseviz.models.pretrained import load_pretrained

    return for_inference(load_pretrained(name))
