"""MoveNet SinglePose on fresh frames (real Lightning weights): two passes and a mirror, once.

A photo, or a video's first frame, is read whole, then again on the crop around
the person that pass found, and on that crop mirrored; later video frames are
read once through the carried crop. A scene cut makes the next photo fresh again.
"""

import cv2
import numpy as np
import pytest

from pose_estimation_ros.core.estimator import create_estimator
from pose_estimation_ros.core.movenet.crop import (
    crop_and_resize,
    full_frame_region,
    next_crop_region,
    snap,
    to_source_pixels,
)
from pose_estimation_ros.core.movenet.decode import decode_singlepose

VIDEO_FRAMES = 30
pytestmark = pytest.mark.slow  # real weights, a few estimators each


class RecordingRunner:
    """A runner that keeps every input it is given."""

    def __init__(self, runner) -> None:  # noqa: D107
        self.runner, self.input_dtype, self.inputs = runner, runner.input_dtype, []

    def run(self, inputs: np.ndarray) -> list[np.ndarray]:
        self.inputs.append(inputs[0].copy())
        return self.runner.run(inputs)


def recording(pipeline) -> RecordingRunner:
    pipeline.estimator.runner = RecordingRunner(pipeline.estimator.runner)
    return pipeline.estimator.runner


def photo(asset_dir, name: str) -> np.ndarray:
    return cv2.imread(str(asset_dir / "media" / name))


def rgb(bgr_square: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(bgr_square, cv2.COLOR_BGR2RGB)


def test_a_photo_is_read_whole_then_on_the_crop_around_the_person_then_mirrored(asset_dir):
    image = photo(asset_dir, "tfjs/pose.jpg")
    height, width = image.shape[:2]
    pipeline = create_estimator("movenet_lightning")
    runner = recording(pipeline)
    people = pipeline.estimate(image, 0.0)
    assert len(people) == 1 and len(runner.inputs) == 3
    whole, crop, mirrored = runner.inputs
    full = snap(full_frame_region(width, height))
    np.testing.assert_array_equal(whole, rgb(crop_and_resize(image, full, 192)))
    # The crop is the smart crop of the whole-frame pass, in the same frame.
    first = decode_singlepose(runner.runner.run(whole[np.newaxis])[0]).keypoints
    first[:, :2] = to_source_pixels(first[:, :2], full)
    region = snap(next_crop_region(first, width, height))
    assert region != full
    np.testing.assert_array_equal(crop, rgb(crop_and_resize(image, region, 192)))
    np.testing.assert_array_equal(mirrored, crop[:, ::-1])
    # The person found lies within that crop.
    confident = people[0].keypoints[people[0].keypoints[:, 2] > 0.3]
    assert (confident[:, 0] >= region.x_min).all()
    assert (confident[:, 0] <= region.x_min + region.size).all()


def test_after_an_unrelated_photo_the_result_is_a_fresh_pipelines(asset_dir):
    first = photo(asset_dir, "tfjs/pose.jpg")
    second = cv2.resize(photo(asset_dir, "tf_examples/image1.png"), first.shape[1::-1])
    pipeline = create_estimator("movenet_lightning")
    [before] = pipeline.estimate(first, 0.0)
    [after] = pipeline.estimate(second, 0.1)
    [fresh] = create_estimator("movenet_lightning").estimate(second, 0.0)
    np.testing.assert_allclose(after.keypoints, fresh.keypoints, atol=1e-4)
    assert after.score == pytest.approx(fresh.score)
    assert after.track_id != before.track_id  # tracks were dropped: a new person
    # Without cut detection, the crop, track and filters of the first photo carry over.
    leaky = create_estimator("movenet_lightning", scene_cut=False)
    leaky.estimate(first, 0.0)
    [carried] = leaky.estimate(second, 0.1)
    assert carried.track_id == before.track_id
    assert np.abs(carried.keypoints[:, :2] - fresh.keypoints[:, :2]).max() > 1.0


def test_a_video_keeps_its_track_and_reads_each_later_frame_once(asset_dir):
    capture = cv2.VideoCapture(str(asset_dir / "media" / "tfjs" / "pose_1.mp4"))
    frames = [capture.read()[1] for _ in range(VIDEO_FRAMES)]
    capture.release()
    pipeline = create_estimator("movenet_lightning")
    runner = recording(pipeline)
    ids, inferences = [], []
    for index, frame in enumerate(frames):
        before = len(runner.inputs)
        ids += [person.track_id for person in pipeline.estimate(frame, index / 30.0)]
        inferences.append(len(runner.inputs) - before)
    assert ids == [ids[0]] * VIDEO_FRAMES
    assert inferences == [3] + [1] * (VIDEO_FRAMES - 1)


def test_frames_with_nobody_cost_one_inference_each():
    pipeline = create_estimator("movenet_lightning")
    runner = recording(pipeline)
    for index in range(5):  # nobody is found, so every frame is fresh: but nothing to refine
        assert pipeline.estimate(np.zeros((480, 640, 3), np.uint8), index / 30.0) == []
    assert len(runner.inputs) == 5


def test_warm_up_compiles_the_input_every_pass_uses(asset_dir):
    pipeline = create_estimator("movenet_lightning")
    runner = recording(pipeline)
    pipeline.warm_up()
    pipeline.estimate(photo(asset_dir, "tfjs/pose.jpg"), 0.0)
    # One input shape for the whole-frame, crop and mirrored passes: warm-up covered them all.
    assert len({inputs.shape for inputs in runner.inputs}) == 1
    assert len(runner.inputs) == 4
