"""The conventions every other part builds on: keypoint schemas, crop geometry, heatmap / PAF / dense-chart
codecs, input normalisation and the exceptions shown to users."""
from poseviz.core import dense, errors, geometry, heatmaps, paf, preprocess, schemas

__all__ = ["dense", "errors", "geometry", "heatmaps", "paf", "preprocess", "schemas"]
