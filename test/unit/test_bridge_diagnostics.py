"""The bridge's diagnostics: one period's counts to a status with the most severe reason."""

import socket

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
        (BridgeCounts(10, 0, 0, 1), SendCounts(5, 5), DiagnosticStatus.ERROR, "NaN or infinite"),
    ],
)
def test_most_severe_reason_wins(bridge, sent, level, words):
    status = bridge_status("/udp_bridge_node", "h:1", 2.0, bridge, sent)
    assert status.level == level and words in status.message
    values = {kv.key: kv.value for kv in status.values}
    assert values["poses_per_s"] == f"{bridge.poses_received / 2:.1f}"
    assert status.hardware_id == "h:1"
    assert values["non_finite_refused"] == str(bridge.non_finite)


def test_difference_is_field_by_field():
    assert difference(SendCounts(5, 9, 2, 1, 0), SendCounts(3, 4, 2, 0, 0)) == SendCounts(
        2, 5, 0, 1, 0
    )
    assert difference(BridgeCounts(7, 2, 1), BridgeCounts(7, 1, 0)) == BridgeCounts(0, 1, 1)


def test_bridge_refuses_non_finite_poses_counts_them_and_logs_each_cause_once(
    ros_context, capfd
):
    """Send no NaN; log a NaN and a too-large frame once each, count every one."""
    from rclpy.parameter import Parameter
    from std_msgs.msg import Header
    from wire_samples import sample_frame

    from pose_estimation_ros.core.wire import decode_datagram
    from pose_estimation_ros.nodes.raw_cdr import serialize_pose_array
    from pose_estimation_ros.nodes.udp_bridge_node import UdpBridgeNode

    nan_frame = sample_frame(2)
    nan_frame.people[1].keypoints[3, 0] = float("nan")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sink:
        sink.bind(("127.0.0.1", 0))
        sink.settimeout(10)
        port = Parameter("port", value=sink.getsockname()[1])
        node = UdpBridgeNode(context=ros_context, parameter_overrides=[port])
        try:
            forward = node.forwarder.forward  # what the poses subscription calls
            for _ in range(5):
                forward(serialize_pose_array(nan_frame, Header(frame_id="cam")))
            for _ in range(3):
                forward(serialize_pose_array(sample_frame(1), Header(frame_id="x" * 2000)))
            forward(serialize_pose_array(sample_frame(1), Header(frame_id="cam")))
            assert len(decode_datagram(sink.recv(65535)).frame.people) == 1
            counts = node._counts
        finally:
            node.destroy_node()
    assert (counts.non_finite, counts.not_encodable) == (5, 3)
    log = capfd.readouterr().err
    assert log.count("cannot send a PoseArray") == 2, log
    assert "person 1 keypoints[9] is nan" in log
