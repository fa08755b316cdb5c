"""The stage-timing hook of the benchmarks: one entry per run of a stage, none without one."""

import numpy as np

from pose_estimation_ros.core.estimator import create_estimator
from pose_estimation_ros.core.pose_pipeline import ESTIMATE_STAGES
from pose_estimation_ros.core.stage_times import StageTimes, stage


def test_a_stage_is_recorded_each_time_it_runs_and_not_without_a_recorder():
    times = StageTimes()
    for _ in range(3):
        with stage(times, "read"):
            pass
    with stage(None, "read"):
        pass
    assert list(times.ms) == ["read"]
    assert len(times.ms["read"]) == 3 and min(times.ms["read"]) >= 0.0


def test_a_stage_that_raises_is_still_recorded():
    times = StageTimes()
    try:
        with stage(times, "inference"):
            raise ValueError("bad frame")
    except ValueError:
        pass
    assert len(times.ms["inference"]) == 1


def test_estimate_times_each_of_its_stages_once_per_frame():
    pipeline = create_estimator("openpose_hpe0001")
    times = StageTimes()
    image = np.zeros((96, 128, 3), np.uint8)
    for index in range(2):
        pipeline.estimate(image, index * 0.1, times)
    assert {name: len(ms) for name, ms in times.ms.items()} == dict.fromkeys(ESTIMATE_STAGES, 2)
