"""A subscription's QoS adapted to the publishers a topic has (as rosbag2 adapts its own)."""

from __future__ import annotations

from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy


def adapted_qos(offered: list[QoSProfile], depth: int) -> QoSProfile:
    """Match every publisher with the most they all offer, keeping ``depth`` messages.

    Reliable unless one is best effort; transient local when there are
    publishers and all are, so that what they published before the match comes
    too (a pace topic's first answers); volatile with no publisher yet, which
    matches whatever comes (a recorder subscribing before the graph starts).
    """
    reliable = all(qos.reliability == ReliabilityPolicy.RELIABLE for qos in offered)
    latched = bool(offered) and all(
        qos.durability == DurabilityPolicy.TRANSIENT_LOCAL for qos in offered
    )
    return QoSProfile(
        depth=depth,
        reliability=ReliabilityPolicy.RELIABLE if reliable else ReliabilityPolicy.BEST_EFFORT,
        durability=DurabilityPolicy.TRANSIENT_LOCAL if latched else DurabilityPolicy.VOLATILE,
    )
