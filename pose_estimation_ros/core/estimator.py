"""The pose estimator interface and the factory that builds one by model name.

Every model family (MoveNet, OpenPose) provides a module with a ``build``
function ``build(model: str, options: dict) -> PoseEstimator``; ``MODELS``
maps each model name to that module, which is imported only when the model is
asked for (so a MoveNet user never imports the OpenPose decoder).
"""

from __future__ import annotations

import importlib
from typing import Any, Protocol

import numpy as np

from pose_estimation_ros.core.skeletons import Layout
from pose_estimation_ros.core.types import Person


class PoseEstimator(Protocol):
    """Estimates poses in one image at a time."""

    model: str
    layout: Layout

    def estimate(self, image_bgr: np.ndarray, timestamp_s: float) -> list[Person]:
        """Find people in an HxWx3 uint8 BGR image; keypoints in its pixels."""

    def reset(self) -> None:
        """Forget state carried between frames (crop region, trackers)."""


MODELS: dict[str, str] = {
    "openpose_hpe0001": "pose_estimation_ros.core.openpose.estimator",
    "openpose_tfpose_mobilenet_v2_small": "pose_estimation_ros.core.openpose.estimator",
    "openpose_tfpose_mobilenet_thin": "pose_estimation_ros.core.openpose.estimator",
    "openpose_tfpose_cmu": "pose_estimation_ros.core.openpose.estimator",
}


def create_estimator(model: str, **options: Any) -> PoseEstimator:
    """Build the estimator for ``model``; ``ValueError`` naming the known models otherwise."""
    if model not in MODELS:
        known = ", ".join(sorted(MODELS)) or "none"
        raise ValueError(f"unknown model {model!r}; known models: {known}")
    module = importlib.import_module(MODELS[model])
    return module.build(model, dict(options))
