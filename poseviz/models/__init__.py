"""PoseViz model zoo: every model returns a ``PoseOutput`` with all its stages."""
from poseviz.models.cpm import CPM, CPMConfig
from poseviz.models.densepose import DenseHRNet
from poseviz.models.efficientpose import EfficientPose, EfficientPoseConfig
from poseviz.models.hourglass import HourglassConfig, StackedHourglass
from poseviz.models.hrnet import HRNet, HRNetConfig
from poseviz.models.nonlocal_block import NonLocalBlock
from poseviz.models.openpose import OpenPose, OpenPoseConfig
from poseviz.models.output import DenseOutput, PoseOutput
from poseviz.models.protocol import PoseModel, heads, predicts_attention, predicts_charts, predicts_pafs
from poseviz.models.registry import create_model, list_models, register_model

__all__ = [
    "CPM", "CPMConfig", "HRNet", "HRNetConfig", "HourglassConfig", "StackedHourglass",
    "NonLocalBlock", "PoseOutput", "DenseOutput", "DenseHRNet", "EfficientPose", "EfficientPoseConfig", "OpenPose", "OpenPoseConfig", "create_model", "list_models", "register_model",
    "PoseModel", "heads", "predicts_pafs", "predicts_charts", "predicts_attention",
]
