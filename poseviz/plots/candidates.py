"""The person candidates of a photo, numbered on it, the chosen one highlighted."""
from __future__ import annotations

import cv2
import numpy as np

from poseviz.inference.person_boxes import PersonCandidate

__all__ = ["candidates_image"]

CHOSEN = (0, 229, 255)
OTHER = (255, 200, 0)


def candidates_image(rgb: np.ndarray, candidates: list[PersonCandidate], chosen: int | None,
                     chosen_box: tuple[float, float, float, float] | None = None, width: int = 720) -> np.ndarray:
    """RGB image ``width`` px wide with each candidate's box and number (1-based); ``chosen`` (or
    ``chosen_box``, e.g. one the user drew) thick in cyan. Line widths scale with the image."""
    h, w = rgb.shape[:2]
    s = width / w
    out = cv2.resize(rgb, (width, max(1, round(h * s))), interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)
    thick = max(2, round(width / 300))
    order = [i for i in range(len(candidates)) if i != chosen] + ([chosen] if chosen is not None else [])
    for i in order:  # the chosen box last, so its number is never hidden
        c = candidates[i]
        x, y, bw, bh = (v * s for v in c.box)
        color = CHOSEN if i == chosen else OTHER
        cv2.rectangle(out, (int(x), int(y)), (int(x + bw), int(y + bh)), color, thick * (2 if i == chosen else 1), cv2.LINE_AA)
        label = str(i + 1)
        (tw, th), _ = cv2.getTextSize(label, cv2.FONT_HERSHEY_SIMPLEX, 0.9, 2)
        cv2.rectangle(out, (int(x), int(y)), (int(x) + tw + 8, int(y) + th + 10), color, -1)
        cv2.putText(out, label, (int(x) + 4, int(y) + th + 4), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (0, 0, 0), 2, cv2.LINE_AA)
    if chosen_box is not None and chosen is None:
        x, y, bw, bh = (v * s for v in chosen_box)
        cv2.rectangle(out, (int(x), int(y)), (int(x + bw), int(y + bh)), CHOSEN, 2 * thick, cv2.LINE_AA)
    return out
