"""MoveNet options: defaults as constants, one function that validates and merges them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pose_estimation_ros.core.options import merge_options
from pose_estimation_ros.core.runtimes import BACKENDS

PRECISIONS = ("int8", "fp16")
# Weights per model and precision; a model with one file uses it whatever the precision.
ASSETS = {
    "movenet_lightning": {"int8": "movenet_lightning_int8", "fp16": "movenet_lightning_fp16"},
    "movenet_thunder": {"int8": "movenet_thunder_int8", "fp16": "movenet_thunder_fp16"},
    "movenet_multipose": {"fp16": "movenet_multipose_fp16"},
}


@dataclass(frozen=True)
class MoveNetOptions:
    """Everything a MoveNet estimator can be told; see ``docs/pose_node.md``."""

    model_path: str = ""  # a file or TF Hub handle; empty: the asset for model and precision
    precision: str = "int8"  # weights, where the model has both int8 and fp16
    backend: str = "openvino"
    threads: int = 0  # 0: the runtime chooses
    inference_precision: str = "f32"  # OpenVINO INFERENCE_PRECISION_HINT
    smart_crop: bool = True  # SinglePose: crop around the last pose
    refine_crop: bool = True  # SinglePose, fresh frame: read again a crop around the person
    flip_average: bool = True  # SinglePose, fresh frame: also read the mirrored crop, average
    min_person_score: float = 0.2  # MultiPose: people scored lower are dropped


def make_options(options: dict[str, Any]) -> MoveNetOptions:
    """Merge ``options`` over the defaults; ``ValueError`` naming a bad key or value."""
    merged = merge_options(
        MoveNetOptions(),
        options,
        "MoveNet",
        {"precision": PRECISIONS, "backend": BACKENDS},
    )
    if merged.threads < 0:
        raise ValueError("MoveNet threads must be >= 0")
    return merged


def asset_name(model: str, precision: str) -> str:
    """Asset holding ``model``'s weights at ``precision`` (its only file if it has one)."""
    by_precision = ASSETS[model]
    return by_precision.get(precision) or next(iter(by_precision.values()))
