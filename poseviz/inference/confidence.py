"""Is there a person where the model looked? A gate on the mean peak belief of the joints.

Calibration (validation people of LSP Extended and MPII, every other one, 250 people, with the six
shipped models after the third training cycle): the 1st percentile of the mean peak belief is 0.120–0.143
across the models, while a flat grey image scores 0.004–0.087 (hrnet_lsp's 0.087 is why the gate rose from
the 0.08 set for the models trained on LSP alone). Below ``PERSON_BELIEF_THRESHOLD`` = 0.10 fewer than 1 %
of real people fall; the gate cannot catch every non-person (noise and colour bars scored 0.15–0.38), so it
says "no confident person", not "no person".
``tests/test_confidence.py`` re-checks the calibration on the shipped weights.
"""
from __future__ import annotations

import numpy as np

__all__ = ["PERSON_BELIEF_THRESHOLD", "person_belief", "is_confident", "confidence_message"]

PERSON_BELIEF_THRESHOLD = 0.10


def person_belief(keypoints: np.ndarray) -> float:
    """Mean peak belief of a prediction's joints (keypoints [K, 3], column 2 = peak belief)."""
    return float(np.mean(np.asarray(keypoints)[:, 2]))


def is_confident(keypoints: np.ndarray, threshold: float = PERSON_BELIEF_THRESHOLD) -> bool:
    """Whether the mean peak belief reaches ``threshold``."""
    return person_belief(keypoints) >= threshold


def confidence_message(keypoints: np.ndarray) -> str | None:
    """A warning for a user when the prediction is not confident, else None."""
    b = person_belief(keypoints)
    if b >= PERSON_BELIEF_THRESHOLD:
        return None
    return (f"No confident person here: the joints' mean peak belief is {b:.3f}, below {PERSON_BELIEF_THRESHOLD} "
            "(which 99 % of real people exceed). The skeleton shown is the network's guess; choose another box or image.")
