"""UDP bridge health on ``/diagnostics``: poses in, frames out, and what was dropped and why.

Each period's counts become one status, ``bridge_status``, named as every
node's (``nodes.node_status``): ``<node's fully qualified name>: UDP bridge``.
ERROR when sending failed or a PoseArray could not be encoded (or held NaN
or infinite values), WARN when nothing listens at the destination, the send
buffer was full or no PoseArray arrived, OK otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from diagnostic_msgs.msg import DiagnosticStatus

from pose_estimation_ros.core.udp_sender import SendCounts
from pose_estimation_ros.nodes.node_status import difference, node_status

__all__ = ["BridgeCounts", "DIAGNOSTICS_PERIOD_S", "ROLE", "bridge_status", "difference"]

DIAGNOSTICS_PERIOD_S = 1.0
ROLE = "UDP bridge"  # the status is named "<node's fully qualified name>: UDP bridge"


@dataclass
class BridgeCounts:
    """What became of the PoseArrays before they reached the socket."""

    poses_received: int = 0
    held_back_by_max_rate: int = 0
    not_encodable: int = 0  # unknown layout, wrong keypoint count, beyond the frame bounds
    non_finite: int = 0  # NaN or infinite values: refused, never sent


def _level_and_message(
    bridge: BridgeCounts, sent: SendCounts, destination: str
) -> tuple[bytes, str]:
    if sent.frames_failed:
        return DiagnosticStatus.ERROR, f"sending to {destination} failed (see the log)"
    if bridge.non_finite:
        return DiagnosticStatus.ERROR, "PoseArrays with NaN or infinite values refused (log)"
    if bridge.not_encodable:
        return DiagnosticStatus.ERROR, "PoseArrays could not be encoded (see the log)"
    if sent.frames_refused:
        return DiagnosticStatus.WARN, f"nothing listens on {destination}"
    if sent.datagrams_dropped:
        return DiagnosticStatus.WARN, "send buffer full: datagrams dropped"
    if not bridge.poses_received:
        return DiagnosticStatus.WARN, "no PoseArray arrived on 'poses'"
    return DiagnosticStatus.OK, f"sending to {destination}"


def bridge_status(
    node_name: str, destination: str, period_s: float, bridge: BridgeCounts, sent: SendCounts
) -> DiagnosticStatus:
    """Status of node ``node_name`` (fully qualified) sending to ``destination``, for one period.

    ``bridge`` and ``sent`` are that period's counts.
    """
    level, message = _level_and_message(bridge, sent, destination)
    values = {
        "poses_per_s": f"{bridge.poses_received / period_s:.1f}",
        "frames_sent_per_s": f"{sent.frames_sent / period_s:.1f}",
        "datagrams_sent_per_s": f"{sent.datagrams_sent / period_s:.1f}",
        "held_back_by_max_rate": str(bridge.held_back_by_max_rate),
        "not_encodable": str(bridge.not_encodable),
        "non_finite_refused": str(bridge.non_finite),
        "frames_refused": str(sent.frames_refused),
        "frames_failed": str(sent.frames_failed),
        "datagrams_dropped": str(sent.datagrams_dropped),
    }
    return node_status(node_name, ROLE, level, message, destination, values)
