"""The pose estimator interface and the factory that builds one by model name.

Every model family (``core.families``: MoveNet, OpenPose) provides a module
with a ``build`` function ``build(model: str, options: dict) -> StagedEstimator``
and an options dataclass; the module is imported only when one of its models
is asked for (so a MoveNet user never imports the OpenPose decoder).
``create_estimator`` wraps the family's estimator in a ``PosePipeline``
(tracking and smoothing, the same for every model); ``option_specs`` lists
every option of every family and of the pipeline, once each.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from pose_estimation_ros.core.families import (
    DEFAULT_MODEL,
    FAMILIES,
    MODELS,
    Family,
    family_of,
)
from pose_estimation_ros.core.options import field_names, field_specs, shared_specs
from pose_estimation_ros.core.param_spec import ParamSpec
from pose_estimation_ros.core.pose_pipeline import (
    TRACKING_OPTION_NAMES,
    PosePipeline,
    TrackingOptions,
    make_tracking_options,
)
from pose_estimation_ros.core.skeletons import Layout
from pose_estimation_ros.core.types import Person

__all__ = [
    "DEFAULT_MODEL",
    "MODELS",
    "PoseEstimator",
    "create_estimator",
    "option_names",
    "option_specs",
]


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


def option_names(model: str) -> frozenset[str]:
    """Every option ``create_estimator`` accepts for ``model``."""
    return TRACKING_OPTION_NAMES | field_names(family_of(model).options)


def option_specs(families: Sequence[Family] = FAMILIES) -> tuple[ParamSpec, ...]:
    """Specs of every option of the pipeline and of every family, one per name."""
    return field_specs(TrackingOptions) + shared_specs(
        [(family.name, family.options) for family in families]
    )


def create_estimator(model: str, **options: Any) -> PosePipeline:
    """Build ``model`` with tracking and smoothing; ``ValueError`` for unknown names."""
    family = importlib.import_module(family_of(model).estimator)
    tracking = {name: options.pop(name) for name in TRACKING_OPTION_NAMES & options.keys()}
    return PosePipeline(family.build(model, options), make_tracking_options(tracking))
