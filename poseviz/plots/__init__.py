"""Figures shared by the app and the notebooks: they return arrays or Plotly figures, never write files."""
from poseviz.plots.beliefs import belief_maps_figure, belief_strip_image, joint_grid_figure, overlay, stage_peak_table, stage_peaks
from poseviz.plots.skeleton import draw_skeleton

__all__ = ["belief_maps_figure", "belief_strip_image", "joint_grid_figure", "overlay", "stage_peak_table", "stage_peaks", "draw_skeleton"]
