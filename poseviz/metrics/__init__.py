"""Pose metrics: COCO OKS and AP/AR, PCK and PCKh."""
from .coco_eval import STAT_NAMES, CocoEvalResult, coco_keypoint_eval
from .oks import oks, oks_matrix, oks_terms, tolerance_radius
from .pck import PCKResult, lsp_head_size, lsp_torso_size, pck

__all__ = [
    "STAT_NAMES", "CocoEvalResult", "coco_keypoint_eval", "oks", "oks_matrix", "oks_terms", "tolerance_radius",
    "PCKResult", "lsp_head_size", "lsp_torso_size", "pck",
]
