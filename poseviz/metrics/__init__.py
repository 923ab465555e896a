"""Pose metrics: COCO OKS and AP/AR, PCK and PCKh."""
from .pck import lsp_torso_size, pck, pckh

__all__ = ["lsp_torso_size", "pck", "pckh"]
