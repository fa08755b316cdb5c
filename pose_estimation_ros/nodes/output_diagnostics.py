"""An output node's counts, its refusals logged, and its ``/diagnostics`` status each period.

``hri_node`` and ``detections_node`` each hold an ``OutputDiagnostics``: it
counts the PoseArrays received and the messages published, logs a refused
PoseArray (at most every ``LOG_THROTTLE_S``), and once a period publishes one
status named as every node's (``nodes.node_status``): ``<node's fully
qualified name>: <role>``. ERROR when a PoseArray was refused in the period,
WARN when none arrived, OK otherwise.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from rclpy.node import Node

from pose_estimation_ros.core import topics
from pose_estimation_ros.nodes.node_status import diagnostic_array, difference, node_status

DIAGNOSTICS_PERIOD_S = 1.0
LOG_THROTTLE_S = 60.0  # a refused PoseArray is logged at most this often


@dataclass
class OutputCounts:
    """What an output node did with the PoseArrays it received."""

    poses_received: int = 0
    refused: int = 0  # malformed, no image size, a layout the output cannot take
    published: int = 0  # messages the node's output is made of


def output_status(
    node_name: str, role: str, period_s: float, counts: OutputCounts, values: Mapping[str, str]
) -> DiagnosticStatus:
    """Status of node ``node_name`` (fully qualified) for one period's ``counts``."""
    if counts.refused:
        level, message = DiagnosticStatus.ERROR, "PoseArrays refused (see the log)"
    elif not counts.poses_received:
        level, message = DiagnosticStatus.WARN, "no PoseArray arrived"
    else:
        level, message = DiagnosticStatus.OK, f"publishing {role}"
    all_values = {
        "poses_per_s": f"{counts.poses_received / period_s:.1f}",
        "published_per_s": f"{counts.published / period_s:.1f}",
        "refused": str(counts.refused),
        **values,
    }
    return node_status(node_name, role, level, message, "", all_values)


class OutputDiagnostics:
    """Counts on ``counts``; publishes ``node``'s status each ``DIAGNOSTICS_PERIOD_S``."""

    def __init__(self, node: Node, role: str, values: Callable[[], Mapping[str, str]]) -> None:
        """Publish on ``/diagnostics`` for ``node``; ``values()`` adds the node's own values."""
        self.counts = OutputCounts()
        self._reported = OutputCounts()
        self._node, self._role, self._values = node, role, values
        self._publisher = node.create_publisher(DiagnosticArray, topics.DIAGNOSTICS, 10)
        self._timer = node.create_timer(DIAGNOSTICS_PERIOD_S, self._publish)

    def refuse(self, camera: str, error: ValueError) -> None:
        """Count a PoseArray the output cannot take; log it at most every ``LOG_THROTTLE_S``."""
        self.counts.refused += 1
        where = f"{camera}/poses" if camera else "poses"
        self._node.get_logger().error(
            f"refused a PoseArray on {where}: {error}; fix its publisher ({self.counts.refused} "
            f"so far, logged at most every {LOG_THROTTLE_S:.0f} s, counted on /diagnostics)",
            throttle_duration_sec=LOG_THROTTLE_S,
        )

    def _publish(self) -> None:
        now = copy.copy(self.counts)
        period, self._reported = difference(now, self._reported), now
        status = output_status(
            self._node.get_fully_qualified_name(),
            self._role,
            DIAGNOSTICS_PERIOD_S,
            period,
            self._values(),
        )
        stamp = self._node.get_clock().now().to_msg()
        self._publisher.publish(diagnostic_array(status, stamp))
