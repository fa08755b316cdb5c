"""Estimator, then tracker, then smoother: the post-stage every model family shares.

A ``PosePipeline`` runs a family's ``StagedEstimator`` stage by stage
(``preprocess``, ``infer``, ``decode``, each callable on its own so a
benchmark can time it), gives the decoded people persistent track ids,
smooths their keypoints per track with One Euro filters, and hands the final
people back to the estimator (``end_frame``), so state carried to the next
frame, such as MoveNet's smart crop, is built from the smoothed keypoints.

Before ``estimate`` reads a frame, a scene-cut detector (``core.scene_cut``)
tells whether it is unrelated to the one before (another photo, a jump in
time, a new size); if so every state carried between frames (tracks, filters,
the estimator's own, such as MoveNet's crop) is dropped first, so an error
never carries from one unrelated image to the next. Nothing here depends on
the keypoint layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from pose_estimation_ros.core.filters.keypoint_smoother import KeypointSmoother
from pose_estimation_ros.core.options import field_names, merge_options, option
from pose_estimation_ros.core.scene_cut import (
    DEFAULT_MAX_GAP_S,
    DEFAULT_THRESHOLD,
    SceneCutDetector,
)
from pose_estimation_ros.core.skeletons import Layout
from pose_estimation_ros.core.stage_times import StageTimes, stage
from pose_estimation_ros.core.tracking.box_tracker import BoxTracker
from pose_estimation_ros.core.tracking.keypoint_tracker import KeypointTracker
from pose_estimation_ros.core.tracking.tracker import Tracker
from pose_estimation_ros.core.types import Person

TRACKER_TYPES = ("bounding_box", "keypoint")
WARM_UP_WIDTH, WARM_UP_HEIGHT = 640, 480  # px, a webcam's usual frame
# One Euro parameters for keypoints normalised to the image size (tfjs-models pose-detection
# KEYPOINT_FILTER_CONFIG, tuned for MoveNet and kept for every model).
SMOOTHING_MIN_CUTOFF = 6.36
SMOOTHING_BETA = 636.61
SMOOTHING_DERIVATE_CUTOFF = 4.77
# What ``estimate`` times into a ``StageTimes``. MoveNet SinglePose reads a fresh frame (the
# first, after a cut) again in ``postprocess``: the crop around the person, straight and mirrored.
ESTIMATE_STAGES = ("scene cut", "preprocess", "inference", "postprocess")


@dataclass(frozen=True)
class TrackingOptions:
    """Tracking and smoothing, the same for every model; see ``docs/pose_node.md``."""

    tracking: bool = option(True, "give people persistent ids across frames")
    tracker_type: str = option(
        "bounding_box",
        "similarity used to link people (box IoU, keypoint OKS)",
        choices=TRACKER_TYPES,
    )
    track_max_age_s: float = option(
        1.0,
        "release a track id after this long unseen",
        unit="s",
        min_value=0.001,
        max_value=3600.0,
    )
    smoothing: bool = option(True, "One Euro smoothing of keypoints (for video)")
    smoothing_min_cutoff: float = option(
        SMOOTHING_MIN_CUTOFF, "One Euro minimum cutoff", unit="Hz", min_value=1e-3, max_value=1e3
    )
    smoothing_beta: float = option(
        SMOOTHING_BETA, "One Euro speed coefficient", min_value=0.0, max_value=1e6
    )
    smoothing_derivate_cutoff: float = option(
        SMOOTHING_DERIVATE_CUTOFF,
        "One Euro derivative cutoff",
        unit="Hz",
        min_value=1e-3,
        max_value=1e3,
    )
    scene_cut: bool = option(
        True, "drop the crop, tracks and smoothing on a frame unrelated to the last"
    )
    scene_cut_threshold: float = option(
        DEFAULT_THRESHOLD,
        "thumbnail difference above which a frame is a cut (0 same, ~1 unrelated)",
        min_value=0.01,
        max_value=10.0,
    )
    scene_cut_max_gap_s: float = option(
        DEFAULT_MAX_GAP_S,
        "a longer gap between image stamps is a cut",
        unit="s",
        min_value=0.001,
        max_value=3600.0,
    )


TRACKING_OPTION_NAMES = field_names(TrackingOptions)


def make_tracking_options(options: dict[str, Any]) -> TrackingOptions:
    """Merge ``options`` over the defaults; ``ValueError`` naming a bad key or value."""
    return merge_options(TrackingOptions(), options, "tracking")


class StagedEstimator(Protocol):
    """What a model family provides: its stages, and state it carries between frames."""

    model: str
    layout: Layout

    def preprocess(self, image_bgr: np.ndarray) -> tuple[Any, Any]:
        """Network input for an HxWx3 BGR image, and what ``decode`` needs to map back."""

    def infer(self, inputs: Any) -> Any:
        """Run the network on ``preprocess``'s input."""

    def decode(self, outputs: Any, context: Any, width: int, height: int) -> list[Person]:
        """People in source pixels, untracked and unsmoothed."""

    def end_frame(self, people: list[Person], width: int, height: int) -> None:
        """Carry state to the next frame from this frame's final (tracked, smoothed) people."""

    def reset(self) -> None:
        """Forget state carried between frames."""

    def for_stream(self) -> StagedEstimator:
        """Return the same loaded network with state of its own, for another camera."""


