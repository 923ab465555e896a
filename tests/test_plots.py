"""Belief-map figures carry the right values at the right crop pixels."""
import base64
import json

import cv2
import numpy as np
import pytest

from poseviz.core.heatmaps import heatmap_to_input
from poseviz.plots import belief_maps_figure
from poseviz.plots.beliefs import overlay


def _spec():
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:128, 0:128]
    crop = np.stack([xx * 2, yy * 2, (xx + yy)], -1).astype(np.uint8)  # smooth, as photos are (JPEG panels)
    maps = rng.random((3, 32, 32)).astype(np.float32) * 0.1
    maps[1, 20, 7] = 1.0
    fig = belief_maps_figure(crop, maps, ["s1", "s2", "s3"], opacity=0.6)
    return crop, maps, json.loads(fig.to_json())


def _array(v):
    """A trace array as Plotly serialised it (a list, or a base64 typed array)."""
    if isinstance(v, dict):
        a = np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
        return a.reshape([int(n) for n in str(v["shape"]).split(",")]) if "shape" in v else a
    return np.asarray(v)


def test_panels_titles_and_hover_values_sit_on_crop_pixels():
    crop, maps, spec = _spec()
    assert [a["text"] for a in spec["layout"]["annotations"]] == ["s1", "s2", "s3"]
    heat = [t for t in spec["data"] if t["type"] == "heatmap"]
    assert len(heat) == 3
    np.testing.assert_allclose(_array(heat[1]["z"]), maps[1], atol=1e-4)
    # the cell (7, 20) of a stride-4 map is centred on crop pixel heatmap_to_input(...)
    x = heat[1]["x0"] + 7 * heat[1]["dx"]
    y = heat[1]["y0"] + 20 * heat[1]["dy"]
    np.testing.assert_allclose([x, y], heatmap_to_input(np.array([7.0, 20.0]), 4))
    # explicit colour stops (plotly.js would not resolve a scale name in an unvalidated figure)
    assert isinstance(heat[0]["colorscale"], list) and heat[0]["colorscale"][0][1] == "rgb(0, 0, 4)"
    assert sum(bool(t.get("showscale")) for t in heat) == 1  # one shared colour bar


