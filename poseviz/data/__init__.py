"""Datasets: the data root, readers (LSP, LSP Extended, MPII) into LSP-14 ``PoseSet``s, the training mix
and its validation split, downloads (``poseviz data``), packing for a GPU machine and gallery samples.
COCO keypoint files are read by ``poseviz.io.coco``."""
from poseviz.data.lsp import LSPData, load_lsp, lsp_split
from poseviz.data.lspet import load_lspet
from poseviz.data.mix import DEFAULT_MIX, load_split, parse_mix
from poseviz.data.mpii import load_mpii
from poseviz.data.poseset import PoseSet
from poseviz.data.root import data_root, dataset_dir

__all__ = ["LSPData", "load_lsp", "lsp_split", "load_lspet", "load_mpii", "PoseSet", "DEFAULT_MIX", "load_split",
           "parse_mix", "data_root", "dataset_dir"]
