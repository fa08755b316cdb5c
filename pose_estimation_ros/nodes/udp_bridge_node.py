"""UDP bridge node: ``poses`` → wire format v1 datagrams for programs that do not speak ROS.

Each ``PoseArray`` becomes one frame, split into datagrams of whole people
(see ``docs/wire-format.md``), sent on a non-blocking socket: a send that
would block drops the frame's rest, a destination nobody listens on is
logged, never fatal.
"""

from __future__ import annotations

import copy
from typing import Any

from diagnostic_msgs.msg import DiagnosticArray
from rclpy.exceptions import InvalidParameterValueException
from rclpy.node import Node

from pose_estimation_ros.core import topics
from pose_estimation_ros.core.options import field_names, field_specs
from pose_estimation_ros.core.udp_sender import Destination, SendCounts, UdpSender
from pose_estimation_ros.core.wire.schema import MAX_UDP_PAYLOAD_BYTES, MIN_DATAGRAM_BYTES
from pose_estimation_ros.msg import PoseArray
from pose_estimation_ros.nodes.bridge_diagnostics import (
    DIAGNOSTICS_PERIOD_S,
    BridgeCounts,
    bridge_status,
    difference,
)
from pose_estimation_ros.nodes.camera_poses import POSES_QOS, cameras_param
from pose_estimation_ros.nodes.node_main import Refusal, run_node
from pose_estimation_ros.nodes.node_status import diagnostic_array
from pose_estimation_ros.nodes.parameters import ParamSpec, declare_parameters
from pose_estimation_ros.nodes.pose_forwarder import PoseForwarder
from pose_estimation_ros.nodes.shutdown import spin_until_stopped

PARAMS = (
    cameras_param("receivers tell them apart by the frame id"),
    *field_specs(Destination),
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
        destination = Destination(**{name: params[name] for name in field_names(Destination)})
        self._sender = UdpSender(destination)
        self._counts = BridgeCounts()
        self._reported = (BridgeCounts(), SendCounts())
        max_datagram_bytes = params["max_datagram_bytes"]
        self.forwarder = PoseForwarder(
            self._sender, self._counts, max_datagram_bytes, params["max_rate"], self.get_logger()
        )
        self._subs = [
            self.create_subscription(
                PoseArray,
                topics.in_camera(camera, topics.POSES),
                self.forwarder.forward,
                POSES_QOS,
                raw=True,
            )
            for camera in params["cameras"] or ("",)
        ]
        self._diagnostics_pub = self.create_publisher(DiagnosticArray, topics.DIAGNOSTICS, 10)
        self._timer = self.create_timer(DIAGNOSTICS_PERIOD_S, self._publish_diagnostics)
        host, port = self._sender.address
        self.get_logger().info(
            f"sending poses from {', '.join(repr(s.topic_name) for s in self._subs)} to "
            f"{host}:{port} ({params['mode']}), "
            f"datagrams of at most {max_datagram_bytes} bytes, stream id {self.forwarder.stream}"
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
    refused = Refusal((ValueError, InvalidParameterValueException), "{}; fix the parameter")
    return run_node("udp_bridge_node", args, UdpBridgeNode, spin_until_stopped, [refused])
