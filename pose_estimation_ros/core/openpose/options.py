"""OpenPose options: defaults as constants, one function that validates and merges them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pose_estimation_ros.core.openpose.constants import STRIDE
from pose_estimation_ros.core.openpose.paf_grouping import GroupingParams
from pose_estimation_ros.core.options import merge_options
from pose_estimation_ros.core.skeletons import LAYOUTS

BACKENDS = ("openvino",)
INFERENCE_PRECISIONS = ("f32", "bf16", "f16")
# Tallest network input (px): 4x the networks' own 256 or 368 rows; with the width cap of
# ``sizing.MAX_INPUT_ASPECT`` the input is at most 1024 x 4096 whatever the image.
MAX_INPUT_HEIGHT = 1024


@dataclass(frozen=True)
class OpenPoseOptions:
    """Everything an OpenPose estimator can be told; see ``docs/openpose.md``."""

    model_path: str = ""  # an IR .xml or frozen .pb; empty: the model's registered asset
    backend: str = "openvino"  # the only runtime that reads both the IR and the .pb
    threads: int = 0  # 0: the runtime chooses
    inference_precision: str = "f32"  # OpenVINO INFERENCE_PRECISION_HINT
    input_height: int = 0  # network input rows, multiple of 8; 0: the network's own
    peak_threshold: float = 0.1  # heatmap value a keypoint candidate must exceed
    paf_sample_threshold: float = 0.05  # PAF . limb direction a sample must exceed
    paf_min_fraction: float = 0.8  # fraction of samples along a limb that must
    paf_num_samples: int = 10  # samples along each candidate limb
    min_parts: int = 4  # people with fewer keypoints are dropped
    max_people: int = 20  # at most this many people (the highest scored) per image
    layout: str = "openpose18"  # or coco17: COCO's 17 keypoints, without the neck
    flip_average: bool = True  # also run the mirrored input; average heatmaps and PAFs

    @property
    def grouping(self) -> GroupingParams:
        """The thresholds the PAF grouping needs."""
        return GroupingParams(
            num_samples=self.paf_num_samples,
            sample_threshold=self.paf_sample_threshold,
            min_fraction=self.paf_min_fraction,
            min_parts=self.min_parts,
        )


def make_options(options: dict[str, Any]) -> OpenPoseOptions:
    """Merge ``options`` over the defaults; ``ValueError`` naming a bad key or value."""
    merged = merge_options(
        OpenPoseOptions(),
        options,
        "OpenPose",
        {
            "backend": BACKENDS,
            "inference_precision": INFERENCE_PRECISIONS,
            "layout": tuple(LAYOUTS),
        },
    )
    if not 0 <= merged.input_height <= MAX_INPUT_HEIGHT or merged.input_height % STRIDE:
        raise ValueError(
            f"OpenPose input_height must be 0 or a positive multiple of {STRIDE} "
            f"up to {MAX_INPUT_HEIGHT}"
        )
    if not 0.0 <= merged.paf_min_fraction <= 1.0:
        raise ValueError("OpenPose paf_min_fraction must be in 0..1")
    if merged.paf_num_samples < 2 or merged.min_parts < 2 or merged.max_people < 1:
        raise ValueError("OpenPose paf_num_samples and min_parts must be >= 2 and max_people >= 1")
    if merged.threads < 0:
        raise ValueError("OpenPose threads must be >= 0")
    return merged
