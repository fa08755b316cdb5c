"""MoveNet estimators: SinglePose (Lightning, Thunder) and MultiPose Lightning.

Each frame goes through the stages ``core.pose_pipeline`` runs, kept apart
so they can be timed: ``preprocess`` (crop or resize to the model input),
``infer`` (the runner), ``decode`` (map to source pixels); the pipeline then
tracks and smooths, and ``end_frame`` picks the next crop from the smoothed
keypoints.

SinglePose on a fresh frame (the first, or after a scene cut or a frame with
nobody: no crop carried over) reads the whole frame, then, as the TF Hub
tutorial's cropping algorithm does within one image, reads again the crop
around the person that pass found (``refine_crop``), and that crop mirrored
(``flip_average``). ``decode`` runs these extra passes, since they depend on
the first pass's keypoints; a frame read through the carried crop gets one
pass, unless that pass loses the torso, when the frame is read afresh.
See docs/pose_node.md, "Photos, video and scene cuts".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from pose_estimation_ros.core.assets import AssetError, resolve
from pose_estimation_ros.core.filters.low_pass import LowPassFilter
from pose_estimation_ros.core.movenet import constants as C
from pose_estimation_ros.core.movenet.crop import (
    CropRegion,
    crop_and_resize,
    full_frame_region,
    next_crop_region,
    snap,
    to_source_pixels,
    torso_visible,
)
from pose_estimation_ros.core.movenet.decode import decode_multipose, decode_singlepose, pose_score
from pose_estimation_ros.core.movenet.flip import average_poses, unmirror
from pose_estimation_ros.core.movenet.options import MoveNetOptions, asset_name, make_options
from pose_estimation_ros.core.runtimes import ModelRunner, create_runner
from pose_estimation_ros.core.skeletons import COCO17, mirror_order
from pose_estimation_ros.core.types import Person, box_around

_LOG = logging.getLogger(__name__)


class MoveNetEstimator:
    """Shared inference and per-frame state; subclasses prepare inputs and decode outputs."""

    layout = COCO17

    def __init__(self, model: str, runner: ModelRunner, options: MoveNetOptions) -> None:
        """Wrap a loaded ``runner``."""
        self.model = model
        self.runner = runner
        self.options = options

    def preprocess(self, image_bgr: np.ndarray) -> tuple[np.ndarray, Any]:
        """Model input for an HxWx3 BGR image, and what ``decode`` needs to map back."""
        raise NotImplementedError

    def infer(self, inputs: np.ndarray) -> list[np.ndarray]:
        """Run the model on ``preprocess``'s input."""
        return self.runner.run(inputs)

    def decode(
        self, outputs: list[np.ndarray], context: Any, width: int, height: int
    ) -> list[Person]:
        """People in source pixels, untracked and unsmoothed."""
        raise NotImplementedError

    def end_frame(self, people: list[Person], width: int, height: int) -> None:
        """Carry state to the next frame from this frame's final people (nothing by default)."""

    def reset(self) -> None:
        """Forget state carried between frames (nothing by default)."""

    def for_stream(self) -> MoveNetEstimator:
        """Return the same loaded network with state of its own, for another camera."""
        return type(self)(self.model, self.runner, self.options)


@dataclass(frozen=True)
class FramePass:
    """What SinglePose ``decode`` needs: the region read, the frame, whether it is fresh."""

    region: CropRegion
    image_bgr: np.ndarray
    fresh: bool  # no crop carried over: the whole frame was read


