"""Atlas thumbnails: a person's box with each labelled joint's error drawn from the annotation to the prediction,
coloured by its error class."""
from __future__ import annotations

import cv2
import numpy as np

__all__ = ["ERROR_COLOURS", "error_thumbnail", "thumbnail_strip"]

# Okabe–Ito colours (told apart with colour-blindness; no two oranges)
ERROR_COLOURS = {"good": (0, 158, 115), "jitter": (240, 228, 66), "inversion": (86, 180, 233), "swap": (204, 121, 167),
                 "miss": (213, 94, 0)}


def error_thumbnail(rgb: np.ndarray, row, side: int = 200, margin: float = 0.15) -> np.ndarray:
    """A square ``side``-px view of ``row``'s person (an atlas row: box or annotated keypoints, gt_x/gt_y,
    pred_x/pred_y, error_class): a white dot at each annotated joint, a line to the prediction in its class's
    colour ending in a filled dot."""
    gx, gy = np.asarray(row.gt_x, float), np.asarray(row.gt_y, float)
    lab = np.asarray(row.gt_v) > 0
    box = np.asarray(row.box, float) if row.box is not None and np.all(np.isfinite(row.box)) else None
    if box is None:  # a missed person: frame its annotated joints
        x0, y0, x1, y1 = gx[lab].min(), gy[lab].min(), gx[lab].max(), gy[lab].max()
        box = np.array([x0, y0, max(x1 - x0, 8), max(y1 - y0, 8)])
    x, y, w, h = box
    s = max(w, h) * (1 + 2 * margin)
    f = side / s
    ox, oy = x + w / 2 - s / 2, y + h / 2 - s / 2
    m = np.array([[f, 0, -ox * f], [0, f, -oy * f]])
    out = cv2.warpAffine(rgb, m, (side, side), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_CONSTANT, borderValue=(40, 40, 40))
    px, py = np.asarray(row.pred_x, float), np.asarray(row.pred_y, float)
    thick = max(2, side // 100)
    for j in np.flatnonzero(lab):
        g = (int(round((gx[j] - ox) * f)), int(round((gy[j] - oy) * f)))
        colour = ERROR_COLOURS.get(row.error_class[j], (255, 255, 255))
        if np.isfinite(px[j]):
            p = (int(round((px[j] - ox) * f)), int(round((py[j] - oy) * f)))
            cv2.line(out, g, p, colour, thick, cv2.LINE_AA)
            cv2.circle(out, p, thick + 2, colour, -1, cv2.LINE_AA)
        cv2.circle(out, g, thick + 1, (255, 255, 255), -1, cv2.LINE_AA)
    return out


def thumbnail_strip(images: list[np.ndarray], rows, side: int = 200) -> np.ndarray:
    """``error_thumbnail`` of each (image, row) pair side by side, 4 px apart."""
    tiles = [error_thumbnail(im, r, side) for im, r in zip(images, rows)]
    gap = np.full((side, 4, 3), 255, np.uint8)
    return np.hstack([t for tile in tiles for t in (tile, gap)][:-1]) if tiles else np.zeros((side, side, 3), np.uint8)
