"""``PoseArray`` messages written and read as CDR bytes, without building Python messages.

The pose node publishes a ``PoseArray`` per frame and the UDP bridge takes
each one. As Python messages, that is 17 ``Keypoint`` objects per person built
and validated field by field, then converted again by rclpy on each side
(about 0.1 ms warm, several times that right after an inference, when caches
are cold). Here a person's keypoints go to and from the wire as one block of
float32 (a row of ``Person.keypoints`` per keypoint, its columns in the order
``Keypoint`` lays them out), so both sides publish and subscribe raw. The
bytes are exactly what rclpy would serialize for
``pose_estimation_ros/msg/PoseArray`` (tested both ways), so every other
subscriber sees an ordinary message.
"""

from __future__ import annotations

import struct

import numpy as np
from rclpy.serialization import deserialize_message
from std_msgs.msg import Header

from pose_estimation_ros.core.skeletons import get_layout
from pose_estimation_ros.core.types import Person, PoseFrame
from pose_estimation_ros.msg import Keypoint, PersonPose, PoseArray
from pose_estimation_ros.nodes.conversions import msg_to_pose_frame
from pose_estimation_ros.nodes.raw_cdr.header import HEADER, read_header, write_header
from pose_estimation_ros.nodes.raw_cdr.layout import Field, Run, derive
from pose_estimation_ros.nodes.raw_cdr.stream import CDR_LITTLE_ENDIAN, CdrReader, CdrWriter

(_SIZE_AND_COUNT,) = derive(
    PoseArray,
    __name__,
    HEADER,
    Field("model", "string"),
    Field("layout", "string"),
    Run(
        ("image_width", "image_height"),
        sequence=Field("poses", "sequence<pose_estimation_ros/PersonPose>"),
    ),
)
(_PERSON_AND_COUNT,) = derive(
    PersonPose,
    __name__,
    Run(
        ("id", "score", "x_min", "y_min", "x_max", "y_max"),
        sequence=Field("keypoints", "sequence<pose_estimation_ros/Keypoint>"),
    ),
)
# The columns of Person.keypoints, all float32: a person's keypoints are one block.
(_KEYPOINT,) = derive(Keypoint, __name__, Run(("x", "y", "score"), types=frozenset({"float"})))
_FLOAT32 = np.dtype("<f4")


def _columns(order: tuple[int, ...]) -> slice | list[int]:
    """Index taking the keypoint columns in ``order``: a slice (a view) when it is unchanged."""
    return slice(None) if order == tuple(range(len(order))) else list(order)


_TO_MESSAGE_COLUMNS = _columns(_KEYPOINT.message_order)
_TO_CODEC_COLUMNS = _columns(_KEYPOINT.codec_order)
_KEYPOINT_FLOATS = len(_KEYPOINT.message_order)


def serialize_pose_array(frame: PoseFrame, header: Header) -> bytes:
    """Serialize ``frame`` as a ``PoseArray`` carrying ``header`` (the source image's)."""
    writer = CdrWriter()
    write_header(writer, header)
    writer.string(frame.model)
    writer.string(frame.layout.name)
    _SIZE_AND_COUNT.write(writer, (frame.image_width, frame.image_height, len(frame.people)))
    for person in frame.people:
        keypoints = np.asarray(person.keypoints, _FLOAT32)
        _PERSON_AND_COUNT.write(
            writer, (person.track_id, person.score, *person.box, len(keypoints))
        )
        writer.raw(keypoints[:, _TO_MESSAGE_COLUMNS].tobytes())
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
        header = read_header(reader)
        model, layout = reader.string(), reader.string()
        width, height, count = _SIZE_AND_COUNT.read(reader)
        people = [_read_person(reader) for _ in range(count)]
    except (struct.error, ValueError) as error:  # ValueError: bad string or size
        raise ValueError(f"malformed PoseArray: {error}") from None
    return header, PoseFrame(model, get_layout(layout), width, height, people)


def _read_person(reader: CdrReader) -> Person:
    """Read one ``PersonPose``."""
    track_id, score, *box, count = _PERSON_AND_COUNT.read(reader)
    block = reader.take(count * _KEYPOINT.layout.size)
    keypoints = np.frombuffer(block, _FLOAT32).reshape(count, _KEYPOINT_FLOATS)
    return Person(keypoints[:, _TO_CODEC_COLUMNS], score, tuple(box), track_id)
