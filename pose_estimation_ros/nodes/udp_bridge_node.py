"""UDP bridge node: ``poses`` → wire format v1 datagrams for programs that do not speak ROS.

Each ``PoseArray`` becomes one frame, split into datagrams of whole people
(see ``docs/wire-format.md``), sent on a non-blocking socket: a send that
would block drops the frame's rest, a destination nobody listens on is
logged, never fatal.
"""

from __future__ import annotations

import copy
import secrets
import time
from typing import Any

import rclpy
from diagnostic_msgs.msg import DiagnosticArray
from rclpy.exceptions import InvalidParameterValueException
from rclpy.node import Node
from rclpy.qos import QoSProfile, ReliabilityPolicy

from pose_estimation_ros.core.rate_limit import RateLimiter
from pose_estimation_ros.core.udp_sender import (
    DEFAULT_MULTICAST_GROUP,
    MODES,
    Destination,
    SendCounts,
    SendOutcome,
    UdpSender,
)
from pose_estimation_ros.core.wire import (
    FrameTooLargeError,
    NonFiniteValueError,
    WireHeader,
    encode_frame,
)
from pose_estimation_ros.core.wire.schema import MAX_UDP_PAYLOAD_BYTES, MIN_DATAGRAM_BYTES
from pose_estimation_ros.core.wire.sequence import next_sequence
from pose_estimation_ros.msg import PoseArray
from pose_estimation_ros.nodes.bridge_diagnostics import (
    DIAGNOSTICS_PERIOD_S,
    BridgeCounts,
    bridge_status,
    difference,
)
from pose_estimation_ros.nodes.node_status import diagnostic_array
from pose_estimation_ros.nodes.parameters import ParamSpec, declare_parameters
from pose_estimation_ros.nodes.pose_array_cdr import read_pose_array
from pose_estimation_ros.nodes.shutdown import init_ros, stopped_by_shutdown
from pose_estimation_ros.nodes.transport import use_large_frame_transports

LOG_THROTTLE_S = 60.0  # a repeated problem (no listener, full buffer) is logged at most this often
# Every PoseArray is forwarded: reliable, and deep enough (as the pose node's history) that a
# bridge starved of CPU for a moment catches up instead of losing poses (sensor-data QoS, depth
# 5, lost about 1 in 20 under load).
POSES_QOS = QoSProfile(depth=100, reliability=ReliabilityPolicy.RELIABLE)

PARAMS = (
    ParamSpec(
        "host",
        "127.0.0.1",
        "Destination host or IPv4 address (unicast, broadcast).",
        read_only=True,
    ),
    ParamSpec("port", 4900, "Destination UDP port.", 1, 65535, read_only=True),
    ParamSpec(
        "mode",
        "unicast",
        "How to send: to host, to multicast_group, or broadcast to "
        "host (a broadcast address such as 192.168.1.255).",
        choices=MODES,
        read_only=True,
    ),
    ParamSpec(
        "multicast_group",
        DEFAULT_MULTICAST_GROUP,
        "IPv4 multicast group (mode multicast).",
        read_only=True,
    ),
    ParamSpec(
        "multicast_ttl",
        1,
        "Multicast time-to-live: 1 stays on the local network.",
        0,
        255,
        read_only=True,
    ),
    ParamSpec(
        "multicast_interface",
        "",
        "IPv4 address of the interface multicast leaves by; empty lets the OS choose.",
        read_only=True,
    ),
    ParamSpec(
        "max_datagram_bytes",
        1200,
        "Largest datagram; keep it under the path MTU (1200 is safe on the internet "
        f"and Wi-Fi); at least {MIN_DATAGRAM_BYTES}, IPv4's minimum reassembly size less the "
        "IP and UDP headers, which holds one openpose18 person.",
        MIN_DATAGRAM_BYTES,
        MAX_UDP_PAYLOAD_BYTES,
        read_only=True,
        unit="bytes",
    ),
    ParamSpec(
        "max_rate",
        0.0,
        "Most frames sent per second; frames arriving sooner are "
        "dropped. 0 sends every frame.",
        0.0,
        1000.0,
        read_only=True,
        unit="Hz",
    ),
)


