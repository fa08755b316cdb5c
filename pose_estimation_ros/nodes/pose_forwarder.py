"""``udp_bridge_node``'s work on one ``PoseArray``: read it, encode it, send its datagrams.

Each serialized ``PoseArray`` becomes one wire format v1 frame (one stream id,
wrapping sequence numbers), split into datagrams of whole people and sent on
the bridge's non-blocking ``UdpSender``. Frames over ``max_rate`` are held
back, PoseArrays that cannot be encoded refused; both are counted on the
bridge's ``BridgeCounts``, and each problem is logged at most every
``LOG_THROTTLE_S``. The node's subscription calls ``forward`` for every
message; a benchmark times ``forward`` on the node's own forwarder.
"""

from __future__ import annotations

import secrets
import time

from rclpy.impl.rcutils_logger import RcutilsLogger

from pose_estimation_ros.core.rate_limit import RateLimiter
from pose_estimation_ros.core.udp_sender import SendOutcome, UdpSender
from pose_estimation_ros.core.wire import (
    FrameTooLargeError,
    NonFiniteValueError,
    WireHeader,
    encode_frame,
)
from pose_estimation_ros.core.wire.sequence import next_sequence
from pose_estimation_ros.nodes.bridge_diagnostics import BridgeCounts
from pose_estimation_ros.nodes.raw_cdr import read_pose_array

LOG_THROTTLE_S = 60.0  # a repeated problem (no listener, full buffer) is logged at most this often


class PoseForwarder:
    """Sends each serialized ``PoseArray`` as one frame of datagrams, counting what it refuses."""

    def __init__(
        self,
        sender: UdpSender,
        counts: BridgeCounts,
        max_datagram_bytes: int,
        max_rate: float,
        logger: RcutilsLogger,
    ) -> None:
        """Send on ``sender``, count on ``counts``; a random stream id, sequence 0 first."""
        self.stream = secrets.randbits(32)
        self._sender = sender
        self._counts = counts
        self._max_datagram_bytes = max_datagram_bytes
        self._rate = RateLimiter(max_rate)
        self._logger = logger
        self._sequence = 0
        self._refusals_logged: dict[str, float] = {}  # cause -> when it was last logged

    def forward(self, serialized: bytes) -> None:
        """Encode and send one serialized ``PoseArray`` (held back over ``max_rate``)."""
        self._counts.poses_received += 1
        if not self._rate.allow(time.monotonic()):
            self._counts.held_back_by_max_rate += 1
            return
        try:
            header, frame = read_pose_array(serialized)
            stamp = header.stamp
            datagrams = encode_frame(
                frame,
                WireHeader(self.stream, self._sequence, stamp.sec, stamp.nanosec, header.frame_id),
                self._max_datagram_bytes,
            )
        except ValueError as error:  # unknown layout, keypoint count, too large, NaN/infinite
            self._refuse(error)
            return
        self._sequence = next_sequence(self._sequence)
        outcome, error = self._sender.send_frame(datagrams)
        self._log(outcome, error)

    def _refuse(self, error: ValueError) -> None:
        """Count a PoseArray that cannot be sent; log each cause at most once a minute."""
        if isinstance(error, NonFiniteValueError):
            self._counts.non_finite += 1
        else:
            self._counts.not_encodable += 1
        cause = type(error).__name__
        now = time.monotonic()
        if now - self._refusals_logged.get(cause, -LOG_THROTTLE_S) < LOG_THROTTLE_S:
            return
        self._refusals_logged[cause] = now
        hint = "" if isinstance(error, FrameTooLargeError) else "; fix the publisher"
        self._logger.error(
            f"cannot send a PoseArray: {error}{hint} (this cause is logged at most every "
            f"{LOG_THROTTLE_S:.0f} s, counted on /diagnostics)"
        )

    def _log(self, outcome: SendOutcome, error: OSError | None) -> None:
        """Log a send that did not go out, at most every ``LOG_THROTTLE_S`` per kind."""
        host, port = self._sender.address
        counts = self._sender.counts
        if outcome is SendOutcome.REFUSED:
            self._logger.warning(
                f"nothing listens on {host}:{port} (ICMP port unreachable); poses are dropped "
                f"until a receiver starts there ({counts.frames_refused} frames refused so "
                f"far, repeated at most every {LOG_THROTTLE_S:.0f} s)",
                throttle_duration_sec=LOG_THROTTLE_S,
            )
        elif outcome is SendOutcome.WOULD_BLOCK:
            self._logger.warning(
                f"socket send buffer full: dropped {counts.datagrams_dropped} datagrams so far "
                f"rather than queue them; lower max_rate or the pose rate",
                throttle_duration_sec=LOG_THROTTLE_S,
            )
        elif outcome is SendOutcome.FAILED:
            self._logger.error(
                f"sending to {host}:{port} failed: {error}; check the host, mode and network",
                throttle_duration_sec=LOG_THROTTLE_S,
            )
