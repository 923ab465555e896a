"""Dataset readers (LSP) — COCO keypoint files are handled by ``poseviz.coco``."""
