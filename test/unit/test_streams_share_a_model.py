"""One model for several cameras (``for_stream``): per-camera state, identical results.

Real weights; pose_1.mp4 (one person) and vtest.avi (pedestrians). Two
cameras' pipelines share one compiled network with two OpenVINO streams and
run in two threads at once; each must give exactly what a pipeline of its own,
run alone, gives on the same frames (no state leaks between the cameras).
"""

import threading

import cv2
import numpy as np
import pytest

from pose_estimation_ros.core.assets import resolve
from pose_estimation_ros.core.estimator import create_estimator
from pose_estimation_ros.core.runtimes import auto_inference_streams
from pose_estimation_ros.core.types import Person

FRAMES = 24


def first_frames(asset: str) -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(resolve(asset)))
    images = [capture.read()[1] for _ in range(FRAMES)]
    capture.release()
    return images


def estimate_all(pipeline, frames: list[np.ndarray]) -> list[list[Person]]:
    return [pipeline.estimate(frame, index / 30.0) for index, frame in enumerate(frames)]


def as_arrays(results: list[list[Person]]) -> list[list[tuple]]:
    return [[(p.track_id, p.score, p.keypoints.tolist()) for p in people] for people in results]


@pytest.mark.parametrize("model", ["movenet_lightning", "openpose_hpe0001"])
def test_two_cameras_on_one_model_get_what_each_gets_alone(model):
    videos = [first_frames("pose_1_video"), first_frames("vtest_video")]
    alone = [estimate_all(create_estimator(model), frames) for frames in videos]
    shared = create_estimator(model, inference_streams=2)
    cameras = [shared, shared.for_stream()]
    together: dict[int, list[list[Person]]] = {}
    threads = [
        threading.Thread(
            target=lambda i=i, v=v: together.update({i: estimate_all(cameras[i], v)})
        )
        for i, v in enumerate(videos)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [as_arrays(together[i]) for i in range(2)] == [as_arrays(a) for a in alone]
    assert any(together[1])  # vtest's walkers were found: the check compared people


def test_a_camera_of_its_own_starts_with_fresh_tracks():
    first = create_estimator("movenet_lightning")
    frames = first_frames("pose_1_video")
    ids_first = {p.track_id for people in estimate_all(first, frames) for p in people}
    second = first.for_stream()
    ids_second = {p.track_id for people in estimate_all(second, frames) for p in people}
    assert ids_first == ids_second == {1}  # numbered from 1 on each camera, not continued


@pytest.mark.parametrize(
    ("cameras", "cpus", "streams"),
    [(1, 2, 1), (3, 2, 3), (6, 2, 4), (8, 16, 8), (40, 64, 16), (3, 1, 2)],
)
def test_inference_streams_zero_means_one_per_camera_up_to_two_per_core(cameras, cpus, streams):
    assert auto_inference_streams(cameras, cpus) == streams
