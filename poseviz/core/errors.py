"""Exceptions PoseViz raises for bad user input (shown to users as messages, not tracebacks)."""

__all__ = ["PoseVizInputError", "CheckpointError"]


class PoseVizInputError(ValueError):
    """An input file or value PoseViz cannot use; the message says what is wrong."""


class CheckpointError(PoseVizInputError):
    """A checkpoint that cannot be loaded into the chosen architecture."""
