"""Flip averaging: a mirrored image's outputs, mapped back, are the image's own outputs.

Outputs are rendered (``openpose_rendering.py``) for people and for their
mirror images (x to ``W - 1 - x`` in cells, left and right parts swapped):
``unflip`` of the mirror's must give the original heatmaps and PAFs. The
estimator runs the mirror image only on a fresh frame (first, or after a cut).
"""

from __future__ import annotations

import numpy as np
import pytest
from openpose_rendering import place, render

from pose_estimation_ros.core.openpose.constants import LIMBS, NUM_KEYPOINTS
from pose_estimation_ros.core.openpose.estimator import build
from pose_estimation_ros.core.openpose.flip import (
    HEATMAP_TWINS,
    PAF_SIGNS,
    average_flipped,
    unflip,
)
from pose_estimation_ros.core.skeletons import OPENPOSE18

MAP_SHAPE = (40, 56)


def mirror(keypoints: np.ndarray) -> np.ndarray:
    """Return the person seen in a mirror: x flipped in cells, left and right parts swapped."""
    mirrored = keypoints[HEATMAP_TWINS[:NUM_KEYPOINTS]].copy()
    mirrored[:, 0] = MAP_SHAPE[1] - 1 - mirrored[:, 0]
    return mirrored


def scene() -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Two people, one turned sideways (left and right not symmetric), one missing an arm."""
    turned = place(14.3, 3.2, 30.0)
    turned[:, 0] += np.linspace(0.0, 4.0, NUM_KEYPOINTS, dtype=np.float32)
    shown = np.ones(NUM_KEYPOINTS, bool)
    one_armed = shown.copy()
    one_armed[[6, 7]] = False  # left elbow and wrist
    return [turned, place(38.6, 6.1, 26.0)], [shown, one_armed]


def test_twins_swap_left_and_right_and_keep_the_middle():
    names = OPENPOSE18.keypoint_names
    for part, twin in enumerate(HEATMAP_TWINS[:NUM_KEYPOINTS]):
        assert names[twin] == names[part].replace("left_", "@").replace(
            "right_", "left_"
        ).replace("@", "right_")
    assert HEATMAP_TWINS[NUM_KEYPOINTS] == NUM_KEYPOINTS  # background
    assert np.count_nonzero(PAF_SIGNS < 0) == len(LIMBS)  # every x channel, only those


def test_unflip_of_the_mirror_gives_the_image_outputs():
    people, visible = scene()
    heatmaps, pafs = render(people, visible, MAP_SHAPE)
    mirrored_people = [mirror(p) for p in people]
    mirrored_visible = [v[HEATMAP_TWINS[:NUM_KEYPOINTS]] for v in visible]
    mirrored = render(mirrored_people, mirrored_visible, MAP_SHAPE)
    assert not np.allclose(mirrored[0], heatmaps, atol=0.1)  # the scene is not symmetric
    back_heatmaps, back_pafs = unflip(*mirrored)
    np.testing.assert_allclose(back_heatmaps, heatmaps, atol=1e-5)
    np.testing.assert_allclose(back_pafs, pafs, atol=1e-5)
    average = average_flipped((heatmaps, pafs), mirrored)
    np.testing.assert_allclose(average[0], heatmaps, atol=1e-5)
    np.testing.assert_allclose(average[1], pafs, atol=1e-5)


@pytest.mark.parametrize("flip_average", [True, False])
def test_only_a_fresh_frame_is_run_mirrored(flip_average):
    estimator = build("openpose_hpe0001", {"flip_average": flip_average})
    image = np.zeros((48, 64, 3), np.uint8)
    image[:, :8] = 200  # a bright band on the left: on the right in the mirror image

    def batch() -> np.ndarray:
        return estimator.preprocess(image)[0]

    first = batch()
    assert len(first) == (2 if flip_average else 1)  # the first frame is fresh
    if flip_average:
        np.testing.assert_array_equal(first[1], first[0][:, :, ::-1])
    estimator.end_frame([], 64, 48)
    assert len(batch()) == 1  # the next frame of the same scene: one pass
    estimator.reset()  # a scene cut
    assert len(batch()) == (2 if flip_average else 1)
