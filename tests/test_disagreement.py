import numpy as np
import pytest

from poseviz.explain.disagreement import max_pairwise_distance


def test_max_pairwise_distance_by_hand():
    kp = np.zeros((3, 2, 2))
    kp[1, 0] = (3, 4)  # model 1's joint 0 is 5 px from models 0 and 2
    kp[2, 1] = (0, 2)  # model 2's joint 1 is 2 px from the others
    kp[1, 1] = (0, -1)  # and model 1's joint 1 is 3 px from model 2's
    np.testing.assert_allclose(max_pairwise_distance(kp), [5.0, 3.0])
    with pytest.raises(ValueError):
        max_pairwise_distance(kp[:1])


def test_shared_joints_pairs_lsp_and_mpii_by_name_only():
    from poseviz.core.schemas import get_schema
    from poseviz.explain.disagreement import shared_joints

    lsp, mpii = get_schema("lsp14"), get_schema("mpii16")
    names, (li, mi) = shared_joints([lsp, mpii])
    # 12 limb joints + head top; LSP's neck and MPII's upper neck are not the same point
    assert len(names) == 13 and "neck" not in names and "upper_neck" not in names
    assert names[0] == "right_ankle" and names[-1] == "head_top"
    assert [lsp.joints[i] for i in li] == names == [mpii.joints[i] for i in mi]
    assert mi[names.index("right_wrist")] == 10 and li[names.index("right_wrist")] == 6
