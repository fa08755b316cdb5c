"""The seed tutorials' loop with our OpenPose estimator: the OpenPose baseline of ``make bench``.

One process, one thread: OpenCV read, network (resize + OpenVINO), PAF
decoding, msgpack, UDP send, then the next frame. Same model file, runtime
and video as the graph it is compared with; ``threads`` as in ``baseline_loop``.
Not used by the package.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from pose_estimation_ros.bench.baseline_loop import BaselineResult, run_loop
from pose_estimation_ros.core.estimator import create_estimator


def run_openpose_baseline(
    video: Path, model: str, address: tuple[str, int], max_frames: int, threads: int
) -> BaselineResult:
    """Process up to ``max_frames`` frames of ``video``; send each frame's people by UDP."""
    estimator = create_estimator(model, backend="openvino", threads=threads)
    capture = cv2.VideoCapture(str(video))
    ok, frame = capture.read()
    capture.release()
    if ok:
        estimator.estimate(frame, 0.0)  # compiles the network for this size: not timed

    def step(frame: np.ndarray, index: int) -> dict[str, list]:
        people = estimator.estimate(frame, index / 10.0)
        return {"people": [person.keypoints.tolist() for person in people]}

    return run_loop(video, step, address, max_frames)
