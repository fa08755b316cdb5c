"""The seed tutorials' loop, kept as the benchmark's baseline (not used by the package).

One process: OpenCV read, BGR to RGB, pad to a square and resize, MoveNet
inference, msgpack, UDP send, then the next frame. Same model file, runtime
options and video as the graph it is compared with: the runner is the one the
pose node's own estimator loads (``bench.node_options``). ``threads`` is the
runtime's: 1 keeps the whole loop on one thread, 0 lets OpenVINO spread each
inference over every core. Like the graph's camera (``loop: true``) the video
is read again from its start at its end, so the loop runs as many frames as
the graph, and the same warm-up frames are left out of its timing.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import msgpack
import numpy as np

from pose_estimation_ros.core.pose_pipeline import PosePipeline


@dataclass
class BaselineResult:
    """Frames processed and the wall time they took."""

    frames: int
    seconds: float

    @property
    def fps(self) -> float:
        """Frames per second over the whole run."""
        return self.frames / self.seconds if self.seconds else 0.0


def run_loop(
    video: Path,
    step: Callable[[np.ndarray, int], object],
    address: tuple[str, int],
    frames: int,
    warmup: int,
) -> BaselineResult:
    """Send msgpack of ``step(frame, index)`` for ``warmup + frames`` frames; time ``frames``.

    The video is reopened at its end, as the camera loops it. ``RuntimeError``
    when it gives no frame at all.
    """
    capture = cv2.VideoCapture(str(video))
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    index, start = 0, time.perf_counter()
    try:
        while index < warmup + frames:
            ok, frame = capture.read()
            if not ok:
                capture.release()
                capture = cv2.VideoCapture(str(video))
                ok, frame = capture.read()
                if not ok:
                    raise RuntimeError(f"{video} gave no frame")
            if index == warmup:
                start = time.perf_counter()
            sender.sendto(msgpack.packb(step(frame, index)), address)
            index += 1
    finally:
        capture.release()
        sender.close()
    return BaselineResult(frames, time.perf_counter() - start)


def run_baseline(
    video: Path,
    estimator: PosePipeline,
    address: tuple[str, int],
    frames: int,
    warmup: int,
) -> BaselineResult:
    """Run the seed loop on the network ``estimator`` (a MoveNet SinglePose) has loaded."""
    runner, input_size = estimator.estimator.runner, estimator.estimator.input_size

    def step(frame: np.ndarray, _index: int) -> dict[str, list]:
        rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
        height, width = rgb.shape[:2]
        side = max(height, width)
        top, left = (side - height) // 2, (side - width) // 2
        square = cv2.copyMakeBorder(
            rgb, top, side - height - top, left, side - width - left, cv2.BORDER_CONSTANT, value=0
        )
        tensor = cv2.resize(square, (input_size, input_size))[np.newaxis]
        return {"keypoints": runner.run(tensor)[0][0, 0].tolist()}

    return run_loop(video, step, address, frames, warmup)
