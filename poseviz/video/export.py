"""A video analysis as files: COCO results JSON, a CSV of every joint per frame, the overlay as mp4."""
from __future__ import annotations

import csv
import io
import json

from poseviz.io.coco import coco_result
from poseviz.plots.skeleton import draw_skeleton
from poseviz.video.analyse import VideoAnalysis
from poseviz.video.encode import encode_video

__all__ = ["coco_results_json", "keypoints_csv", "overlay_video"]


def coco_results_json(analysis: VideoAnalysis) -> str:
    """COCO keypoint results, one per analysed frame: image_id = the frame's index in the file,
    keypoints in the file's pixels in the model's joint order, score = mean peak belief."""
    return json.dumps([coco_result(kp, f.index) for kp, f in zip(analysis.file_keypoints, analysis.frames)])


def keypoints_csv(analysis: VideoAnalysis) -> str:
    """One row per analysed frame and joint: frame, time_s, joint, x_px, y_px (file pixels), belief."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["frame", "time_s", "joint", "x_px", "y_px", "belief"])
    for kp, f in zip(analysis.file_keypoints, analysis.frames):
        for name, (x, y, b) in zip(analysis.schema.joints, kp):
            w.writerow([f.index, f"{f.time_s:.3f}", name, f"{x:.2f}", f"{y:.2f}", f"{b:.4f}"])
    return buf.getvalue()


def overlay_video(analysis: VideoAnalysis) -> bytes:
    """The analysed frames with their skeletons as an H.264 mp4, at the analysed frame rate."""
    fps = (analysis.info.fps or 30.0) / analysis.every
    frames = (draw_skeleton(analysis.image(i), f.keypoints, analysis.schema, min_score=0.05) for i, f in enumerate(analysis.frames))
    return encode_video(frames, fps, "mp4")
