"""Reading serialized images in place agrees with rclpy's own deserializer, field by field."""

import struct

import numpy as np
import pytest
from rclpy.serialization import serialize_message
from sensor_msgs.msg import Image
from std_msgs.msg import Header

from pose_estimation_ros.nodes.conversions import image_msg_to_bgr
from pose_estimation_ros.nodes.cdr import CDR_LITTLE_ENDIAN
from pose_estimation_ros.nodes.image_cdr import ImageFields, read_image

FIELDS = ("height", "width", "encoding", "is_bigendian", "step")


def image(frame_id: str, encoding: str, width: int, height: int, step: int) -> Image:
    """Build an image of random bytes whose header and layout are the arguments."""
    msg = Image(height=height, width=width, encoding=encoding, step=step)
    msg.header = Header(frame_id=frame_id)
    msg.header.stamp.sec, msg.header.stamp.nanosec = 1_795_000_000, 123_456_789
    msg.data = np.random.default_rng(0).integers(0, 256, step * height, dtype=np.uint8).tobytes()
    return msg


# String lengths 0..4 past a 4-byte boundary, padded rows, every encoding, non-ASCII frame ids.
@pytest.mark.parametrize(
    "frame_id, encoding, width, height, step",
    [
        ("camera_optical_frame", "bgr8", 768, 576, 2304),
        ("", "rgb8", 5, 3, 16),
        ("c", "mono8", 7, 2, 8),
        ("cam", "bgra8", 3, 3, 12),
        ("came", "rgba8", 2, 1, 8),
        ("kamera_ö", "bgr8", 1, 1, 4),
        ("x", "yuv422", 4, 2, 8),
    ],
)
def test_fields_match_rclpy_deserialization(frame_id, encoding, width, height, step):
    msg = image(frame_id, encoding, width, height, step)
    serialized = serialize_message(msg)
    assert serialized[:2] == CDR_LITTLE_ENDIAN  # what the middleware here sends
    fields = read_image(serialized)
    assert isinstance(fields, ImageFields)
    assert fields.header == msg.header
    assert [getattr(fields, f) for f in FIELDS] == [getattr(msg, f) for f in FIELDS]
    assert bytes(fields.data) == bytes(msg.data)


def test_pixels_are_a_view_on_the_taken_bytes():
    msg = image("camera", "bgr8", 4, 2, 12)
    serialized = serialize_message(msg)
    fields = read_image(serialized)
    np.testing.assert_array_equal(image_msg_to_bgr(fields), image_msg_to_bgr(msg))
    assert fields.data.obj is serialized  # no copy of the pixels


def big_endian_cdr(msg: Image) -> bytes:
    """Serialize ``msg`` as big-endian CDR (encapsulation 0x0000), as a big-endian host sends."""
    out = bytearray()

    def uint32(value: int) -> None:
        out.extend(bytes(-len(out) % 4))  # CDR aligns to the size, from after encapsulation
        out.extend(struct.pack(">I", value))

    def string(text: str) -> None:
        data = text.encode() + b"\0"
        uint32(len(data))
        out.extend(data)

    out.extend(struct.pack(">iI", msg.header.stamp.sec, msg.header.stamp.nanosec))
    string(msg.header.frame_id)
    uint32(msg.height)
    uint32(msg.width)
    string(msg.encoding)
    out.append(msg.is_bigendian)
    uint32(msg.step)
    uint32(len(msg.data))
    out.extend(bytes(msg.data))
    return b"\x00\x00\x00\x00" + bytes(out)


def test_other_encapsulations_go_through_rclpy():
    msg = image("kamera_ö", "rgb8", 3, 2, 12)
    big_endian = big_endian_cdr(msg)
    assert big_endian[:2] != CDR_LITTLE_ENDIAN  # not read in place: handed to rclpy
    assert read_image(big_endian) == msg
    assert read_image(serialize_message(msg)).header == msg.header


@pytest.mark.parametrize("cut", [6, 20, 40, -1])
def test_truncated_bytes_are_a_value_error(cut):
    serialized = serialize_message(image("camera", "bgr8", 4, 2, 12))
    with pytest.raises(ValueError, match="malformed sensor_msgs/Image"):
        read_image(serialized[:cut])
