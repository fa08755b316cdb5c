"""``pose_node``'s work on one image, from its serialized bytes to the messages it publishes.

Read the image (raw or compressed: ``nodes.image_transports``), estimate,
publish the ``PoseArray``, then markers and the annotated image while someone
subscribes to them; count rejected images and failed inferences on the node's
``PoseStats``. The node calls ``handle`` for every image it takes; a benchmark
builds the same handler with a ``StageTimes`` to time each stage of it
(``FRAME_STAGES``, then ``SUBSCRIBED_STAGES``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from rclpy.impl.rcutils_logger import RcutilsLogger
from rclpy.publisher import Publisher

from pose_estimation_ros.core.drawing import draw_people
from pose_estimation_ros.core.image_encoding import ImageEncodingError
from pose_estimation_ros.core.pose_pipeline import ESTIMATE_STAGES, PosePipeline
from pose_estimation_ros.core.stage_times import StageTimes, stage
from pose_estimation_ros.core.types import PoseFrame
from pose_estimation_ros.nodes.image_conversions import bgr_to_image_msg
from pose_estimation_ros.nodes.markers import people_markers
from pose_estimation_ros.nodes.pose_diagnostics import PoseStats, ProblemNotices
from pose_estimation_ros.nodes.raw_cdr import serialize_pose_array

FRAME_STAGES = ("read", *ESTIMATE_STAGES, "publishing")  # what every frame goes through
SUBSCRIBED_STAGES = ("markers", "annotated")  # built only while someone subscribes to them


@dataclass(frozen=True)
class PoseOutputs:
    """Where a frame's results go: ``poses``, ``pose_markers``, ``image_annotated`` (optional)."""

    poses: Publisher
    markers: Publisher
    annotated: Publisher | None = None

    def publishers(self) -> list[Publisher]:
        """Return every publisher there is (``annotated`` only when asked for)."""
        return [p for p in (self.poses, self.markers, self.annotated) if p is not None]


class PoseFrameHandler:
    """Turns one serialized image into published poses, as ``pose_node`` does for each."""

    def __init__(
        self,
        estimator: PosePipeline,
        read: Callable[[bytes], tuple[Any, np.ndarray]],
        outputs: PoseOutputs,
        stats: PoseStats,
        notices: ProblemNotices,
        logger: RcutilsLogger,
        times: StageTimes | None = None,
    ) -> None:
        """Estimate with ``estimator`` images read by ``read``; ``times`` records each stage.

        Rejected images and failures are counted on ``stats``, each problem logged once
        (``notices``).
        """
        self.estimator = estimator
        self.times = times
        self._read = read  # serialized image -> (msg with header, BGR image)
        self._outputs = outputs
        self._stats = stats
        self._notices = notices
        self._logger = logger

    def handle(self, serialized: bytes, score_threshold: float) -> None:
        """Read, estimate, publish one image; markers and drawing omit joints scored lower."""
        times = self.times
        try:
            with stage(times, "read"):
                msg, image = self._read(serialized)  # raw or compressed; msg has the header
        except ImageEncodingError as error:
            self._stats.rejected(str(error))
            notice = self._notices.first(error.problem, str(error))
            if notice:
                self._logger.warning(notice)
            return
        stamp = msg.header.stamp
        timestamp_s = stamp.sec + stamp.nanosec * 1e-9 or time.monotonic()
        started = time.perf_counter()
        try:
            people = self.estimator.estimate(image, timestamp_s, times)
        except Exception as error:  # noqa: BLE001 (a bad frame must not kill the node)
            self._stats.failed()
            self._logger.error(f"inference failed: {error!r}", throttle_duration_sec=10.0)
            return
        self._stats.processed((time.perf_counter() - started) * 1e3)
        estimator, outputs = self.estimator, self._outputs
        height, width = image.shape[:2]
        with stage(times, "publishing"):
            frame = PoseFrame(estimator.model, estimator.layout, width, height, people)
            outputs.poses.publish(serialize_pose_array(frame, msg.header))
        if stamp.sec or stamp.nanosec:
            self._stats.published((time.time() - timestamp_s) * 1e3)
        if outputs.markers.get_subscription_count():  # building markers costs ~1 ms
            with stage(times, "markers"):
                markers = people_markers(people, estimator.layout, msg.header, score_threshold)
                outputs.markers.publish(markers)
        if outputs.annotated is not None and outputs.annotated.get_subscription_count():
            with stage(times, "annotated"):
                drawn = draw_people(image, people, estimator.layout, score_threshold)
                outputs.annotated.publish(bgr_to_image_msg(drawn, msg.header))
