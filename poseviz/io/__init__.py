"""Files in and out: images (safe decoding), COCO keypoint JSON, bounded user input and safe writing.
Datasets and the data root live in ``poseviz.data``; checkpoints in ``poseviz.models.pretrained``."""
from poseviz.io import coco, images, input_bytes, writing

__all__ = ["coco", "images", "input_bytes", "writing"]
