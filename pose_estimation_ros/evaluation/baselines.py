"""Plain MoveNet SinglePose baselines, as the TF Hub tutorial runs the model, on our runtime.

* ``single_pass``: one pass over the whole image, resized with padding to the
  model input (the tutorial's "single image" example).
* ``two_pass``: the tutorial's cropping algorithm on one image: a pass over
  the initial region (whole image padded to a square), then a second pass on
  the region ``determine_crop_region`` picks from the first pass's keypoints.

Neither carries anything from one image to the next. Inference goes through
``core.movenet`` (``load_runner``, ``decode_singlepose``) with the same
runtime options as the evaluated pipeline. Each pose is reported with the
pipeline's person score (``decode.pose_score``); like the pipeline, a pose
with no keypoint above 0.2 is not reported.

For an OpenPose IR model (hpe-0001) the baseline is instead Open Model Zoo's
own model wrapper and ``OpenPoseDecoder`` (``omz_openpose``,
``evaluation/omz_openpose.py``), with the same runtime options, no state.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from pose_estimation_ros.core.assets import resolve
from pose_estimation_ros.core.movenet.constants import MIN_CROP_KEYPOINT_SCORE
from pose_estimation_ros.core.movenet.constants import SINGLEPOSE_INPUT_SIZE
from pose_estimation_ros.core.movenet.decode import decode_singlepose, pose_score
from pose_estimation_ros.core.movenet.estimator import load_runner
from pose_estimation_ros.core.movenet.options import make_options
from pose_estimation_ros.core.openpose.options import make_options as openpose_options
from pose_estimation_ros.core.runtimes import ModelRunner
from pose_estimation_ros.core.skeletons import COCO17
from pose_estimation_ros.core.types import Person, box_around
from pose_estimation_ros.evaluation import tutorial_crop as tc
from pose_estimation_ros.evaluation.omz_openpose import OmzOpenPose
from pose_estimation_ros.evaluation.tutorial_resize import resize_with_pad, unpad_points

RUNTIME_OPTIONS = ("model_path", "precision", "backend", "threads", "inference_precision")
DEFAULT_SINGLEPOSE = "movenet_lightning"
BASELINES = ("single_pass", "two_pass")
OMZ_BASELINE = "omz_openpose"
OMZ_MODELS = ("openpose_hpe0001",)  # the IR the OMZ wrapper was written for
OMZ_RUNTIME_OPTIONS = ("backend", "threads", "inference_precision")


def baseline_names(model: str) -> tuple[str, ...]:
    """Name the baselines ``--baselines`` runs for ``model``."""
    return (OMZ_BASELINE,) if model in OMZ_MODELS else BASELINES


def baseline_model(model: str) -> str:
    """Pick the baselines' SinglePose model: ``model`` itself when it is one, else Lightning."""
    return model if model in SINGLEPOSE_INPUT_SIZE else DEFAULT_SINGLEPOSE


class TutorialMoveNet:
    """A SinglePose runner driven as the tutorial drives it; ``passes`` 1 or 2."""

    layout = COCO17

    def __init__(self, model: str, runner: ModelRunner, passes: int) -> None:
        """Wrap a loaded SinglePose ``runner``."""
        if passes not in (1, 2):
            raise ValueError(f"passes must be 1 or 2, got {passes}")
        self.model = model
        self.runner = runner
        self.passes = passes
        self.input_size = SINGLEPOSE_INPUT_SIZE[model]

    def _infer(self, square: np.ndarray) -> np.ndarray:
        """Normalised ``(17, 3)`` x, y, score for a float RGB square (cast to uint8 first)."""
        inputs = square.astype(np.uint8)[np.newaxis].astype(self.runner.input_dtype)
        return decode_singlepose(self.runner.run(inputs)[0]).keypoints

    def warm_up(self, width: int, height: int) -> None:
        """Run the network once on a blank input."""
        self._infer(np.zeros((self.input_size, self.input_size, 3), np.float32))

    def estimate(self, image_bgr: np.ndarray, timestamp_s: float) -> list[Person]:
        """One person in source pixels (or nobody); ``timestamp_s`` is not used."""
        rgb = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB)
        height, width = rgb.shape[:2]
        if self.passes == 1:
            square, pad = resize_with_pad(rgb, self.input_size)
            keypoints = self._infer(square).astype(np.float64)
            keypoints[:, :2] = unpad_points(keypoints[:, :2], pad, self.input_size, width, height)
        else:
            region = tc.init_crop_region(height, width)
            yx = self._pass(rgb, region)
            yx = self._pass(rgb, tc.determine_crop_region(yx, height, width))
            keypoints = yx[:, [1, 0, 2]] * (width, height, 1.0)
        keypoints = keypoints.astype(np.float32)
        score = pose_score(keypoints)
        if score == 0.0:
            return []
        return [Person(keypoints, score, box_around(keypoints, MIN_CROP_KEYPOINT_SCORE))]

    def _pass(self, rgb: np.ndarray, region: tc.CropRegion) -> np.ndarray:
        """Run one pass, as the tutorial's ``run_inference``: y, x, score on the image (0..1)."""
        crop = tc.crop_and_resize(rgb, region, self.input_size)
        return tc.to_image_coordinates(self._infer(crop)[:, [1, 0, 2]], region)


def build_omz(model: str, options: dict[str, Any]) -> OmzOpenPose:
    """Build OMZ's wrapper and decoder on ``model``'s IR with the runtime ``options``."""
    merged = openpose_options({k: v for k, v in options.items() if k in OMZ_RUNTIME_OPTIONS})
    path = options.get("model_path") or str(resolve(model))
    return OmzOpenPose(model, str(path), merged)


def build_baseline(
    name: str, model: str, options: dict[str, Any]
) -> TutorialMoveNet | OmzOpenPose:
    """Build baseline ``name`` on ``baseline_model(model)`` with the runtime ``options``."""
    if name == OMZ_BASELINE:
        return build_omz(model, options)
    single = baseline_model(model)
    # model_path names the pipeline's weights: the baselines keep them only for that same model.
    kept = RUNTIME_OPTIONS if single == model else RUNTIME_OPTIONS[1:]
    runtime = make_options({k: v for k, v in options.items() if k in kept})
    return TutorialMoveNet(single, load_runner(single, runtime), BASELINES.index(name) + 1)
