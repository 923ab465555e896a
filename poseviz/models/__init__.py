"""PoseViz model zoo: every model returns a ``PoseOutput`` with all its stages."""
from .cpm import CPM, CPMConfig
from .densepose import DenseHRNet
from .hourglass import HourglassConfig, StackedHourglass
from .hrnet import HRNet, HRNetConfig
from .nonlocal_block import NonLocalBlock
from .openpose import OpenPose, OpenPoseConfig
from .output import DenseOutput, PoseOutput
from .registry import create_model, list_models, register_model

__all__ = [
    "CPM", "CPMConfig", "HRNet", "HRNetConfig", "HourglassConfig", "StackedHourglass",
    "NonLocalBlock", "PoseOutput", "DenseOutput", "DenseHRNet", "OpenPose", "OpenPoseConfig", "create_model", "list_models", "register_model",
]
