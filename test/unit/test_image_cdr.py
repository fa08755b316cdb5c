"""Reading serialized images in place agrees with rclpy's own deserializer, field by field."""

from __future__ import annotations

import struct

import numpy as np
import pytest
from rclpy.serialization import serialize_message
from sensor_msgs.msg import Image
from std_msgs.msg import Header

from pose_estimation_ros.core.image_encoding import ImageEncodingError
from pose_estimation_ros.msg import Keypoint, PoseArray
from pose_estimation_ros.nodes.image_conversions import image_msg_to_bgr
from pose_estimation_ros.nodes.raw_cdr import (
    CDR_LITTLE_ENDIAN,
    ImageFields,
    LayoutError,
    header_stamp_ns,
    read_image,
)

FIELDS = ("height", "width", "encoding", "is_bigendian", "step")
ALPHABET = list("az_Z09/ öé€漢😀")  # 1- to 4-byte UTF-8: every string padding


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


def random_text(rng: np.random.Generator) -> str:
    """Return a string of 0 to 9 characters, ASCII or not."""
    return "".join(rng.choice(ALPHABET, rng.integers(0, 10)))


def random_image(seed: int) -> Image:
    """Build an image whose every field is random, pixels (0 to 40 bytes) included."""
    rng = np.random.default_rng(seed)
    height, width, step = (int(v) for v in rng.integers(0, 2**32, 3))
    msg = Image(height=height, width=width, encoding=random_text(rng), step=step)
    msg.is_bigendian = int(rng.integers(0, 256))
    msg.header = Header(frame_id=random_text(rng))
    msg.header.stamp.sec = int(rng.integers(-(2**31), 2**31))
    msg.header.stamp.nanosec = int(rng.integers(0, 1_000_000_000))
    msg.data = rng.integers(0, 256, rng.integers(0, 41), dtype=np.uint8).tobytes()
    return msg


@pytest.mark.parametrize("seed", range(40))
def test_random_images_read_as_rclpy_deserializes_them(seed):
    msg = random_image(seed)
    fields = read_image(serialize_message(msg))
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
def test_truncated_bytes_are_a_malformed_image(cut):
    serialized = serialize_message(image("camera", "bgr8", 4, 2, 12))
    with pytest.raises(ImageEncodingError, match="malformed sensor_msgs/Image") as error:
        read_image(serialized[:cut])
    assert error.value.cause == "malformed"


@pytest.mark.parametrize("seed", range(5))
def test_header_stamp_ns_of_any_header_first_message(seed):
    msg = random_image(seed)
    stamp = msg.header.stamp.sec * 1_000_000_000 + msg.header.stamp.nanosec
    assert header_stamp_ns(serialize_message(msg), Image) == stamp
    assert header_stamp_ns(big_endian_cdr(msg), Image) == stamp  # through rclpy
    assert header_stamp_ns(serialize_message(PoseArray(header=msg.header)), PoseArray) == stamp


def test_header_stamp_ns_refuses_a_message_without_a_header_first():
    with pytest.raises(LayoutError, match="Keypoint changed: field 'x' .*expects 'header'"):
        header_stamp_ns(serialize_message(Keypoint()), Keypoint)
