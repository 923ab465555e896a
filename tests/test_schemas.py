import numpy as np
import pytest

from poseviz.core.schemas import COCO17, LSP14, MPII16, get_schema, joint_mapping, map_keypoints


def test_coco_sigmas_are_the_published_values():
    published = np.array([.26, .25, .25, .35, .35, .79, .79, .72, .72, .62, .62, 1.07, 1.07, .87, .87, .89, .89]) / 10.0
    np.testing.assert_allclose(COCO17.sigma_array, published)


@pytest.mark.parametrize("schema", [COCO17, LSP14, MPII16])
def test_flip_pairs_swap_left_and_right_names(schema):
    perm = schema.flip_permutation()
    assert sorted(perm) == list(range(schema.num_joints))
    for i, j in enumerate(perm):
        a, b = schema.joints[i], schema.joints[j]
        if a.startswith("left_"):
            assert b == "right_" + a[5:]
        elif a.startswith("right_"):
            assert b == "left_" + a[6:]
        else:
            assert i == j


def test_lsp_to_coco_maps_the_twelve_limb_joints():
    pairs = joint_mapping(LSP14, COCO17)
    assert len(pairs) == 12
    kp = np.arange(14 * 3, dtype=float).reshape(14, 3) + 1
    out = map_keypoints(kp, LSP14, COCO17)
    assert out.shape == (17, 3)
    np.testing.assert_array_equal(out[COCO17.index("left_wrist")], kp[LSP14.index("left_wrist")])
    np.testing.assert_array_equal(out[COCO17.index("nose")], 0)  # no LSP counterpart: unlabelled


def test_unknown_names_are_reported():
    with pytest.raises(KeyError, match="known: coco17"):
        get_schema("body25")
    with pytest.raises(KeyError, match="lsp14"):
        LSP14.index("nose")


def test_mpii_keypoints_in_lsp_layout_take_the_upper_neck_as_the_neck_only_when_asked():
    import numpy as np

    from poseviz.core.schemas import LSP14, MPII16, map_keypoints

    kp = np.arange(16 * 3, dtype=float).reshape(16, 3) + 1
    plain = map_keypoints(kp, MPII16, LSP14)
    aliased = map_keypoints(kp, MPII16, LSP14, aliases=True)
    neck = LSP14.joints.index("neck")
    assert (plain[neck] == 0).all() and (aliased[neck] == kp[MPII16.joints.index("upper_neck")]).all()
    for j, name in enumerate(LSP14.joints):
        if name != "neck":
            assert (aliased[j] == kp[MPII16.joints.index(name)]).all() and (plain[j] == aliased[j]).all()
