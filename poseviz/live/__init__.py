"""Live mode: a person tracked through camera frames, every stage's belief maps drawn on each frame."""
from .frame import LiveProcessor, LiveSettings, compose_live_frame
from .meter import RateMeter
from .tracker import PersonTracker

__all__ = ["LiveProcessor", "LiveSettings", "compose_live_frame", "RateMeter", "PersonTracker"]
