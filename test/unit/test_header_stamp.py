"""The pace topic: any header-first message's stamp from its bytes, its type and its QoS."""

import struct

import pytest
from geometry_msgs.msg import PointStamped
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from rclpy.serialization import serialize_message

from pose_estimation_ros.nodes.raw_cdr import header_first_stamp_ns
from pose_estimation_ros.msg import PoseArray
from pose_estimation_ros.nodes.adapted_qos import adapted_qos
from pose_estimation_ros.nodes.pace_topic import header_first_type

RELIABLE, BEST_EFFORT = ReliabilityPolicy.RELIABLE, ReliabilityPolicy.BEST_EFFORT
TRANSIENT_LOCAL, VOLATILE = DurabilityPolicy.TRANSIENT_LOCAL, DurabilityPolicy.VOLATILE


@pytest.mark.parametrize("msg_type", [PointStamped, PoseArray])
def test_the_stamp_of_a_serialized_header_first_message(msg_type):
    msg = msg_type()
    msg.header.stamp.sec, msg.header.stamp.nanosec = 1_700_000_000, 999_999_999
    msg.header.frame_id = "camera_optical_frame"
    assert header_first_stamp_ns(serialize_message(msg)) == 1_700_000_000_999_999_999


def test_big_endian_cdr_and_negative_seconds():
    serialized = b"\x00\x00\x00\x00" + struct.pack(">iI", -2, 5)
    assert header_first_stamp_ns(serialized) == -2_000_000_000 + 5


@pytest.mark.parametrize(
    "serialized, message",
    [
        (b"\x00\x03\x00\x00" + bytes(8), "not plain CDR: representation id 0003"),
        (b"\x00\x01\x00\x00" + bytes(7), "11 B is too short"),
    ],
)
def test_bytes_without_a_plain_stamp_are_refused(serialized, message):
    with pytest.raises(ValueError, match=message):
        header_first_stamp_ns(serialized)


def test_a_type_with_the_header_first_is_loaded():
    assert header_first_type("geometry_msgs/msg/PointStamped") is PointStamped


@pytest.mark.parametrize(
    "type_name, message",
    [
        ("std_msgs/msg/String", "first field must be 'std_msgs/Header header'"),
        ("std_msgs/msg/Header", "first field must be"),
        ("no_such_pkg/msg/Result", "is not installed here"),
    ],
)
def test_a_type_without_the_header_first_is_refused(type_name, message):
    with pytest.raises(ValueError, match=message):
        header_first_type(type_name)


@pytest.mark.parametrize(
    "offered, reliability, durability",
    [
        ([(RELIABLE, TRANSIENT_LOCAL)], RELIABLE, TRANSIENT_LOCAL),  # a pose node's poses
        ([(RELIABLE, TRANSIENT_LOCAL), (RELIABLE, VOLATILE)], RELIABLE, VOLATILE),
        ([(BEST_EFFORT, VOLATILE), (RELIABLE, VOLATILE)], BEST_EFFORT, VOLATILE),
        ([], RELIABLE, VOLATILE),  # no publisher yet (a recorder before the graph starts)
    ],
)
def test_the_pace_subscription_matches_every_publisher(offered, reliability, durability):
    profiles = [QoSProfile(depth=1, reliability=r, durability=d) for r, d in offered]
    qos = adapted_qos(profiles, 10)
    assert (qos.reliability, qos.durability) == (reliability, durability)
