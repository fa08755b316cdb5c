"""core.movenet.flip: a mirrored crop's pose mapped back (sides swapped), then averaged."""

import numpy as np
import pytest

from pose_estimation_ros.core.movenet.flip import average_poses, unmirror
from pose_estimation_ros.core.skeletons import COCO17, mirror_order


def test_every_side_keypoint_swaps_with_its_twin_and_the_nose_stays():
    order = mirror_order(COCO17)
    name = COCO17.keypoint_names
    assert name[order[COCO17.index("nose")]] == "nose"
    assert name[order[COCO17.index("left_wrist")]] == "right_wrist"
    assert name[order[COCO17.index("right_ankle")]] == "left_ankle"
    assert sorted(order) == list(range(17)) and all(order[order[i]] == i for i in range(17))


def test_a_pose_read_on_the_mirror_maps_back_onto_the_crop():
    rng = np.random.default_rng(3)
    pose = rng.uniform(0.1, 0.9, (17, 3)).astype(np.float32)
    order = mirror_order(COCO17)
    # What the model would report on the mirrored crop: x mirrored, sides exchanged.
    seen_on_mirror = pose[order].copy()
    seen_on_mirror[:, 0] = 1.0 - seen_on_mirror[:, 0]
    np.testing.assert_allclose(unmirror(seen_on_mirror, order), pose, atol=1e-6)
    left_wrist = COCO17.index("left_wrist")
    assert unmirror(seen_on_mirror, order)[left_wrist, 0] != seen_on_mirror[left_wrist, 0]


def test_averaging_weights_positions_by_score_and_means_the_scores():
    first = np.array([[0.2, 0.4, 0.9], [0.0, 0.0, 0.0]], np.float32)
    second = np.array([[0.8, 0.4, 0.1], [1.0, 1.0, 0.0]], np.float32)
    merged = average_poses(first, second)
    assert merged[0, 0] == pytest.approx((0.2 * 0.901 + 0.8 * 0.101) / 1.002, abs=1e-6)
    np.testing.assert_allclose(merged[:, 1:], [[0.4, 0.5], [0.5, 0.0]], atol=1e-6)
    assert merged[1, 0] == 0.5  # two unscored estimates count equally
