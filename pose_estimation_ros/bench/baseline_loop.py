"""The seed tutorials' loop, kept as the benchmark's baseline (not used by the package).

One process, one thread: OpenCV read, BGR to RGB, pad to a square and resize,
MoveNet inference, msgpack, UDP send, then the next frame. Same model file,
runtime and video as the graph it is compared with. ``threads`` is the
runtime's: 1 keeps the whole loop on one thread (the benchmark's baseline),
0 lets OpenVINO spread each inference over every core (a second reference).
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

from pose_estimation_ros.core.runtimes import OpenVinoRunner


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
    max_frames: int,
) -> BaselineResult:
    """Read up to ``max_frames`` frames; send msgpack of ``step(frame, index)`` for each by UDP."""
    capture = cv2.VideoCapture(str(video))
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    frames = 0
    start = time.perf_counter()
    while frames < max_frames:
        ok, frame = capture.read()
        if not ok:
            break
        sender.sendto(msgpack.packb(step(frame, frames)), address)
        frames += 1
    seconds = time.perf_counter() - start
    capture.release()
    sender.close()
    return BaselineResult(frames, seconds)


def run_baseline(
    video: Path,
    model: Path,
    address: tuple[str, int],
    max_frames: int,
    threads: int,
    input_size: int = 192,
) -> BaselineResult:
    """Process up to ``max_frames`` frames of ``video`` the seed way; send each result by UDP."""
    runner = OpenVinoRunner(model, threads=threads, precision="f32")

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

    return run_loop(video, step, address, max_frames)
