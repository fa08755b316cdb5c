"""``PoseArray`` messages written and read as CDR bytes, without building Python messages.

The pose node publishes a ``PoseArray`` per frame and the UDP bridge takes
each one. As Python messages, that is 17 ``Keypoint`` objects per person built
and validated field by field, then converted again by rclpy on each side
(about 0.1 ms warm, several times that right after an inference, when caches
are cold). Here a person's keypoints go to and from the wire as one block of
float32 (x, y, score per keypoint, as ``Keypoint`` lays them out), so both
sides publish and subscribe raw. The bytes are exactly what rclpy would
deserialize as ``pose_estimation_ros/msg/PoseArray`` (tested both ways), so
every other subscriber sees an ordinary message.
"""

from __future__ import annotations

import struct

import numpy as np
from builtin_interfaces.msg import Time
from rclpy.serialization import deserialize_message
from std_msgs.msg import Header

from pose_estimation_ros.core.skeletons import get_layout
from pose_estimation_ros.core.types import Person, PoseFrame
from pose_estimation_ros.msg import PoseArray
from pose_estimation_ros.nodes.cdr import (
    CDR_LITTLE_ENDIAN,
    STAMP,
    UINT32,
    CdrReader,
    CdrWriter,
)
from pose_estimation_ros.nodes.conversions import msg_to_pose_frame

_IMAGE_SIZE_AND_COUNT = struct.Struct("<III")
_PERSON = struct.Struct("<ifffff")  # id, score, x_min, y_min, x_max, y_max (then keypoints)
_KEYPOINT_FLOATS = 3  # x, y, score
_FLOAT32 = np.dtype("<f4")


def serialize_pose_array(frame: PoseFrame, header: Header) -> bytes:
    """Serialize ``frame`` as a ``PoseArray`` carrying ``header`` (the source image's)."""
    writer = CdrWriter()
    writer.pack(STAMP, header.stamp.sec, header.stamp.nanosec)
    writer.string(header.frame_id)
    writer.string(frame.model)
    writer.string(frame.layout.name)
    writer.pack(_IMAGE_SIZE_AND_COUNT, frame.image_width, frame.image_height, len(frame.people))
    for person in frame.people:
        writer.pack(_PERSON, person.track_id, person.score, *person.box)
        writer.pack(UINT32, len(person.keypoints))
        writer.raw(np.ascontiguousarray(person.keypoints, dtype=_FLOAT32).tobytes())
    return bytes(writer)


def read_pose_array(serialized: bytes) -> tuple[Header, PoseFrame]:
    """Read a serialized ``PoseArray``: its header and its poses as a core ``PoseFrame``.

    ``ValueError`` for malformed bytes, an unknown layout or keypoint counts
    that do not match it (as ``conversions.msg_to_pose_frame``).
    """
    if serialized[:2] != CDR_LITTLE_ENDIAN:
        msg = deserialize_message(serialized, PoseArray)
        return msg.header, msg_to_pose_frame(msg)
    reader = CdrReader(serialized)
    try:
        sec, nanosec = reader.unpack(STAMP)
        frame_id, model, layout = reader.string(), reader.string(), reader.string()
        width, height, count = reader.unpack(_IMAGE_SIZE_AND_COUNT)
        people = []
        for _ in range(count):
            track_id, score, *box = reader.unpack(_PERSON)
            (keypoints,) = reader.unpack(UINT32)
            data = reader.take(keypoints * _KEYPOINT_FLOATS * _FLOAT32.itemsize)
            values = np.frombuffer(data, dtype=_FLOAT32).reshape(keypoints, _KEYPOINT_FLOATS)
            people.append(Person(values, score, tuple(box), track_id))
    except struct.error as error:
        raise ValueError(f"malformed PoseArray: {error}") from None
    header = Header(stamp=Time(sec=sec, nanosec=nanosec), frame_id=frame_id)
    return header, PoseFrame(model, get_layout(layout), width, height, people)