class SinglePoseEstimator(MoveNetEstimator):
    """Lightning or Thunder: one person, on a centred square crop or the smart crop."""

    def __init__(
        self, model: str, runner: ModelRunner, options: MoveNetOptions, input_size: int
    ) -> None:
        """Use a square ``input_size`` input (192 Lightning, 256 Thunder)."""
        super().__init__(model, runner, options)
        self.input_size = input_size
        self._crop: CropRegion | None = None
        self._crop_filter = LowPassFilter(C.CROP_FILTER_ALPHA)
        self._mirror = mirror_order(self.layout)

    def preprocess(self, image_bgr: np.ndarray) -> tuple[np.ndarray, FramePass]:
        """Crop (last smart crop, else the full frame padded to a centred square) and resize."""
        height, width = image_bgr.shape[:2]
        region = snap(self._crop or full_frame_region(width, height))
        return self._model_input(image_bgr, region), FramePass(
            region, image_bgr, self._crop is None
        )

    def decode(
        self, outputs: list[np.ndarray], context: FramePass, width: int, height: int
    ) -> list[Person]:
        """One person in source pixels, or nobody when no keypoint is confident."""
        region = context.region
        normalised = decode_singlepose(outputs[0]).keypoints
        if self._needs_fresh_read(context, normalised):
            region, normalised = self._fresh_read(context, region, normalised)
        score = pose_score(normalised)
        if score == 0.0:
            return []
        keypoints = normalised  # decode's own array: mapped in place
        keypoints[:, :2] = to_source_pixels(keypoints[:, :2], region)
        return [Person(keypoints, score, box_around(keypoints, C.MIN_CROP_KEYPOINT_SCORE))]

    def _needs_fresh_read(self, context: FramePass, normalised: np.ndarray) -> bool:
        """Refine a fresh frame; re-read one whose carried crop (not the whole) lost the torso."""
        if not (self.options.smart_crop and self.options.refine_crop):
            return False
        if context.fresh:
            return True
        height, width = context.image_bgr.shape[:2]
        whole = context.region == snap(full_frame_region(width, height))
        return not whole and not torso_visible(normalised)

    def _fresh_read(
        self, context: FramePass, region: CropRegion, normalised: np.ndarray
    ) -> tuple[CropRegion, np.ndarray]:
        """Whole frame (unless just read), then the crop it finds, straight and mirrored.

        Without a torso in the whole frame there is no crop: the whole frame is
        read mirrored instead, unless nobody was found at all (one pass).
        """
        image = context.image_bgr
        height, width = image.shape[:2]
        if not context.fresh:
            region = snap(full_frame_region(width, height))
            normalised = self._read(image, region)
        if torso_visible(normalised):
            pixels = normalised.copy()
            pixels[:, :2] = to_source_pixels(pixels[:, :2], region)
            crop = snap(next_crop_region(pixels, width, height))  # whole frame: a big person
            if crop != region:
                region, normalised = crop, self._read(image, crop)
        elif pose_score(normalised) == 0.0:
            return region, normalised
        if self.options.flip_average:
            normalised = average_poses(normalised, self._read(image, region, mirrored=True))
        return region, normalised

    def _read(
        self, image_bgr: np.ndarray, region: CropRegion, mirrored: bool = False
    ) -> np.ndarray:
        """Run one inference on ``region``: ``(17, 3)`` x, y, score normalised to it."""
        outputs = self.infer(self._model_input(image_bgr, region, mirrored))
        keypoints = decode_singlepose(outputs[0]).keypoints
        return unmirror(keypoints, self._mirror) if mirrored else keypoints

    def _model_input(
        self, image_bgr: np.ndarray, region: CropRegion, mirrored: bool = False
    ) -> np.ndarray:
        """Resize the ``snap``-ped ``region`` to the input square, RGB, optionally mirrored."""
        crop = crop_and_resize(image_bgr, region, self.input_size)
        if mirrored:
            crop = cv2.flip(crop, 1)
        rgb = cv2.cvtColor(crop, cv2.COLOR_BGR2RGB)
        return rgb[np.newaxis].astype(self.runner.input_dtype, copy=False)

    def end_frame(self, people: list[Person], width: int, height: int) -> None:
        """Box the smoothed keypoints, choose the next crop from them; full frame when nobody."""
        if not people:
            self._forget_crop()  # tracks and filters live on until track_max_age_s
            return
        person = people[0]
        person.box = box_around(person.keypoints, C.MIN_CROP_KEYPOINT_SCORE)
        if self.options.smart_crop:
            region = next_crop_region(person.keypoints, width, height)
            self._crop = CropRegion.from_array(self._crop_filter.apply(region.as_array()))

    def reset(self) -> None:
        """Forget the crop region: the next frame is read whole."""
        self._forget_crop()

    def for_stream(self) -> SinglePoseEstimator:
        """Return the same loaded network with a crop of its own, for another camera."""
        return SinglePoseEstimator(self.model, self.runner, self.options, self.input_size)

    def _forget_crop(self) -> None:
        self._crop = None
        self._crop_filter.reset()


