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
