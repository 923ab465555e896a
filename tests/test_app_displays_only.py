"""Pages only gather widgets, call poseviz and display: no numpy or torch computation in app/ (only the
``np.ndarray`` type), and the small helpers the pages call instead, checked by hand."""
import ast

import numpy as np
import pytest

from conftest import ROOT

ALLOWED = {("np", "ndarray")}


def numeric_calls(source: str) -> list[str]:
    """``np.*`` / ``numpy.*`` / ``torch.*`` uses in ``source`` other than the ndarray type, and torch imports."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in ("np", "numpy", "torch"):
            if (node.value.id, node.attr) not in ALLOWED:
                found.append(f"{node.value.id}.{node.attr} (line {node.lineno})")
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            found += [f"import {n} (line {node.lineno})" for n in names if n.split(".")[0] == "torch"]
    return found


def test_no_page_computes_with_numpy_or_torch():
    offenders = {str(p.relative_to(ROOT)): numeric_calls(p.read_text()) for p in sorted((ROOT / "app").rglob("*.py"))}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_check_catches_computation():
    assert numeric_calls("import numpy as np\nx = np.mean([1, 2])\n") == ["np.mean (line 2)"]
    assert numeric_calls("import torch\n") == ["import torch (line 1)"]
    assert numeric_calls("def f(a: np.ndarray) -> None: ...\n") == []


def test_rescale_points_maps_pixel_centres_to_pixel_centres():
    from poseviz.core.geometry import rescale_points

    pts = np.array([[0.0, 0.0, 0.7], [9.0, 4.0, 0.2]])
    out = rescale_points(pts, 0.5)  # a 10-px-wide image halved: pixel 0's centre is at -0.25, pixel 9's at 4.25
    np.testing.assert_allclose(out, [[-0.25, -0.25, 0.7], [4.25, 1.75, 0.2]])
    np.testing.assert_allclose(rescale_points(out, 2.0), pts)
    assert pts[0, 0] == 0.0  # the input is not changed


def test_entropy_share_is_one_for_uniform_and_zero_for_one_hot_attention():
    from poseviz.explain.attention import entropy_share_map, uniform_entropy

    n = 6
    uniform = np.full((n, n), 1 / n)
    one_hot = np.eye(n)
    assert uniform_entropy(uniform) == pytest.approx(np.log(6))
    np.testing.assert_allclose(entropy_share_map(uniform, (2, 3)), np.ones((2, 3)))
    np.testing.assert_allclose(entropy_share_map(one_hot, (3, 2)), np.zeros((3, 2)), atol=1e-12)


def test_occlusion_pck_and_the_most_sensitive_point():
    from poseviz.explain.occlusion import most_sensitive_point, occlusion_pck

    rows = [{"correct clean (PCK@0.2)": c, "correct occluded": o} for c, o in [(True, True), (True, False), (False, False), (True, False)]]
    assert occlusion_pck(rows) == (75.0, 25.0)
    sens = np.zeros((4, 5))
    sens[3, 1] = 2.0
    assert most_sensitive_point(sens) == (1, 3)  # (x, y)


def test_paf_peak_norms_per_stage():
    from poseviz.inference.bottom_up import BottomUpResult

    paf = np.zeros((2, 2, 3, 3))  # 2 limbs × (x, y) × 3 × 3
    paf[1, :, 0, 0] = [0.6, 0.8]
    res = BottomUpResult(np.zeros((0, 14, 3)), np.zeros(0), [], [paf, paf * 0.5], np.zeros((8, 8, 3), np.uint8), 1.0, 4, ((0, 1), (1, 2)))
    assert res.paf_peak_norms(1) == pytest.approx([1.0, 0.5])
    assert res.paf_peak_norms(0) == [0.0, 0.0]


def test_checked_sigmas_refuses_what_oks_cannot_use():
    from poseviz.core.errors import PoseVizInputError
    from poseviz.explain.oks_errors import checked_sigmas

    np.testing.assert_array_equal(checked_sigmas([0.025, "0.079"]), [0.025, 0.079])
    for bad in ([0.1, 0.0], [0.1, -1], [float("nan")]):
        with pytest.raises(PoseVizInputError, match="positive"):
            checked_sigmas(bad)


def test_zoomed_repeats_each_pixel():
    from poseviz.plots.theme import zoomed

    img = np.arange(12, dtype=np.uint8).reshape(2, 2, 3)
    z = zoomed(img, 3)
    assert z.shape == (6, 6, 3)
    np.testing.assert_array_equal(z[::3, ::3], img)
    np.testing.assert_array_equal(z[2, 5], img[0, 1])