def make_tracker(options: TrackingOptions, layout: Layout) -> Tracker:
    """Box-IoU or keypoint-OKS tracker, releasing ids after ``track_max_age_s``."""
    if options.tracker_type == "bounding_box":
        return BoxTracker(max_age_s=options.track_max_age_s)
    return KeypointTracker(layout, max_age_s=options.track_max_age_s)


class PosePipeline:
    """One model family's estimator followed by tracking and smoothing; a ``PoseEstimator``."""

    def __init__(self, estimator: StagedEstimator, options: TrackingOptions) -> None:
        """Wrap ``estimator``; tracks and filters start empty."""
        self.estimator = estimator
        self.model = estimator.model
        self.layout = estimator.layout
        self.options = options
        self._tracker = make_tracker(options, estimator.layout) if options.tracking else None
        self._smoother = (
            KeypointSmoother(
                options.smoothing_min_cutoff,
                options.smoothing_beta,
                options.smoothing_derivate_cutoff,
            )
            if options.smoothing
            else None
        )
        self._cuts = (
            SceneCutDetector(options.scene_cut_threshold, options.scene_cut_max_gap_s)
            if options.scene_cut
            else None
        )

    def preprocess(self, image_bgr: np.ndarray) -> tuple[Any, Any]:
        """Network input for an HxWx3 BGR image, and what ``postprocess`` needs."""
        return self.estimator.preprocess(image_bgr)

    def infer(self, inputs: Any) -> Any:
        """Run the network."""
        return self.estimator.infer(inputs)

    def postprocess(
        self, outputs: Any, context: Any, width: int, height: int, timestamp_s: float
    ) -> list[Person]:
        """Decode, track, smooth, then let the estimator carry state to the next frame."""
        people = self.estimator.decode(outputs, context, width, height)
        if self._tracker is not None:
            self._tracker.apply(people, timestamp_s)
        if self._smoother is not None:
            self._smoother.apply(people, width, height, timestamp_s)
            if self._tracker is not None:
                self._smoother.keep_only(t.track_id for t in self._tracker.tracks)
        self.estimator.end_frame(people, width, height)
        return people

    def estimate(
        self, image_bgr: np.ndarray, timestamp_s: float, times: StageTimes | None = None
    ) -> list[Person]:
        """Find people in an HxWx3 uint8 BGR image; keypoints in its pixels.

        A scene cut (with ``scene_cut`` on) first drops every carried state.
        ``times`` records each of ``ESTIMATE_STAGES`` (a benchmark's hook).
        """
        with stage(times, "scene cut"):
            cut = self._cuts is not None and self._cuts.is_cut(image_bgr, timestamp_s)
        if cut:
            self._forget()
        height, width = image_bgr.shape[:2]
        with stage(times, "preprocess"):
            inputs, context = self.preprocess(image_bgr)
        with stage(times, "inference"):
            outputs = self.infer(inputs)
        with stage(times, "postprocess"):
            return self.postprocess(outputs, context, width, height, timestamp_s)

    def warm_up(self, width: int = WARM_UP_WIDTH, height: int = WARM_UP_HEIGHT) -> None:
        """Run the network once on a blank image; no state carried between frames changes.

        Runtimes finish compiling and allocating on their first inference (OpenPose
        networks are even reshaped to the first image's size): done here, before a
        subscription opens, the first frames of a video are not lost waiting for it.
        """
        inputs, _ = self.preprocess(np.zeros((height, width, 3), np.uint8))
        self.infer(inputs)

    def for_stream(self) -> PosePipeline:
        """Return a pipeline for another camera: same network, tracks and filters of its own."""
        return PosePipeline(self.estimator.for_stream(), self.options)

    def reset(self) -> None:
        """Forget tracks, filters, the estimator's own state and the last frame seen."""
        if self._cuts is not None:
            self._cuts.reset()
        self._forget()

    def _forget(self) -> None:
        """Forget tracks, filters and the estimator's own state."""
        if self._tracker is not None:
            self._tracker.reset()
        if self._smoother is not None:
            self._smoother.reset()
        self.estimator.reset()
