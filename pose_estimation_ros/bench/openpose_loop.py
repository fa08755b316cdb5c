"""The seed tutorials' loop with our OpenPose estimator: the OpenPose baseline of ``make bench``.

One process, one thread: OpenCV read, network (resize + OpenVINO), PAF
decoding, msgpack, UDP send, then the next frame. Same model file, runtime
and video as the graph it is compared with. Not used by the package.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path

import cv2
import msgpack

from pose_estimation_ros.bench.baseline_loop import BaselineResult
from pose_estimation_ros.core.estimator import create_estimator


def run_openpose_baseline(
    video: Path, model: str, address: tuple[str, int], max_frames: int
) -> BaselineResult:
    """Process up to ``max_frames`` frames of ``video``; send each frame's people by UDP."""
    estimator = create_estimator(model, backend="openvino")
    capture = cv2.VideoCapture(str(video))
    ok, frame = capture.read()
    if ok:
        estimator.estimate(frame, 0.0)  # compiles the network for this size: not timed
    capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    frames = 0
    start = time.perf_counter()
    while frames < max_frames:
        ok, frame = capture.read()
        if not ok:
            break
        people = estimator.estimate(frame, frames / 10.0)
        payload = {"people": [person.keypoints.tolist() for person in people]}
        sender.sendto(msgpack.packb(payload), address)
        frames += 1
    seconds = time.perf_counter() - start
    capture.release()
    sender.close()
    return BaselineResult(frames, seconds)
