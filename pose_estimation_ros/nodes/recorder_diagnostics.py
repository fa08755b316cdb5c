"""MCAP recorder health on ``/diagnostics``: per topic, messages received, written and lost.

One status, ``recorder_status``, named as every node's (``nodes.node_status``):
``<node's fully qualified name>: MCAP recorder``, with one value per recorded
topic (``received 120, written 120, lost 0, 0 sent before subscribed``). The
counts are totals since the recording started, and so is the level: a bag that
missed a message stays incomplete. ERROR once a message was lost on its way (a gap in a publisher's
sequence numbers, or the middleware reporting lost messages) or could not be
written, or while a topic given with its type is published with another (it
is never recorded); WARN while a topic has more than one type or one given
without a type has no publisher yet; OK otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from diagnostic_msgs.msg import DiagnosticStatus

from pose_estimation_ros.core.topic_selection import Scan
from pose_estimation_ros.nodes.node_status import node_status

ROLE = "MCAP recorder"  # the status is named "<node's fully qualified name>: MCAP recorder"


@dataclass
class TopicCounts:
    """What became of one topic's messages since it was subscribed."""

    received: int = 0
    written: int = 0
    lost: int = 0  # never received: sequence gaps and the middleware's lost events, once each
    # Sent by a publisher before the recorder heard it first (a body's first messages while a
    # scan had not found its topic; a node that started before the recording): not lost.
    before_subscribed: int = 0

    @property
    def not_written(self) -> int:
        """Messages received that the writer refused (see the log)."""
        return self.received - self.written

    def summary(self) -> str:
        """Return ``received N, written N, lost N, N sent before subscribed``."""
        return (
            f"received {self.received}, written {self.written}, lost {self.lost}, "
            f"{self.before_subscribed} sent before subscribed"
        )


def _level_and_message(counts: Mapping[str, TopicCounts], scan: Scan) -> tuple[bytes, str]:
    lost = sorted(topic for topic, c in counts.items() if c.lost)
    failed = sorted(topic for topic, c in counts.items() if c.not_written)
    if failed:
        return DiagnosticStatus.ERROR, f"messages not written (see the log): {', '.join(failed)}"
    if lost:
        return DiagnosticStatus.ERROR, f"messages lost before the recorder: {', '.join(lost)}"
    if scan.other_type:
        return DiagnosticStatus.ERROR, f"published with another type: {', '.join(scan.other_type)}"
    if scan.several_types:
        several = ", ".join(scan.several_types)
        return DiagnosticStatus.WARN, f"not recorded, several types: {several}"
    if scan.waiting_for:
        return DiagnosticStatus.WARN, f"waiting for publishers of {', '.join(scan.waiting_for)}"
    return DiagnosticStatus.OK, f"recording {len(counts)} topics"


def recorder_status(
    node_name: str,
    path: str,
    counts: Mapping[str, TopicCounts],
    scan: Scan,
) -> DiagnosticStatus:
    """Status of recorder ``node_name`` (fully qualified) writing the bag ``path``.

    ``scan`` is the last scan of the graph (``core.topic_selection``): what it left out.
    """
    level, message = _level_and_message(counts, scan)
    values = {topic: counts[topic].summary() for topic in sorted(counts)}
    return node_status(node_name, ROLE, level, message, path, values)
