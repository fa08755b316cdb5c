"""One camera the pose node serves: its outputs, its frame handler and its image accounting.

A pose node with ``cameras: [front, rear]`` holds one ``CameraInput`` per
camera, each with its own tracks and smoothing (the estimator's
``for_stream``), its own ``PoseStats`` and its own count of frames missed
(``core.sequence_gaps``: gaps in the image sequence, split by the middleware's
count of images lost on the way); the model is shared. With no ``cameras`` the one
input has the empty name: topics in the node's own namespace, as always.
"""

from __future__ import annotations

import time

from rclpy.event_handler import QoSMessageLostInfo
from rclpy.subscription import MessageInfo

from pose_estimation_ros.core.rate_limit import RateLimiter
from pose_estimation_ros.core.sequence_gaps import MissedSplit, ReaderGaps
from pose_estimation_ros.nodes.pose_diagnostics import PoseStats
from pose_estimation_ros.nodes.pose_frame_handler import PoseFrameHandler


def publisher_id(info: MessageInfo) -> bytes | None:
    """Return the GID of the message's publisher; ``None`` when the middleware gives none."""
    gid = info.get("publisher_gid")
    data = gid.get("data") if isinstance(gid, dict) else None
    return bytes(data) if data is not None else None


class CameraInput:
    """Accounting of one camera's images, and the handler that turns them into poses."""

    def __init__(
        self, name: str, handler: PoseFrameHandler, stats: PoseStats, max_rate: float
    ) -> None:
        """Serve camera ``name``; take at most ``max_rate`` images a second (0: every one)."""
        self.name = name
        self.handler = handler
        self.stats = stats
        self._gaps = ReaderGaps()
        self._missed = MissedSplit()
        self._rate = RateLimiter(max_rate)

    def arrived(self, info: MessageInfo) -> bool:
        """Note an image and those the publisher sent before it that were never taken.

        Return whether to process it: an image over ``max_rate`` is dropped here.
        """
        self.stats.arrived(time.monotonic())
        self._missed.missed(
            self._gaps.missed(
                info.get("publication_sequence_number"),
                info.get("received_timestamp") or time.time_ns(),
                publisher_id(info),
            )
        )
        if self._rate.allow(time.monotonic()):
            return True
        self.stats.dropped()
        return False

    def lost_on_the_way(self, event: QoSMessageLostInfo) -> None:
        """Note the images the middleware says never reached the subscription."""
        self._missed.lost(event.total_count_change)

    def count_missed(self) -> None:
        """Count the images never taken since the last call: dropped (replaced) or lost."""
        replaced, lost = self._missed.split()
        if replaced:
            self.stats.dropped(replaced)
        if lost:
            self.stats.lost(lost)

    def handle(self, serialized: bytes, score_threshold: float) -> None:
        """Count the image as taken and turn it into poses."""
        self.stats.received()
        self.handler.handle(serialized, score_threshold)
