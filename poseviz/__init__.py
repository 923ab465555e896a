"""PoseViz: see how human pose-estimation networks see."""
__version__ = "0.1.0"
