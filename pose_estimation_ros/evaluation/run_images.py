"""Run an estimator over evaluation images, once each in order, as one stream of frames."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import cv2
import numpy as np

from pose_estimation_ros.core.skeletons import Layout
from pose_estimation_ros.core.types import Person, PoseFrame
from pose_estimation_ros.evaluation.coco_results import frame_results
from pose_estimation_ros.evaluation.dataset import EvalImage


class FrameEstimator(Protocol):
    """What is evaluated: ``core.pose_pipeline.PosePipeline`` or a baseline."""

    model: str
    layout: Layout

    def warm_up(self, width: int, height: int) -> None:
        """Run the network once on a blank image of this size."""

    def estimate(self, image_bgr: np.ndarray, timestamp_s: float) -> list[Person]:
        """Find people in an HxWx3 uint8 BGR image; keypoints in its pixels."""


@dataclass
class RunResult:
    """What one estimator found on the images, and how long it took."""

    name: str
    model: str
    results: list[dict[str, Any]] = field(default_factory=list)
    images: int = 0
    seconds: float = 0.0  # reading the images and estimating
    estimate_seconds: float = 0.0  # ``estimate`` alone


def read_bgr(path: Path) -> np.ndarray:
    """Decode an image file to HxWx3 uint8 BGR; ``ValueError`` when OpenCV cannot."""
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError(f"cannot read image {path}")
    return image


def run_on_images(
    name: str, estimator: FrameEstimator, images: Sequence[EvalImage], fps: float
) -> RunResult:
    """Warm up on the first image's size, then estimate each image, stamped ``1 / fps`` apart.

    The images are one stream, as ``pose_node`` would receive them from a
    folder: whatever an estimator carries between frames carries here too.
    """
    height, width = read_bgr(images[0].path).shape[:2]
    estimator.warm_up(width, height)
    run = RunResult(name, estimator.model)
    started = time.perf_counter()
    for index, image in enumerate(images):
        bgr = read_bgr(image.path)
        before = time.perf_counter()
        people = estimator.estimate(bgr, index / fps)
        run.estimate_seconds += time.perf_counter() - before
        frame = PoseFrame(estimator.model, estimator.layout, bgr.shape[1], bgr.shape[0], people)
        run.results.extend(frame_results(image.image_id, frame))
        run.images += 1
    run.seconds = time.perf_counter() - started
    return run
