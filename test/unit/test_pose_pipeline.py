"""core.pose_pipeline: OpenPose people tracked and smoothed like MoveNet's (real hpe-0001 weights).

The frames are vtest.avi's first 40 (pedestrians walking, 1 to 6 people a frame).
"""

import cv2
import numpy as np
import pytest

from pose_estimation_ros.core.assets import resolve
from pose_estimation_ros.core.estimator import create_estimator, option_names

FRAMES = 40
FPS = 10.0  # vtest.avi's own rate


@pytest.fixture(scope="module")
def frames() -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(resolve("vtest_video")))
    images = [capture.read()[1] for _ in range(FRAMES)]
    capture.release()
    return images


@pytest.mark.parametrize("tracker_type", ["bounding_box", "keypoint"])
def test_openpose_people_keep_their_track_ids(frames, tracker_type):
    pipeline = create_estimator("openpose_hpe0001", tracker_type=tracker_type)
    ids = [[p.track_id for p in pipeline.estimate(f, i / FPS)] for i, f in enumerate(frames)]
    for frame_ids in ids:
        assert all(i >= 1 for i in frame_ids) and len(set(frame_ids)) == len(frame_ids)
    # Small, side-on walkers give thin keypoint boxes and fragments come and go, but the
    # well-found people keep their ids: measured, the longest run is 9 frames (box) and
    # 11 frames (keypoint) of the 40; without tracking it would be 1.
    runs: dict[int, int] = {}
    longest = 0
    for before, now in zip([[]] + ids, ids):
        runs = {i: runs.get(i, 0) + 1 if i in before else 1 for i in now}
        longest = max([longest, *runs.values()])
    assert longest >= 6, ids


def test_openpose_keypoints_are_smoothed_per_track(frames):
    raw = create_estimator("openpose_hpe0001", smoothing=False)
    smoothed = create_estimator("openpose_hpe0001")
    changed = []
    for index, frame in enumerate(frames):
        by_id = {p.track_id: p.keypoints for p in raw.estimate(frame, index / FPS)}
        for person in smoothed.estimate(frame, index / FPS):
            # Tracking runs before smoothing, so both pipelines give the same ids.
            shift = np.abs(person.keypoints[:, :2] - by_id[person.track_id][:, :2]).max()
            np.testing.assert_array_equal(person.keypoints[:, 2], by_id[person.track_id][:, 2])
            if index == 0:
                assert shift == 0.0  # a filter's first sample passes unchanged
            changed.append(shift)
    assert max(changed) > 0.5  # the filters act on later frames


def test_each_model_takes_its_family_options_and_the_tracking_ones():
    openpose, movenet = option_names("openpose_hpe0001"), option_names("movenet_lightning")
    shared = {"model_path", "backend", "threads", "inference_precision", "tracking", "smoothing"}
    assert shared <= openpose & movenet
    assert {"max_people", "peak_threshold", "min_parts", "layout"} <= openpose - movenet
    assert {"smart_crop", "precision", "min_person_score"} <= movenet - openpose
    with pytest.raises(ValueError, match="unknown OpenPose options \\['smart_crop'\\]"):
        create_estimator("openpose_hpe0001", smart_crop=True)
    with pytest.raises(ValueError, match="tracking tracker_type must be one of"):
        create_estimator("openpose_hpe0001", tracker_type="hungarian")


def test_warm_up_changes_nothing_the_next_frames_see(frames):
    warmed, fresh = create_estimator("openpose_hpe0001"), create_estimator("openpose_hpe0001")
    warmed.warm_up()  # 640x480, vtest.avi is 768x576: reshaped again on the first frame
    for index, frame in enumerate(frames[:3]):
        got, want = warmed.estimate(frame, index / FPS), fresh.estimate(frame, index / FPS)
        assert [p.track_id for p in got] == [p.track_id for p in want]
        for a, b in zip(got, want):
            np.testing.assert_allclose(a.keypoints, b.keypoints, atol=1e-3)
