"""The benchmark's Python-loop baseline decodes exactly like the package's decoder.

The benchmark's speed-up only means something if both implement the same
algorithm; here both decode the same rendered crowd and a crowd without PAF
support, and must agree to float precision.
"""

import numpy as np
import pytest
from openpose_rendering import place, render

from pose_estimation_ros.bench.openpose_baseline import baseline_find_peaks, baseline_group_people
from pose_estimation_ros.core.openpose.constants import NUM_KEYPOINTS
from pose_estimation_ros.core.openpose.paf_grouping import GroupingParams, group_people
from pose_estimation_ros.core.openpose.peaks import find_peaks


@pytest.mark.parametrize("flip_pafs", [False, True])
def test_baseline_and_decoder_agree(flip_pafs):
    people = [place(6.2 + 9.7 * k, 2.4 + 1.3 * k, 24.0 + 3.0 * k) for k in range(4)]
    visible = [np.ones(NUM_KEYPOINTS, dtype=bool) for _ in people]
    visible[2][[3, 4, 16]] = False
    heatmaps, pafs = render(people, visible, (40, 56))
    pafs = -pafs if flip_pafs else pafs
    params = GroupingParams(min_parts=2)

    keypoints, scores = group_people(find_peaks(heatmaps[:NUM_KEYPOINTS], 0.1), pafs, params)
    loop_keypoints, loop_scores = baseline_group_people(
        baseline_find_peaks(heatmaps[:NUM_KEYPOINTS], 0.1), pafs, params
    )

    assert len(keypoints) == (0 if flip_pafs else 4)
    np.testing.assert_allclose(loop_keypoints, keypoints, atol=1e-4)
    np.testing.assert_allclose(loop_scores, scores, atol=1e-5)
