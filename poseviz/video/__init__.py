"""Video files: bounded decoding (PyAV), a model run through the frames, and exports."""
from poseviz.video.analyse import FrameResult, VideoAnalysis, analyse_video, auto_every
from poseviz.video.decode import FrameReader, VideoError, VideoInfo, probe
from poseviz.video.export import coco_results_json, keypoints_csv, overlay_video

__all__ = ["FrameResult", "VideoAnalysis", "analyse_video", "auto_every", "FrameReader", "VideoError", "VideoInfo", "probe",
           "coco_results_json", "keypoints_csv", "overlay_video"]
