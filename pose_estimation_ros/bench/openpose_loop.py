"""The seed tutorials' loop with our OpenPose estimator: the OpenPose baseline of ``make bench``.

One process: OpenCV read, the pose node's own estimator (resize, network, PAF
decoding, tracking, smoothing; built with the graph's pose node options by
the caller), msgpack, UDP send, then the next frame. The video loops and the
warm-up frames are left out of the timing as in ``baseline_loop``. Not used
by the package.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pose_estimation_ros.bench.baseline_loop import BaselineResult, run_loop
from pose_estimation_ros.core.pose_pipeline import PosePipeline


def run_openpose_baseline(
    video: Path, estimator: PosePipeline, address: tuple[str, int], frames: int, warmup: int
) -> BaselineResult:
    """Run ``estimator`` on ``warmup + frames`` frames of ``video``; send each frame's people."""

    def step(frame: np.ndarray, index: int) -> dict[str, list]:
        people = estimator.estimate(frame, index / 10.0)
        return {"people": [person.keypoints.tolist() for person in people]}

    return run_loop(video, step, address, frames, warmup)
