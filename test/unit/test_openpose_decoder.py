"""The OpenPose decoder on synthetic network outputs rendered from known skeletons.

The heatmaps and PAFs are rendered (``openpose_rendering.py``) the way the
networks were trained, so the decoder must give back exactly the skeletons
that were drawn: every visible keypoint within 1 source pixel (1/8 of a
heatmap cell; the sub-cell refinement is exact for an isolated Gaussian, so
the bound only absorbs neighbouring blobs of the same part), and every
keypoint in the right person. This is decoding only; resizing the image is
tested in ``test_openpose_sizing.py``.
"""

import numpy as np
import pytest
from openpose_rendering import place, render

from pose_estimation_ros.core.openpose.constants import (
    LIMB_PAF_CHANNELS,
    LIMBS,
    NUM_KEYPOINTS,
    NUM_TREE_LIMBS,
)
from pose_estimation_ros.core.openpose.paf_grouping import (
    Connections,
    GroupingParams,
    group_people,
    match_greedy,
)
from pose_estimation_ros.core.openpose.peaks import find_peaks
from pose_estimation_ros.core.openpose.sizing import cells_to_source, fit_input
from pose_estimation_ros.core.skeletons import OPENPOSE18

MAP_SHAPE = (48, 80)  # heatmap cells: a 384x640 image at stride 8, decoded at scale 1
GEOMETRY = fit_input(MAP_SHAPE[0] * 8, MAP_SHAPE[1] * 8, MAP_SHAPE[0] * 8)
TOLERANCE_PX = 1.0

# Parts hidden per person: a wrist, both ears, a lower leg, a whole left arm.
HIDDEN = [
    (),
    ("right_wrist",),
    ("right_ear", "left_ear"),
    ("left_knee", "left_ankle"),
    ("left_elbow", "left_wrist"),
]


def crowd(num_people: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """People side by side at different sizes and heights, neighbours' boxes overlapping."""
    people, visible = [], []
    for k in range(num_people):
        height = 26.0 + 5.0 * (k % 3) + 0.37 * k
        people.append(place(x=9.3 + 9.6 * k, y=3.2 + 2.9 * (k % 2) + 0.21 * k, height=height))
        shown = np.ones(NUM_KEYPOINTS, dtype=bool)
        shown[[OPENPOSE18.index(name) for name in HIDDEN[k]]] = False
        visible.append(shown)
    return people, visible


def decode(heatmaps, pafs, params=GroupingParams()):
    peaks = find_peaks(heatmaps[:NUM_KEYPOINTS], threshold=0.1)
    keypoints, scores = group_people(peaks, pafs, params)
    keypoints[..., :2] = cells_to_source(keypoints[..., :2], GEOMETRY)
    return keypoints, scores


def test_crowd_is_really_overlapping():
    people, _ = crowd(5)
    boxes = [(p[:, 0].min(), p[:, 0].max()) for p in people]
    assert all(boxes[k][1] > boxes[k + 1][0] for k in range(4))


@pytest.mark.parametrize("num_people", [2, 3, 4, 5])
def test_decodes_the_drawn_skeletons(num_people):
    people, visible = crowd(num_people)
    heatmaps, pafs = render(people, visible, MAP_SHAPE)
    keypoints, scores = decode(heatmaps, pafs)

    assert len(keypoints) == num_people
    truth = [cells_to_source(p, GEOMETRY) for p in people]
    matched = set()
    for person in keypoints:
        neck = person[OPENPOSE18.index("neck"), :2]
        k = int(np.argmin([np.linalg.norm(t[1] - neck) for t in truth]))
        matched.add(k)
        found = person[:, 2] > 0
        np.testing.assert_array_equal(found, visible[k])
        errors = np.linalg.norm(person[found, :2] - truth[k][found], axis=1)
        assert errors.max() <= TOLERANCE_PX, f"person {k}: errors {errors}"
        assert np.all(person[found, 2] > 0.77)  # exp(-0.25): at most half a cell off
    assert matched == set(range(num_people))
    assert np.all(np.diff(scores) <= 0)


def test_missing_keypoints_sit_at_the_person_centre_with_score_zero():
    people, visible = crowd(2)
    keypoints, _ = decode(*render(people, visible, MAP_SHAPE))
    person = next(p for p in keypoints if np.any(p[:, 2] == 0))
    found = person[:, 2] > 0
    centre = person[found, :2].mean(axis=0)
    np.testing.assert_allclose(person[~found, :2], np.broadcast_to(centre, (np.sum(~found), 2)))


def test_people_with_too_few_parts_are_dropped():
    people, visible = crowd(2)
    visible[1][:] = False
    visible[1][[OPENPOSE18.index(n) for n in ("neck", "right_shoulder", "right_elbow")]] = True
    heatmaps, pafs = render(people, visible, MAP_SHAPE)
    assert len(decode(heatmaps, pafs, GroupingParams(min_parts=3))[0]) == 2
    assert len(decode(heatmaps, pafs, GroupingParams(min_parts=4))[0]) == 1


def test_a_pair_against_the_field_is_not_a_limb():
    people, visible = crowd(1)
    heatmaps, pafs = render(people, visible, MAP_SHAPE)
    keypoints, _ = decode(heatmaps, -pafs)
    assert len(keypoints) == 0


def test_peaks_are_refined_below_a_cell_and_plateaus_give_one_peak():
    heatmaps = np.zeros((2, 9, 9), dtype=np.float32)
    rows, cols = np.mgrid[0:9, 0:9]
    heatmaps[0] = np.exp(-((cols - 3.3) ** 2 + (rows - 5.6) ** 2) / 2)
    heatmaps[1, 4, 4:6] = 0.5
    peaks = find_peaks(heatmaps, threshold=0.1)
    np.testing.assert_array_equal(peaks.part, [0, 1])
    np.testing.assert_allclose(peaks.xy[0], [3.3, 5.6], atol=1e-4)
    np.testing.assert_allclose(peaks.xy[1], [4.5, 4.0])  # the plateau's centre


def test_greedy_matching_takes_the_best_pairs_one_to_one_per_limb():
    candidates = Connections(
        limb=np.array([3, 3, 3, 3, 0]),
        peak_a=np.array([0, 0, 1, 1, 0]),
        peak_b=np.array([2, 3, 2, 3, 2]),
        score=np.array([0.9, 0.8, 0.85, 0.1, 0.2]),
    )
    kept = match_greedy(candidates)
    assert kept.limb.tolist() == [0, 3, 3]
    assert list(zip(kept.peak_a.tolist(), kept.peak_b.tolist())) == [(0, 2), (0, 2), (1, 3)]


def test_tree_limbs_reach_every_keypoint_from_the_neck_parents_first():
    placed = {OPENPOSE18.index("neck")}
    for parent, child in LIMBS[:NUM_TREE_LIMBS]:
        assert parent in placed and child not in placed
        placed.add(child)
    assert placed == set(range(NUM_KEYPOINTS))
    assert len(set(LIMB_PAF_CHANNELS)) == len(LIMBS) and len(LIMB_PAF_CHANNELS) == len(LIMBS)
