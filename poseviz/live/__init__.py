"""Live mode: a person tracked through camera frames, every stage's belief maps drawn on each frame."""
from poseviz.live.frame import LiveProcessor, LiveSettings, compose_live_frame
from poseviz.live.meter import RateMeter
from poseviz.live.tracker import PersonTracker

__all__ = ["LiveProcessor", "LiveSettings", "compose_live_frame", "RateMeter", "PersonTracker"]
