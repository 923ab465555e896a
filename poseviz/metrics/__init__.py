"""Pose metrics: COCO OKS and AP/AR, PCK and PCKh."""
from poseviz.metrics.coco_eval import STAT_NAMES, CocoEvalResult, coco_keypoint_eval
from poseviz.metrics.oks import oks, oks_matrix, oks_terms, tolerance_radius
from poseviz.metrics.pck import PCKResult, lsp_head_size, lsp_torso_size, pck

__all__ = [
    "STAT_NAMES", "CocoEvalResult", "coco_keypoint_eval", "oks", "oks_matrix", "oks_terms", "tolerance_radius",
    "PCKResult", "lsp_head_size", "lsp_torso_size", "pck",
]