def multipose_input_size(width: int, height: int) -> tuple[int, int, int, int]:
    """Return MultiPose's ``(resized_w, resized_h, padded_w, padded_h)`` for an image.

    The longer side becomes ``MULTIPOSE_LONG_SIDE`` (aspect kept, at least one
    pixel a side) and each side is padded to a multiple of
    ``MULTIPOSE_SIZE_DIVISOR``: never more than 256 x 256, whatever the aspect.
    """
    scale = C.MULTIPOSE_LONG_SIDE / max(width, height)
    resized_w = max(1, round(width * scale))
    resized_h = max(1, round(height * scale))
    divisor = C.MULTIPOSE_SIZE_DIVISOR
    padded_w = -(-resized_w // divisor) * divisor
    padded_h = -(-resized_h // divisor) * divisor
    return resized_w, resized_h, padded_w, padded_h


class MultiPoseEstimator(MoveNetEstimator):
    """MultiPose Lightning: up to 6 people with boxes, on the frame resized and padded."""

    def preprocess(self, image_bgr: np.ndarray) -> tuple[np.ndarray, tuple[float, float]]:
        """Resize (longer side 256, aspect kept), pad right/bottom to multiples of 32."""
        height, width = image_bgr.shape[:2]
        resized_w, resized_h, padded_w, padded_h = multipose_input_size(width, height)
        resized = cv2.resize(image_bgr, (resized_w, resized_h), interpolation=cv2.INTER_LINEAR)
        padded = np.zeros((1, padded_h, padded_w, 3), dtype=self.runner.input_dtype)
        padded[0, :resized_h, :resized_w] = cv2.cvtColor(resized, cv2.COLOR_BGR2RGB)
        # Normalised input coordinates -> source pixels.
        return padded, (padded_w / resized_w * width, padded_h / resized_h * height)

    def decode(
        self, outputs: list[np.ndarray], context: tuple[float, float], width: int, height: int
    ) -> list[Person]:
        """Every person scored at least ``min_person_score``, best first."""
        scale_x, scale_y = context
        people = []
        for raw in decode_multipose(outputs[0], self.options.min_person_score):
            keypoints = raw.keypoints.copy()
            keypoints[:, 0] *= scale_x
            keypoints[:, 1] *= scale_y
            x_min, y_min, x_max, y_max = raw.box
            box = (x_min * scale_x, y_min * scale_y, x_max * scale_x, y_max * scale_y)
            people.append(Person(keypoints, raw.score, box))
        return people


def load_runner(model: str, options: MoveNetOptions) -> ModelRunner:
    """Load the weights (``model_path``, else the registered asset) on the chosen backend."""
    path = options.model_path or resolve(asset_name(model, options.precision))
    if "://" not in str(path) and not Path(path).exists():
        raise AssetError(f"model_path {str(path)!r} does not exist (give a file, folder or URL)")
    _LOG.info("loading %s from %s on %s", model, path, options.backend)
    return create_runner(
        options.backend,
        path,
        options.threads,
        options.inference_precision,
        options.inference_streams,
        options.intel_amx,
    )


def build(model: str, options: dict[str, Any]) -> MoveNetEstimator:
    """Build the estimator for ``model``; ``AssetError`` when its weights cannot be found."""
    merged = make_options(options)
    runner = load_runner(model, merged)
    if model == C.MULTIPOSE_MODEL:
        return MultiPoseEstimator(model, runner, merged)
    size = C.SINGLEPOSE_INPUT_SIZE[model]
    if tuple(runner.input_shape[1:3]) != (size, size):
        raise ValueError(
            f"{model} needs a [1,{size},{size},3] input, but the model file takes "
            f"{list(runner.input_shape)}: check model_path"
        )
    return SinglePoseEstimator(model, runner, merged, size)
