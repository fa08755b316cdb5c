"""MoveNet output decoding: tensor layouts, y/x order, scores, shape checks."""

import numpy as np
import pytest

from pose_estimation_ros.core.movenet import constants as C
from pose_estimation_ros.core.movenet.decode import decode_multipose, decode_singlepose


def test_singlepose_swaps_y_x_and_scores_the_pose():
    output = np.zeros(C.SINGLEPOSE_OUTPUT_SHAPE, dtype=np.float32)
    output[0, 0, :, 0] = 0.25  # y
    output[0, 0, :, 1] = 0.75  # x
    output[0, 0, :, 2] = 0.1
    output[0, 0, :4, 2] = [0.5, 0.7, 0.9, 0.3]
    pose = decode_singlepose(output)
    np.testing.assert_allclose(pose.keypoints[0], [0.75, 0.25, 0.5])
    assert pose.score == pytest.approx(0.6)  # mean of the scores above 0.2


def test_singlepose_without_confident_keypoints_scores_zero():
    assert decode_singlepose(np.zeros(C.SINGLEPOSE_OUTPUT_SHAPE, np.float32)).score == 0.0


def test_multipose_keeps_confident_people_best_first_with_boxes():
    output = np.zeros((1, 6, 56), dtype=np.float32)
    for i, score in enumerate([0.3, 0.9, 0.1]):
        output[0, i, 0:51:3] = 0.1 * (i + 1)  # y of every keypoint
        output[0, i, 1:51:3] = 0.2 * (i + 1)  # x
        output[0, i, 51:55] = [0.1, 0.2, 0.3, 0.4]  # ymin, xmin, ymax, xmax
        output[0, i, 55] = score
    people = decode_multipose(output, min_person_score=0.2)
    assert [p.score for p in people] == pytest.approx([0.9, 0.3])
    np.testing.assert_allclose(people[0].keypoints[5, :2], [0.4, 0.2])
    assert people[0].box == pytest.approx((0.2, 0.1, 0.4, 0.3))


@pytest.mark.parametrize("shape", [(1, 17, 3), (1, 1, 16, 3), (1, 2, 17, 3)])
def test_singlepose_rejects_other_shapes(shape):
    with pytest.raises(ValueError, match="expected"):
        decode_singlepose(np.zeros(shape, np.float32))


def test_multipose_rejects_other_shapes():
    with pytest.raises(ValueError, match="MultiPose"):
        decode_multipose(np.zeros((1, 6, 51), np.float32), 0.2)
