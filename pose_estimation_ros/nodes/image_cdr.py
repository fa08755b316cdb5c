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

from builtin_interfaces.msg import Time
from rclpy.serialization import deserialize_message
from sensor_msgs.msg import Image
from std_msgs.msg import Header

from pose_estimation_ros.core.image_encoding import ImageEncodingError

CDR_LITTLE_ENDIAN = b"\x00\x01"  # RTPS encapsulation id of plain little-endian CDR
_ENCAPSULATION_BYTES = 4
_UINT32_PAIR = struct.Struct("<II")
_STAMP_AND_LENGTH = struct.Struct("<iII")
_SIZE_AND_LENGTH = struct.Struct("<III")


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


class _Reader:
    """Reads CDR fields in order; alignment is counted from the end of the encapsulation."""

    def __init__(self, body: memoryview) -> None:
        """Start at the first field of ``body``."""
        self.body = body
        self.offset = 0

    def unpack(self, layout: struct.Struct) -> tuple:
        """Unpack ``layout`` (4-byte fields) at the next 4-byte boundary."""
        self.offset = (self.offset + 3) & ~3
        values = layout.unpack_from(self.body, self.offset)
        self.offset += layout.size
        return values

    def string(self, length: int) -> str:
        """Read a string of ``length`` bytes, its terminating NUL included, right here."""
        if length == 0 or self.offset + length > len(self.body):
            raise ValueError(f"string of {length} B at offset {self.offset}")
        end = self.offset + length
        text = bytes(self.body[self.offset:end - 1]).decode()
        self.offset = end
        return text

    def octet(self) -> int:
        """Read one byte, right here."""
        value = self.body[self.offset]
        self.offset += 1
        return value


def read_image(serialized: bytes) -> ImageFields | Image:
    """Read the image in ``serialized``: ``ImageFields`` for little-endian CDR, else a message.

    Both have the fields of ``sensor_msgs/Image``. Malformed bytes raise
    ``ImageEncodingError`` with cause ``malformed``.
    """
    if serialized[:2] != CDR_LITTLE_ENDIAN:
        return deserialize_message(serialized, Image)
    try:
        reader = _Reader(memoryview(serialized)[_ENCAPSULATION_BYTES:])
        sec, nanosec, length = reader.unpack(_STAMP_AND_LENGTH)
        frame_id = reader.string(length)
        height, width, length = reader.unpack(_SIZE_AND_LENGTH)
        encoding = reader.string(length)
        is_bigendian = reader.octet()
        step, size = reader.unpack(_UINT32_PAIR)
    except (struct.error, IndexError, ValueError) as error:  # ValueError: bad string
        raise ImageEncodingError("malformed", f"malformed sensor_msgs/Image: {error}") from None
    start = reader.offset
    data = reader.body[start:start + size]
    if len(data) != size:
        raise ImageEncodingError(
            "malformed", f"malformed sensor_msgs/Image: {size} B of data announced, {len(data)}"
        )
    header = Header(stamp=Time(sec=sec, nanosec=nanosec), frame_id=frame_id)
    return ImageFields(header, height, width, encoding, is_bigendian, step, data)
