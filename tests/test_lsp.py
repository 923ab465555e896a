import numpy as np
import pytest
import scipy.io

from poseviz.core.errors import PoseVizInputError
from poseviz.data.lsp import load_lsp_joints, lsp_split


def test_real_lsp_layout(lsp):
    assert lsp.joints.shape == (2000, 14, 3)
    # the README: about 7 % of joints are occluded (visibility 1), the rest visible (2)
    frac = (lsp.joints[..., 2] == 1).mean()
    assert 0.05 < frac < 0.09
    assert set(np.unique(lsp.joints[..., 2])) == {1.0, 2.0}
    # first image: right ankle below the right knee, head top above the neck
    j = lsp.joints[0]
    assert j[0, 1] > j[1, 1] and j[13, 1] < j[12, 1]
    assert lsp.image_path(0).name == "im0001.jpg"


def test_split_is_the_standard_one():
    assert lsp_split("train")[[0, -1]].tolist() == [0, 999]
    assert lsp_split("test")[[0, -1]].tolist() == [1000, 1999]
    with pytest.raises(PoseVizInputError, match="unknown LSP split"):
        lsp_split("val")


def test_occlusion_flag_becomes_visibility(tmp_path):
    j = np.zeros((3, 14, 2))
    j[0], j[1] = 10.0, 20.0
    j[2, 3, 1] = 1  # joint 3 of image 2 occluded
    scipy.io.savemat(tmp_path / "joints.mat", {"joints": j})
    out = load_lsp_joints(tmp_path / "joints.mat")
    assert out.shape == (2, 14, 3)
    assert out[1, 3, 2] == 1 and out[0, 3, 2] == 2


@pytest.mark.parametrize("payload, pattern", [
    ({"points": np.zeros((3, 14, 2))}, "no 'joints' array"),
    ({"joints": np.zeros((3, 13, 2))}, r"shape 3×14×N \(LSP\) or 14×3×N \(LSP Extended\), got 3×13×2"),
])
def test_bad_joints_files_are_refused(tmp_path, payload, pattern):
    scipy.io.savemat(tmp_path / "j.mat", payload)
    with pytest.raises(PoseVizInputError, match=pattern):
        load_lsp_joints(tmp_path / "j.mat")


def test_nonfinite_and_unreadable(tmp_path):
    j = np.zeros((3, 14, 2))
    j[0, 5, 1] = np.inf
    scipy.io.savemat(tmp_path / "j.mat", {"joints": j})
    with pytest.raises(PoseVizInputError, match="image 2, joint 5 has a non-finite"):
        load_lsp_joints(tmp_path / "j.mat")
    (tmp_path / "bad.mat").write_bytes(b"garbage" * 10)
    with pytest.raises(PoseVizInputError, match="not a readable MATLAB file"):
        load_lsp_joints(tmp_path / "bad.mat")


def test_packed_copy_keeps_joint_geometry(tmp_path, lsp):
    from poseviz.data.lsp import load_lsp
    from poseviz.data.pack import pack_lsp

    small = tmp_path / "lsp"
    root = tmp_path / "src"
    (root / "images").mkdir(parents=True)
    for i in range(3):  # a three-image LSP copy keeps the test quick
        (root / "images" / lsp.image_path(i).name).write_bytes(lsp.image_path(i).read_bytes())
    scipy.io.savemat(root / "joints.mat", {"joints": np.stack([lsp.joints[:3, :, 0].T, lsp.joints[:3, :, 1].T,
                                                               (lsp.joints[:3, :, 2] == 1).T.astype(float)])})
    n, size = pack_lsp(small, root, max_side=100)
    packed = load_lsp(small)
    assert n == 3 and size > 0 and packed.joints.shape == (3, 14, 3)
    import cv2

    img = cv2.imread(str(packed.image_path(0)))
    orig = cv2.imread(str(lsp.image_path(0)))
    s = img.shape[1] / orig.shape[1]
    assert max(img.shape[:2]) <= 100
    np.testing.assert_allclose(packed.joints[0, :, :2], (lsp.joints[0, :, :2] + 0.5) * s - 0.5, atol=0.6)
    np.testing.assert_array_equal(packed.joints[..., 2], lsp.joints[:3, :, 2])
    from poseviz.data.pack import describe_pack

    assert "--max-side 100" in describe_pack(small) and "≤ 100 px" in describe_pack(small)
    assert describe_pack(root) is None and describe_pack(None) is None


def test_lsp_as_coco_keeps_joints_visibility_and_uses_the_joint_box_area(lsp):
    from poseviz.core.schemas import LSP14
    from poseviz.data.lsp import joints_box
    from poseviz.data.lsp_coco import lsp_as_coco
    from poseviz.explain.oks_errors import gt_schema

    gt = lsp_as_coco(lsp, np.array([1000, 1001]))
    assert gt_schema(gt) is LSP14 and gt.num_joints == 14
    assert [im["id"] for im in gt.images] == [1001, 1002] and gt.images[0]["file_name"] == "im1001.jpg"
    a = gt.annotations[1]
    kp = np.array(a["keypoints"]).reshape(14, 3)
    np.testing.assert_allclose(kp, lsp.joints[1001], atol=1e-3)
    assert set(kp[:, 2]) <= {1.0, 2.0}
    x, y, w, h = joints_box(lsp.joints[1001])
    assert a["area"] == pytest.approx(w * h) and a["bbox"] == pytest.approx([x, y, w, h])


def test_oks_tools_refuse_annotations_of_an_unknown_keypoint_set():
    from poseviz.core.errors import PoseVizInputError
    from poseviz.explain.oks_errors import gt_schema
    from poseviz.io.coco import validate_coco

    gt = validate_coco({"images": [], "annotations": [], "categories": [{"id": 1, "name": "hand", "keypoints": ["a", "b", "c"]}]}, num_joints=3)
    with pytest.raises(PoseVizInputError, match="COCO-17 or LSP-14"):
        gt_schema(gt)
