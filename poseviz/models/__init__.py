"""PoseViz model zoo: every model returns a ``PoseOutput`` with all its stages."""
from .cpm import CPM, CPMConfig
from .hourglass import HourglassConfig, StackedHourglass
from .hrnet import HRNet, HRNetConfig
from .nonlocal_block import NonLocalBlock
from .output import PoseOutput
from .registry import create_model, list_models, register_model

__all__ = [
    "CPM", "CPMConfig", "HRNet", "HRNetConfig", "HourglassConfig", "StackedHourglass",
    "NonLocalBlock", "PoseOutput", "create_model", "list_models", "register_model",
]
