"""The model families the core knows: their models, estimator module and options.

Adding a family is one ``Family`` here (and its package): the factory
(``core.estimator``), the pose node's parameters, the params file and the
docs tables all read this registry. Estimator modules, which load runtimes
and decoders, are imported only when one of their models is built.
"""

from __future__ import annotations

from dataclasses import dataclass

from pose_estimation_ros.core.movenet.options import MoveNetOptions
from pose_estimation_ros.core.openpose.options import OpenPoseOptions


@dataclass(frozen=True)
class Family:
    """One model family: its name, models, estimator module (with ``build``) and options."""

    name: str
    models: tuple[str, ...]
    estimator: str  # module with build(model: str, options: dict) -> StagedEstimator
    options: type  # frozen dataclass of ``core.options.option`` fields


FAMILIES = (
    Family(
        "MoveNet",
        ("movenet_lightning", "movenet_thunder", "movenet_multipose"),
        "pose_estimation_ros.core.movenet.estimator",
        MoveNetOptions,
    ),
    Family(
        "OpenPose",
        (
            "openpose_hpe0001",
            "openpose_tfpose_mobilenet_v2_small",
            "openpose_tfpose_mobilenet_thin",
            "openpose_tfpose_cmu",
        ),
        "pose_estimation_ros.core.openpose.estimator",
        OpenPoseOptions,
    ),
)
MODELS: dict[str, Family] = {model: family for family in FAMILIES for model in family.models}
DEFAULT_MODEL = next(iter(MODELS))  # the first family's first model: MoveNet Lightning


def family_of(model: str) -> Family:
    """Return the family of ``model``; ``ValueError`` naming the known models."""
    if model not in MODELS:
        known = ", ".join(sorted(MODELS)) or "none"
        raise ValueError(f"unknown model {model!r}; known models: {known}")
    return MODELS[model]
