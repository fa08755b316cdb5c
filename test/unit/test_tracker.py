"""Trackers with scripted timestamps: stable ids, new ids for new people, release after absence."""

import numpy as np
import pytest

from pose_estimation_ros.core.filters.keypoint_smoother import KeypointSmoother
from pose_estimation_ros.core.skeletons import COCO17, OPENPOSE18, Layout
from pose_estimation_ros.core.tracking.box_tracker import BoxTracker
from pose_estimation_ros.core.tracking.keypoint_tracker import KeypointTracker
from pose_estimation_ros.core.types import UNTRACKED, Person, box_around


def person(x: float, y: float, layout: Layout = COCO17, score: float = 0.9) -> Person:
    """Make a 100x200 px person whose keypoints spread over a grid starting at (x, y)."""
    n = layout.num_keypoints
    keypoints = np.zeros((n, 3), dtype=np.float32)
    keypoints[:, 0] = x + 100.0 * (np.arange(n) % 3) / 2
    keypoints[:, 1] = y + 200.0 * (np.arange(n) // 3) / ((n - 1) // 3)
    keypoints[:, 2] = score
    return Person(keypoints, score, box_around(keypoints))


def trackers(layout: Layout = COCO17):
    return [KeypointTracker(layout, max_age_s=0.5), BoxTracker(max_age_s=0.5)]


@pytest.mark.parametrize("tracker", trackers(), ids=["oks", "iou"])
def test_ids_persist_while_people_move_a_little(tracker):
    ids = [p.track_id for p in tracker.apply([person(0, 0), person(400, 0)], 0.0)]
    assert ids == [1, 2]
    for frame in range(1, 10):
        moved = [person(400 + 3 * frame, 2 * frame), person(3 * frame, 0)]  # order swapped
        assert [p.track_id for p in tracker.apply(moved, frame / 30)] == [2, 1]


@pytest.mark.parametrize("tracker", trackers(), ids=["oks", "iou"])
def test_a_new_person_gets_a_new_id(tracker):
    tracker.apply([person(0, 0)], 0.0)
    ids = [p.track_id for p in tracker.apply([person(0, 0), person(600, 300)], 0.1)]
    assert ids == [1, 2]


@pytest.mark.parametrize("tracker", trackers(), ids=["oks", "iou"])
def test_ids_are_released_after_max_age_and_never_reused(tracker):
    tracker.apply([person(0, 0)], 0.0)
    assert tracker.apply([], 0.4) == []
    assert tracker.apply([person(0, 0)], 0.45)[0].track_id == 1  # back within max_age
    assert tracker.apply([person(0, 0)], 1.0)[0].track_id == 2  # absent 0.55 s > 0.5 s


def test_best_scored_detection_wins_the_track():
    tracker = BoxTracker()
    tracker.apply([person(0, 0)], 0.0)
    weak, strong = person(5, 0, score=0.4), person(8, 0, score=0.8)
    tracker.apply([weak, strong], 0.1)
    assert (strong.track_id, weak.track_id) == (1, 2)


def test_oks_is_one_for_identical_poses_and_falls_with_distance():
    tracker = KeypointTracker(COCO17)
    tracker.apply([person(0, 0)], 0.0)
    track = tracker.tracks[0]
    near, far = tracker.similarity(person(5, 5), track), tracker.similarity(person(60, 0), track)
    assert tracker.similarity(person(0, 0), track) == pytest.approx(1.0)
    assert 1.0 > near > far >= 0.0


def test_oks_needs_enough_confident_keypoints():
    tracker = KeypointTracker(COCO17, min_keypoints=4)
    tracker.apply([person(0, 0)], 0.0)
    faint = person(0, 0)
    faint.keypoints[3:, 2] = 0.1
    assert tracker.similarity(faint, tracker.tracks[0]) == 0.0


def test_works_for_the_openpose_layout():
    tracker = KeypointTracker(OPENPOSE18)
    tracker.apply([person(0, 0, OPENPOSE18)], 0.0)
    assert tracker.apply([person(4, 4, OPENPOSE18)], 0.1)[0].track_id == 1


def test_max_tracks_keeps_the_freshest():
    tracker = BoxTracker(max_tracks=2)
    for i in range(3):
        tracker.apply([person(300 * i, 0)], 0.1 * i)
    assert [t.track_id for t in tracker.tracks] == [3, 2]


def test_smoother_keeps_one_filter_per_track():
    smoother = KeypointSmoother(min_cutoff=1.0, beta=0.0, derivate_cutoff=1.0)
    a, b = person(0, 0), person(400, 0)
    a.track_id, b.track_id = 1, 2
    smoother.apply([a, b], 640, 480, 0.0)
    a2, b2 = person(10, 0), person(400, 0)
    a2.track_id, b2.track_id = 1, 2
    smoother.apply([a2, b2], 640, 480, 1 / 30)
    assert 0.0 < a2.keypoints[0, 0] < 10.0  # damped towards the old position
    assert b2.keypoints[0, 0] == pytest.approx(400.0)  # b did not move
    lone = person(50, 0)
    assert lone.track_id == UNTRACKED
    smoother.keep_only([1])
    smoother.apply([lone], 640, 480, 2 / 30)
    assert lone.keypoints[0, 0] == pytest.approx(50.0)  # a fresh filter passes it through
