"""The pose estimator interface and the factory that builds one by model name.

Every model family (MoveNet, OpenPose) provides a module with a ``build``
function ``build(model: str, options: dict) -> StagedEstimator`` and
``OPTION_NAMES``, the options ``build`` accepts; ``MODELS`` maps each model
name to that module, which is imported only when the model is asked for (so a
MoveNet user never imports the OpenPose decoder). ``create_estimator`` wraps
the family's estimator in a ``PosePipeline`` (tracking and smoothing, the
same for every model).
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any, Protocol

import numpy as np

from pose_estimation_ros.core.pose_pipeline import (
    TRACKING_OPTION_NAMES,
    PosePipeline,
    make_tracking_options,
)
from pose_estimation_ros.core.skeletons import Layout
from pose_estimation_ros.core.types import Person


class PoseEstimator(Protocol):
    """Estimates poses in one image at a time."""

    model: str
    layout: Layout

    def estimate(self, image_bgr: np.ndarray, timestamp_s: float) -> list[Person]:
        """Find people in an HxWx3 uint8 BGR image; keypoints in its pixels."""

    def warm_up(self) -> None:
        """Run the network once, so the first real frame does not pay for compilation."""

    def reset(self) -> None:
        """Forget state carried between frames (crop region, trackers)."""


MODELS: dict[str, str] = {
    "movenet_lightning": "pose_estimation_ros.core.movenet.estimator",
    "movenet_thunder": "pose_estimation_ros.core.movenet.estimator",
    "movenet_multipose": "pose_estimation_ros.core.movenet.estimator",
    "openpose_hpe0001": "pose_estimation_ros.core.openpose.estimator",
    "openpose_tfpose_mobilenet_v2_small": "pose_estimation_ros.core.openpose.estimator",
    "openpose_tfpose_mobilenet_thin": "pose_estimation_ros.core.openpose.estimator",
    "openpose_tfpose_cmu": "pose_estimation_ros.core.openpose.estimator",
}


def _family(model: str) -> ModuleType:
    if model not in MODELS:
        known = ", ".join(sorted(MODELS)) or "none"
        raise ValueError(f"unknown model {model!r}; known models: {known}")
    return importlib.import_module(MODELS[model])


def option_names(model: str) -> frozenset[str]:
    """Every option ``create_estimator`` accepts for ``model``."""
    return TRACKING_OPTION_NAMES | _family(model).OPTION_NAMES


def create_estimator(model: str, **options: Any) -> PosePipeline:
    """Build ``model`` with tracking and smoothing; ``ValueError`` for unknown names."""
    family = _family(model)
    tracking = {name: options.pop(name) for name in TRACKING_OPTION_NAMES & options.keys()}
    return PosePipeline(family.build(model, options), make_tracking_options(tracking))
