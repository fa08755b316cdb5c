"""MoveNet options, each declared once with its spec; one function validates and merges them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pose_estimation_ros.core.options import merge_options, option
from pose_estimation_ros.core.runtimes import BACKENDS, inference_streams_option

PRECISIONS = ("int8", "fp16")
INFERENCE_PRECISIONS = ("f32", "f16", "bf16")
# Weights per model and precision; a model with one file uses it whatever the precision.
ASSETS = {
    "movenet_lightning": {"int8": "movenet_lightning_int8", "fp16": "movenet_lightning_fp16"},
    "movenet_thunder": {"int8": "movenet_thunder_int8", "fp16": "movenet_thunder_fp16"},
    "movenet_multipose": {"fp16": "movenet_multipose_fp16"},
}


@dataclass(frozen=True)
class MoveNetOptions:
    """Everything a MoveNet estimator can be told; see ``docs/pose_node.md``."""

    model_path: str = option(
        "", "weights file (.tflite), SavedModel folder or TF Hub handle; empty: the asset"
    )
    precision: str = option(
        "int8", "weights precision, where the model has both", choices=PRECISIONS
    )
    backend: str = option("openvino", "inference runtime", choices=BACKENDS)
    threads: int = option(
        0, "inference threads; 0: the runtime chooses", min_value=0, max_value=256
    )
    inference_precision: str = option(
        "f32", "OpenVINO INFERENCE_PRECISION_HINT", choices=INFERENCE_PRECISIONS
    )
    inference_streams: int = inference_streams_option()
    intel_amx: bool = option(
        False,
        "OpenVINO on a CPU with Intel AMX (Xeon 4th generation and later): let oneDNN run the "
        "int8 layers on AMX; off, AVX-512 VNNI runs them, which took Lightning 10 to 20 % "
        "less time per inference and kept more frames of six cameras on a 2-core Xeon "
        "(docs/benchmarks.md). Set by the first model a process compiles; ONEDNN_MAX_CPU_ISA, "
        "when set, wins",
    )
    smart_crop: bool = option(True, "single-pose: crop around the last pose")
    refine_crop: bool = option(
        True,
        "single-pose, fresh frame (first, after a cut, person lost): read again a crop "
        "around the person the whole-frame pass found",
    )
    flip_average: bool = option(
        True, "single-pose, fresh frame: also read the mirrored crop and average"
    )
    min_person_score: float = option(
        0.2, "multi-pose: drop people scored lower", min_value=0.0, max_value=1.0
    )


def make_options(options: dict[str, Any]) -> MoveNetOptions:
    """Merge ``options`` over the defaults; ``ValueError`` naming a bad key or value."""
    return merge_options(MoveNetOptions(), options, "MoveNet")


def asset_name(model: str, precision: str) -> str:
    """Asset holding ``model``'s weights at ``precision`` (its only file if it has one)."""
    by_precision = ASSETS[model]
    return by_precision.get(precision) or next(iter(by_precision.values()))
