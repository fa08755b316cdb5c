"""OpenPose options, each declared once with its spec; one function validates and merges them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pose_estimation_ros.core.openpose.constants import STRIDE
from pose_estimation_ros.core.openpose.paf_grouping import GroupingParams
from pose_estimation_ros.core.options import merge_options, option
from pose_estimation_ros.core.runtimes import inference_streams_option
from pose_estimation_ros.core.skeletons import LAYOUTS

BACKENDS = ("openvino",)
INFERENCE_PRECISIONS = ("f32", "bf16", "f16")
# Tallest network input (px): 4x the networks' own 256 or 368 rows; with the width cap of
# ``sizing.MAX_INPUT_ASPECT`` the input is at most 1024 x 4096 whatever the image.
MAX_INPUT_HEIGHT = 1024
GROUPING = GroupingParams()  # the PAF grouping's defaults: the paf_* and min_parts options'


@dataclass(frozen=True)
class OpenPoseOptions:
    """Everything an OpenPose estimator can be told; see ``docs/openpose.md``."""

    model_path: str = option("", "an IR .xml or frozen .pb; empty: the model's registered asset")
    # OpenVINO is the only runtime that reads both the IR and the .pb.
    backend: str = option("openvino", "inference runtime", choices=BACKENDS)
    threads: int = option(
        0, "inference threads; 0: the runtime chooses", min_value=0, max_value=256
    )
    inference_precision: str = option(
        "f32", "OpenVINO INFERENCE_PRECISION_HINT", choices=INFERENCE_PRECISIONS
    )
    inference_streams: int = inference_streams_option()
    input_height: int = option(
        0,
        f"network input rows, a multiple of {STRIDE}; 0: the network's own",
        unit="px",
        min_value=0,
        max_value=MAX_INPUT_HEIGHT,
    )
    peak_threshold: float = option(
        0.1, "heatmap value a keypoint candidate must exceed", min_value=0.0, max_value=1.0
    )
    paf_sample_threshold: float = option(
        GROUPING.sample_threshold,
        "PAF . limb direction a sample along a limb must exceed",
        min_value=0.0,
        max_value=1.0,
    )
    paf_min_fraction: float = option(
        GROUPING.min_fraction,
        "fraction of a limb's samples that must exceed paf_sample_threshold",
        min_value=0.0,
        max_value=1.0,
    )
    paf_num_samples: int = option(
        GROUPING.num_samples, "samples along each candidate limb", min_value=2, max_value=100
    )
    min_parts: int = option(
        GROUPING.min_parts, "drop people with fewer keypoints found", min_value=2, max_value=18
    )
    max_people: int = option(
        20,
        "publish at most this many people per image, the highest scored",
        min_value=1,
        max_value=1000,
    )
    layout: str = option(
        "openpose18",
        "keypoints published (openpose18: with the neck; coco17: MoveNet's)",
        choices=tuple(LAYOUTS),
    )
    flip_average: bool = option(
        True, "fresh frame: also run the mirrored input and average heatmaps and PAFs"
    )

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
    merged = merge_options(OpenPoseOptions(), options, "OpenPose")
    if merged.input_height % STRIDE:
        raise ValueError(
            f"OpenPose input_height must be 0 or a positive multiple of {STRIDE} "
            f"up to {MAX_INPUT_HEIGHT}"
        )
    return merged