class UdpBridgeNode(Node):
    """Subscribe ``poses`` and send each message as wire format v1 datagrams."""

    def __init__(self, **node_options: Any) -> None:
        """Declare parameters, open the socket and subscribe (``node_options`` go to ``Node``)."""
        super().__init__("udp_bridge_node", **node_options)
        self._sender: UdpSender | None = None  # until the parameters are known to be valid
        params = declare_parameters(self, PARAMS)
        destination = Destination(
            params["host"],
            params["port"],
            params["mode"],
            params["multicast_group"],
            params["multicast_ttl"],
            params["multicast_interface"],
        )
        self._sender = UdpSender(destination)
        self._max_datagram_bytes = params["max_datagram_bytes"]
        self._rate = RateLimiter(params["max_rate"])
        self._stream = secrets.randbits(32)
        self._sequence = 0
        self._counts = BridgeCounts()
        self._reported = (BridgeCounts(), SendCounts())
        self._refusals_logged: dict[str, float] = {}  # cause -> when it was last logged
        self._sub = self.create_subscription(
            PoseArray, "poses", self._on_poses, POSES_QOS, raw=True
        )
        self._diagnostics_pub = self.create_publisher(DiagnosticArray, "/diagnostics", 10)
        self._timer = self.create_timer(DIAGNOSTICS_PERIOD_S, self._publish_diagnostics)
        host, port = self._sender.address
        self.get_logger().info(
            f"sending poses from '{self._sub.topic_name}' to {host}:{port} ({params['mode']}), "
            f"datagrams of at most {self._max_datagram_bytes} bytes, stream id {self._stream}"
        )

    def _on_poses(self, serialized: bytes) -> None:
        self._counts.poses_received += 1
        if not self._rate.allow(time.monotonic()):
            self._counts.held_back_by_max_rate += 1
            return
        try:
            header, frame = read_pose_array(serialized)
            stamp = header.stamp
            datagrams = encode_frame(
                frame,
                WireHeader(
                    self._stream, self._sequence, stamp.sec, stamp.nanosec, header.frame_id
                ),
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
        self.get_logger().error(
            f"cannot send a PoseArray: {error}{hint} (this cause is logged at most every "
            f"{LOG_THROTTLE_S:.0f} s, counted on /diagnostics)"
        )

    def _publish_diagnostics(self) -> None:
        now = (copy.copy(self._counts), copy.copy(self._sender.counts))
        bridge, sent = (difference(a, b) for a, b in zip(now, self._reported))
        self._reported = now
        host, port = self._sender.address
        status = bridge_status(
            self.get_fully_qualified_name(), f"{host}:{port}", DIAGNOSTICS_PERIOD_S, bridge, sent
        )
        self._diagnostics_pub.publish(diagnostic_array(status, self.get_clock().now().to_msg()))

    def _log(self, outcome: SendOutcome, error: OSError | None) -> None:
        host, port = self._sender.address
        counts = self._sender.counts
        logger = self.get_logger()
        if outcome is SendOutcome.REFUSED:
            logger.warning(
                f"nothing listens on {host}:{port} (ICMP port unreachable); poses are dropped "
                f"until a receiver starts there ({counts.frames_refused} frames refused so "
                f"far, repeated at most every {LOG_THROTTLE_S:.0f} s)",
                throttle_duration_sec=LOG_THROTTLE_S,
            )
        elif outcome is SendOutcome.WOULD_BLOCK:
            logger.warning(
                f"socket send buffer full: dropped {counts.datagrams_dropped} datagrams so far "
                f"rather than queue them; lower max_rate or the pose rate",
                throttle_duration_sec=LOG_THROTTLE_S,
            )
        elif outcome is SendOutcome.FAILED:
            logger.error(
                f"sending to {host}:{port} failed: {error}; check the host, mode and network",
                throttle_duration_sec=LOG_THROTTLE_S,
            )

    def destroy_node(self) -> None:
        """Close the socket, destroy the node, then log what was sent and dropped."""
        sender, logger = self._sender, self.get_logger()
        super().destroy_node()  # first, so the summary is not published on a shut-down rosout
        if sender is None:  # the constructor failed
            return
        sender.close()
        counts = sender.counts
        logger.info(
            f"stopping: sent {counts.frames_sent} frames in {counts.datagrams_sent} datagrams, "
            f"dropped {counts.datagrams_dropped} datagrams, {counts.frames_refused} frames "
            f"refused (no listener), {counts.frames_failed} frames failed"
        )


def main(args: list[str] | None = None) -> int:
    """Run the bridge until a signal stops it; 1 when a parameter or the destination is invalid.

    Exit status: 0 after SIGINT, 143 after SIGTERM (``nodes.shutdown``).
    """
    use_large_frame_transports("udp_bridge_node")
    signals = init_ros(args)
    node = None
    try:
        node = UdpBridgeNode()
        rclpy.spin(node)
        return signals.exit_code()
    except (ValueError, InvalidParameterValueException) as error:  # bad parameter or host
        rclpy.logging.get_logger("udp_bridge_node").error(f"{error}; fix the parameter")
        return 1
    except Exception as error:  # noqa: B902 (a publish that raced the shutdown ends it too)
        if not stopped_by_shutdown(error):
            raise
        return signals.exit_code()
    finally:
        if node is not None:
            node.destroy_node()
        rclpy.try_shutdown()
