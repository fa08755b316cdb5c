"""The bridge's diagnostics: one period's counts to a status with the most severe reason."""

import pytest
from diagnostic_msgs.msg import DiagnosticStatus

from pose_estimation_ros.core.udp_sender import SendCounts
from pose_estimation_ros.nodes.bridge_diagnostics import BridgeCounts, bridge_status, difference


@pytest.mark.parametrize(
    "bridge, sent, level, words",
    [
        (BridgeCounts(10), SendCounts(10, 20), DiagnosticStatus.OK, "sending to h:1"),
        (BridgeCounts(0), SendCounts(), DiagnosticStatus.WARN, "no PoseArray"),
        (BridgeCounts(10), SendCounts(5, 5, 5), DiagnosticStatus.WARN, "send buffer full"),
        (BridgeCounts(10), SendCounts(5, 5, 5, 5), DiagnosticStatus.WARN, "nothing listens"),
        (BridgeCounts(10, 0, 1), SendCounts(5, 5, 5, 5), DiagnosticStatus.ERROR, "encoded"),
        (BridgeCounts(10, 0, 1), SendCounts(5, 5, 5, 5, 1), DiagnosticStatus.ERROR, "failed"),
    ],
)
def test_most_severe_reason_wins(bridge, sent, level, words):
    status = bridge_status("/udp_bridge_node", "h:1", 2.0, bridge, sent)
    assert status.level == level and words in status.message
    values = {kv.key: kv.value for kv in status.values}
    assert values["poses_per_s"] == f"{bridge.poses_received / 2:.1f}"
    assert status.hardware_id == "h:1"


def test_difference_is_field_by_field():
    assert difference(SendCounts(5, 9, 2, 1, 0), SendCounts(3, 4, 2, 0, 0)) == SendCounts(
        2, 5, 0, 1, 0
    )
    assert difference(BridgeCounts(7, 2, 1), BridgeCounts(7, 1, 0)) == BridgeCounts(0, 1, 1)
