"""PoseViz: see how human pose-estimation networks see.

The front door::

    import poseviz
    model = poseviz.load_model("hrnet_lsp")                 # a shipped model, ready for inference
    image = poseviz.load_image("photo.jpg").rgb             # RGB uint8, EXIF-oriented, size-checked
    person = poseviz.predict_person(model, image, box)      # box = (x, y, w, h) in pixels
    person.keypoints, person.output.stages                  # keypoints in image pixels; every stage's belief maps
    people = poseviz.predict_people(poseviz.load_model("openpose_lsp"), image)  # bottom-up, every person
"""
from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["load_model", "load_image", "predict_person", "predict_people", "list_models"]


def load_model(name: str, weights: str | None = None, fast: bool = True):
    """A shipped zoo model with its weights (or ``weights``), in eval mode; ``fast`` folds BatchNorm
    into the convolutions (same outputs, quicker on a CPU; pages that read layers pass False)."""
    from poseviz.models.fast_inference import for_inference
    from poseviz.models.pretrained import load_pretrained

    model = load_pretrained(name, weights)
    return for_inference(model) if fast else model


def list_models(task: str | None = None) -> list[str]:
    """Names of the shipped models (of ``task``: "keypoints", "paf", "dense"; None: all)."""
    from poseviz.models.zoo import shipped_models

    return shipped_models(task)


def load_image(source, **kwargs):
    """``poseviz.io.images.load_image``: a path, bytes or file object → ``LoadedImage``."""
    from poseviz.io.images import load_image as _load

    return _load(source, **kwargs)


def predict_person(model, image, box, flip: bool = False, method: str = "dark"):
    """``poseviz.inference.top_down.predict_person``: one person's ``Prediction`` from its box."""
    from poseviz.inference.top_down import predict_person as _predict

    return _predict(model, image, box, flip=flip, method=method)


def predict_people(model, image):
    """``poseviz.inference.bottom_up.predict_people``: every person in an image (OpenPose-style models)."""
    from poseviz.inference.bottom_up import predict_people as _predict

    return _predict(model, image)