def test_each_panel_image_is_the_crop_blended_with_its_map():
    crop, maps, spec = _spec()
    images = [t for t in spec["data"] if t["type"] == "image"]
    lo, hi = 0.0, float(maps.max())
    for t, m in zip(images, maps):
        raw = base64.b64decode(t["source"].split(",", 1)[1])
        got = cv2.cvtColor(cv2.imdecode(np.frombuffer(raw, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
        want = overlay(crop, m, 0.6, lo, hi)
        assert got.shape == want.shape
        assert np.abs(got.astype(float) - want).mean() < 6  # JPEG's loss only


def test_chart_figures_carry_a_legend_of_every_part_colour():
    import numpy as np

    from poseviz.core.dense import PARTS
    from poseviz.plots.dense import PART_COLORS, chart_channels_figure, chart_figure

    index = np.zeros((8, 8), np.int64)
    index[2:6, 2:6] = 3
    u = v = np.full((8, 8), 0.5)
    for fig in (chart_figure(np.zeros((16, 16, 3), np.uint8), index, u, v), chart_channels_figure(index, u, v)):
        legend = [(t.name, t.marker.color) for t in fig.data if getattr(t, "showlegend", False)]
        assert legend == [(n, f"rgb{tuple(c)}") for n, c in zip(PARTS[1:], PART_COLORS[1:])]


def test_paf_belief_panels_leave_zero_belief_untinted():
    import numpy as np

    from poseviz.plots.paf import paf_stages_figure

    image = np.full((32, 32, 3), 90, np.uint8)
    beliefs = [np.zeros((14, 8, 8), np.float32)]
    beliefs[0][3, 4, 4] = 0.8
    fig = paf_stages_figure(image, beliefs, [np.zeros((2, 8, 8), np.float32)], (3, 4), "left_hip → left_knee", 4)
    top = np.asarray(fig.data[0].z)
    assert (top[:4, :4] == 90).all()  # far from the peak: the photo as it is, no colour wash
    assert (top[16:20, 16:20] != 90).any()  # at the peak: tinted
    bar = next(t for t in fig.data if t.type == "heatmap")
    assert bar.opacity == 0 and bar.zmin == 0


def test_crop_box_outlines_the_crop_in_the_image():
    import numpy as np

    from poseviz.core.geometry import crop_transform
    from poseviz.plots.skeleton import draw_crop_box

    image = np.zeros((100, 100, 3), np.uint8)
    t = crop_transform(np.array([49.5, 49.5]), np.array([0.2, 0.2]), (40, 40))  # a 40-px box centred in the image
    out = draw_crop_box(image, t.inverse, (40, 40))
    drawn = np.argwhere(out.any(-1))
    assert abs(drawn[:, 0].min() - 29.5) <= 3 and abs(drawn[:, 0].max() - 69.5) <= 3  # the 40-px border, ± line width
    assert not out[50, 50].any() and not image.any()  # inside untouched, input not modified


def test_photo_view_covers_the_crop_exactly_at_the_photos_resolution():
    """A dot at a known photo position lands, in the high-resolution view, on the pixel whose centre the figure
    places at the dot's crop coordinate (view pixel i ↔ crop (i + ½)/f − ½): maps and picture stay aligned."""
    import numpy as np

    from poseviz.core.geometry import apply_affine, box_to_center_scale, crop_transform
    from poseviz.inference.top_down import DEFAULT_ENLARGE, Prediction
    from poseviz.plots.beliefs import _background, belief_maps_figure

    photo = np.zeros((1200, 900, 3), np.uint8)
    dot = np.array([[431.0, 517.0]])
    photo[517, 431] = 255
    c, s = box_to_center_scale((300, 300, 400, 600), 1.0, DEFAULT_ENLARGE)
    t = crop_transform(c, s, (128, 128))
    pred = Prediction(keypoints=np.zeros((14, 3)), output=None, crop=np.zeros((128, 128, 3), np.uint8), transform=t, schema=None)
    view = pred.photo_view(photo, max_side=512)
    assert view.shape[:2] == (512, 512)  # the person is ~780 photo px tall: capped at 512
    f = 512 / 128
    ys, xs = np.nonzero(view[..., 0] > 40)
    hit = np.array([xs.mean(), ys.mean()])
    crop_xy = apply_affine(dot, t.matrix)[0]
    _, place = _background(pred.crop, view)
    shown_at = (place["x0"] + hit[0] * place["dx"], place["y0"] + hit[1] * place["dy"])
    assert np.allclose(shown_at, crop_xy, atol=1 / f)
    fig = belief_maps_figure(pred.crop, np.zeros((1, 32, 32)), ["s"], photo=view)
    assert fig.data[0].dx == 1 / f and np.isclose(fig.data[0].x0, 0.5 / f - 0.5)
    assert pred.photo_view(photo, max_side=128).shape[:2] == (128, 128)  # never below the network's own crop


def test_an_ensembles_members_are_measured_from_their_mean_not_from_each_other():
    from poseviz.plots.beliefs import stage_peak_table

    maps = np.zeros((3, 16, 16))
    maps[0, 2, 2] = maps[1, 6, 5] = 1.0  # member A peaks at cell (x 2, y 2), member B at (x 5, y 6)
    maps[2, 2, 2] = 1.0  # the mean (here A's peak)
    rows = stage_peak_table(maps, 4.0, ["a", "b", "mean"], "argmax", members=True)
    assert [r["member"] for r in rows] == ["a", "b", "mean"]
    assert [r["from the mean (crop px)"] for r in rows] == [0.0, 20.0, None]  # 5 cells × stride 4
    seq = stage_peak_table(maps, 4.0, ["s1", "s2", "s3"], "argmax")
    assert [r["moved (crop px)"] for r in seq] == [None, 20.0, 20.0] and "member" not in seq[0]


def test_the_strongest_paf_limb_is_found_by_its_longest_vector():
    from poseviz.plots.paf import field_length, strongest_field

    fields = np.zeros((6, 4, 4))
    fields[2, 1, 1], fields[3, 1, 1] = 0.3, 0.4  # limb 1: one vector of length 0.5
    fields[4, 2, 2] = -0.45  # limb 2: 0.45
    assert strongest_field(fields) == 1 and field_length(fields[2:4]) == pytest.approx(0.5)


def test_rf_growth_names_coinciding_networks_together_and_colours_every_line_apart():
    from poseviz.explain.receptive_field import receptive_fields
    from poseviz.models import zoo
    from poseviz.plots.receptive import rf_growth_figure

    names = ["hrnet_lsp", "hrnet_nl_lsp", "cpm_lsp", "hourglass_lsp"]
    tables = {n: receptive_fields(zoo.build(n)) for n in names}
    lines = [t for t in rf_growth_figure(tables, 128).data if t.mode == "lines" and not t.name.startswith("input")]
    # the non-local block adds no convolution on the longest path: the two HRNets' fields coincide layer by layer
    assert [(r.depth, r.rf.size) for r in tables["hrnet_lsp"]] == [(r.depth, r.rf.size) for r in tables["hrnet_nl_lsp"]]
    assert sorted(t.name for t in lines) == ["cpm_lsp", "hourglass_lsp", "hrnet_lsp = hrnet_nl_lsp"]
    assert len({t.line.color for t in lines}) == len(lines)  # no two lines share a colour


def test_every_erf_legend_entry_is_drawn_inside_the_crop():
    from poseviz.explain.receptive_field import ERFResult
    from poseviz.plots.receptive import erf_figure

    crop = np.zeros((128, 128, 3), np.uint8)
    res = ERFResult(gradient=np.random.default_rng(0).random((128, 128)), unit=(16, 16), center=(64.0, 64.0), r50=10.0, r90=30.0)
    fig = erf_figure(crop, [res, res], ["small field", "field beyond the crop"], [61.0, 705.0])
    boxes = [t for t in fig.data if t.type == "scatter" and t.name.startswith("theoretical RF")]
    assert len(boxes) == 2 and "beyond the crop" in boxes[1].name and "beyond" not in boxes[0].name
    for b in boxes:
        assert min(b.x) >= -0.5 and max(b.x) <= 127.5 and min(b.y) >= -0.5 and max(b.y) <= 127.5
