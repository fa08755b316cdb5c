"""A serialized ``sensor_msgs/Image`` read in place: header fields parsed, pixels left as a view.

Taking an ``Image`` the usual way, rclpy builds the Python message field by
field after the middleware has delivered the serialized bytes; for a 1.3 MB
frame that is about 0.5 ms, spent again on every frame. The pose node
subscribes raw instead (rclpy hands over the serialized bytes, one copy) and
reads here the few fields it needs; the pixels stay a ``memoryview`` on those
bytes. Only little-endian plain CDR, what rmw_fastrtps and rmw_cyclonedds
send, is read here; anything else goes through rclpy's own deserializer.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from rclpy.serialization import deserialize_message
from sensor_msgs.msg import Image
from std_msgs.msg import Header

from pose_estimation_ros.core.image_encoding import ImageEncodingError
from pose_estimation_ros.nodes.raw_cdr.header import HEADER, read_header
from pose_estimation_ros.nodes.raw_cdr.layout import Field, Run, derive
from pose_estimation_ros.nodes.raw_cdr.stream import CDR_LITTLE_ENDIAN, CdrReader

_SIZE, _STEP_AND_LENGTH = derive(
    Image,
    __name__,
    HEADER,
    Run(("height", "width")),
    Field("encoding", "string"),
    Field("is_bigendian", "uint8"),
    Run(("step",), sequence=Field("data", "sequence<uint8>")),
)


@dataclass(frozen=True)
class ImageFields:
    """The fields of a ``sensor_msgs/Image``, ``data`` a view on the serialized bytes."""

    header: Header
    height: int
    width: int
    encoding: str
    is_bigendian: int
    step: int
    data: memoryview


def read_image(serialized: bytes) -> ImageFields | Image:
    """Read the image in ``serialized``: ``ImageFields`` for little-endian CDR, else a message.

    Both have the fields of ``sensor_msgs/Image``. Malformed bytes raise
    ``ImageEncodingError`` with cause ``malformed``.
    """
    if serialized[:2] != CDR_LITTLE_ENDIAN:
        return deserialize_message(serialized, Image)
    try:
        reader = CdrReader(serialized)
        header = read_header(reader)
        height, width = _SIZE.read(reader)
        encoding = reader.string()
        is_bigendian = reader.octet()
        step, size = _STEP_AND_LENGTH.read(reader)
        data = reader.take(size)
    except (struct.error, IndexError, ValueError) as error:  # ValueError: bad string or size
        raise ImageEncodingError("malformed", f"malformed sensor_msgs/Image: {error}") from None
    return ImageFields(header, height, width, encoding, is_bigendian, step, data)
