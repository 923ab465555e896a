import numpy as np
import pytest

from poseviz.core.schemas import LSP14
from poseviz.metrics import lsp_torso_size, pck


def test_pck_counts_joints_within_alpha_torso():
    gt = np.zeros((2, 14, 3))
    gt[..., 2] = 2
    rs, lh = LSP14.index("right_shoulder"), LSP14.index("left_hip")
    gt[:, rs, :2] = [0, 0]
    gt[:, lh, :2] = [30, 40]  # torso 50 px → threshold 10 px at α = 0.2
    assert lsp_torso_size(gt) == pytest.approx([50, 50])
    pred = gt[..., :2].copy()
    pred[0, 0] += [6, 8]  # exactly 10 px: correct
    pred[1, 0] += [6, 8.1]  # just over: wrong
    gt[1, 13, 2] = 0  # unlabelled: not counted
    res = pck(pred, gt, lsp_torso_size(gt), 0.2)
    assert res.per_joint[0] == pytest.approx(50.0)
    assert res.counts[13] == 1
    assert res.mean == pytest.approx(100 * 26 / 27)
