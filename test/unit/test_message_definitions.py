"""Message definitions for rosbag2, read from the installed interfaces, decode what rclpy wrote.

The oracles are independent of the code under test: rosbags parses each
definition and computes its RIHS01 hash itself (rosidl computed the one
written), and rosbags' CDR decoder reads rclpy's own serialization.
"""

from __future__ import annotations

import numpy as np
import pytest
from rclpy.serialization import serialize_message
from rosbags.typesys import Stores, get_types_from_idl, get_typestore
from sensor_msgs.msg import Image
from std_msgs.msg import Header

from pose_estimation_ros import graph
from pose_estimation_ros.core.skeletons import COCO17
from pose_estimation_ros.core.types import Person, PoseFrame
from pose_estimation_ros.nodes.conversions import pose_frame_to_msg
from pose_estimation_ros.nodes.message_definitions import (
    SEPARATOR,
    DefinitionNotFound,
    message_definition,
)

RECORDED = sorted(
    {*graph.RECORDED_TYPES.values(), "hri_msgs/msg/Skeleton2D",
     "hri_msgs/msg/NormalizedRegionOfInterest2D", "sensor_msgs/msg/CompressedImage"}
)


def typestore_from(text: str):
    """Register every section of a ``ros2idl`` definition, as rosbags' AnyReader does."""
    store = get_typestore(Stores.EMPTY)
    names = []
    for section in text.split(SEPARATOR + "\n")[1:]:
        header, idl = section.split("\n", 1)
        assert header.startswith("IDL: ")
        names.append(header.removeprefix("IDL: "))
        store.register(get_types_from_idl(idl))
    return store, names


@pytest.mark.parametrize("msgtype", RECORDED)
def test_each_recorded_type_parses_whole_and_its_hash_is_the_one_rosbags_computes(msgtype):
    definition = message_definition(msgtype)
    store, names = typestore_from(definition.text)
    assert names[0] == msgtype and len(set(names)) == len(names)
    assert definition.rihs01.startswith("RIHS01_")
    assert store.hash_rihs01(msgtype) == definition.rihs01


def test_a_pose_array_rclpy_wrote_decodes_with_the_definition():
    # COCO17_EDGES=0-1,... is the constant rosbags' .msg parser misreads: the IDL form holds it.
    person = Person(np.arange(51, dtype=np.float32).reshape(17, 3), 0.75, (1.0, 2.0, 3.0, 4.0), 7)
    header = Header(frame_id="camera_optical_frame")
    header.stamp.sec, header.stamp.nanosec = 1_796_000_000, 123_456_789
    msg = pose_frame_to_msg(PoseFrame("movenet_lightning", COCO17, 640, 480, [person]), header)
    msgtype = "pose_estimation_ros/msg/PoseArray"
    store, _ = typestore_from(message_definition(msgtype).text)
    decoded = store.deserialize_cdr(serialize_message(msg), msgtype)
    assert decoded.header.stamp.nanosec == 123_456_789
    assert (decoded.model, decoded.layout, decoded.image_width) == (msg.model, msg.layout, 640)
    assert decoded.COCO17_EDGES == msg.COCO17_EDGES
    (pose,) = decoded.poses
    assert pose.id == 7 and pose.score == pytest.approx(0.75)
    assert [k.y for k in pose.keypoints] == [k.y for k in msg.poses[0].keypoints]


def test_an_image_rclpy_wrote_decodes_with_the_definition():
    msg = Image(height=2, width=3, encoding="bgr8", step=9, data=bytes(range(18)))
    store, _ = typestore_from(message_definition("sensor_msgs/msg/Image").text)
    decoded = store.deserialize_cdr(serialize_message(msg), "sensor_msgs/msg/Image")
    assert (decoded.height, decoded.width, decoded.encoding) == (2, 3, "bgr8")
    assert bytes(decoded.data) == bytes(range(18))


@pytest.mark.parametrize(
    "msgtype, error",
    [
        ("no_such_package/msg/Thing", DefinitionNotFound),
        ("sensor_msgs/msg/NoSuchMessage", DefinitionNotFound),
        ("Image", ValueError),
    ],
)
def test_a_type_without_installed_files_is_refused(msgtype, error):
    with pytest.raises(error):
        message_definition(msgtype)
