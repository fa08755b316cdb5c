"""PoseArrays written and read as CDR are rclpy's own serialization, byte for byte, both ways."""

from __future__ import annotations

import struct

import numpy as np
import pytest
from rclpy.serialization import deserialize_message, serialize_message
from std_msgs.msg import Header

from pose_estimation_ros.core.skeletons import COCO17, LAYOUTS
from pose_estimation_ros.core.types import Person, PoseFrame
from pose_estimation_ros.msg import PoseArray
from pose_estimation_ros.nodes.conversions import pose_frame_to_msg
from pose_estimation_ros.nodes.raw_cdr import read_pose_array, serialize_pose_array

ALPHABET = list("az_Z09/ öé€漢😀")  # 1- to 4-byte UTF-8: every string padding
SEEDS = range(40)


def random_text(rng: np.random.Generator) -> str:
    """Return a string of 0 to 9 characters, ASCII or not."""
    return "".join(rng.choice(ALPHABET, rng.integers(0, 10)))


def random_header(rng: np.random.Generator) -> Header:
    """Build a header with a random stamp and frame id."""
    result = Header(frame_id=random_text(rng))
    result.stamp.sec = int(rng.integers(-(2**31), 2**31))
    result.stamp.nanosec = int(rng.integers(0, 1_000_000_000))
    return result


def random_person(rng: np.random.Generator, keypoints: int) -> Person:
    """Build a person of float32 values (read back exactly) with ``keypoints`` keypoints."""
    values = rng.uniform(-1e4, 1e4, (keypoints, 3)).astype(np.float32)
    score, *box = rng.uniform(-1e4, 1e4, 5).astype(np.float32).tolist()
    return Person(values, score, tuple(box), int(rng.integers(-(2**31), 2**31)))


def random_frame(rng: np.random.Generator) -> PoseFrame:
    """Build a frame of 0 to 5 people in a random layout, with random names and size."""
    layout = LAYOUTS[rng.choice(sorted(LAYOUTS))]
    people = [random_person(rng, layout.num_keypoints) for _ in range(rng.integers(0, 6))]
    width, height = (int(v) for v in rng.integers(0, 2**32, 2))
    return PoseFrame(random_text(rng), layout, width, height, people)


def zero_padding(serialized: bytes, msg: PoseArray) -> bytes:
    """Zero the padding after each string, which rclpy (Fast CDR) leaves uninitialized.

    In a ``PoseArray`` only the three strings (frame id, model, layout) are
    followed by padding; each is found where the one before it ended.
    """
    body = bytearray(serialized[4:])
    end = 8  # after the stamp
    for text in (msg.header.frame_id, msg.model, msg.layout):
        encoded = text.encode() + b"\0"
        start = -(-end // 4) * 4
        assert body[start:start + 4 + len(encoded)] == struct.pack("<I", len(encoded)) + encoded
        end = start + 4 + len(encoded)
        body[end:-(-end // 4) * 4] = bytes(-end % 4)
    return serialized[:4] + bytes(body)


@pytest.mark.parametrize("seed", SEEDS)
def test_written_bytes_are_rclpys(seed):
    rng = np.random.default_rng(seed)
    frame, header = random_frame(rng), random_header(rng)
    msg = pose_frame_to_msg(frame, header)
    assert serialize_pose_array(frame, header) == zero_padding(serialize_message(msg), msg)


@pytest.mark.parametrize("seed", SEEDS)
def test_rclpy_bytes_read_back_as_the_frame_and_rewrite_identically(seed):
    rng = np.random.default_rng(seed)
    frame, header = random_frame(rng), random_header(rng)
    msg = pose_frame_to_msg(frame, header)
    serialized = serialize_message(msg)
    read_header, read = read_pose_array(serialized)
    assert read_header == header
    assert (read.model, read.layout, read.image_width, read.image_height) == (
        frame.model,
        frame.layout,
        frame.image_width,
        frame.image_height,
    )
    assert len(read.people) == len(frame.people)
    for got, want in zip(read.people, frame.people):
        np.testing.assert_array_equal(got.keypoints, want.keypoints)
        assert (got.score, got.box, got.track_id) == (want.score, want.box, want.track_id)
    assert serialize_pose_array(read, read_header) == zero_padding(serialized, msg)


@pytest.mark.parametrize("seed", range(10))
def test_any_keypoint_count_is_written_as_rclpy_would(seed):
    # The codec does not check counts against the layout (PoseFrame does, on construction).
    rng = np.random.default_rng(seed)
    frame, header = random_frame(rng), random_header(rng)
    frame.people = [random_person(rng, int(rng.integers(0, 21))) for _ in range(3)]
    msg = pose_frame_to_msg(frame, header)
    assert deserialize_message(serialize_pose_array(frame, header), PoseArray) == msg
    assert serialize_pose_array(frame, header) == zero_padding(serialize_message(msg), msg)


def test_float64_keypoints_are_written_as_float32():
    frame = random_frame(np.random.default_rng(0))
    frame.people = [random_person(np.random.default_rng(1), 17)]
    as_float32 = serialize_pose_array(frame, Header())
    frame.people[0].keypoints = frame.people[0].keypoints.astype(np.float64)
    assert serialize_pose_array(frame, Header()) == as_float32


def test_malformed_bytes_and_unknown_layouts_are_value_errors():
    frame = PoseFrame("m", COCO17, 640, 480, [random_person(np.random.default_rng(0), 17)] * 2)
    serialized = serialize_pose_array(frame, Header(frame_id="camera"))
    for cut in (10, 30, 60, len(serialized) - 4):
        with pytest.raises(ValueError, match="malformed PoseArray"):
            read_pose_array(serialized[:cut])
    msg = pose_frame_to_msg(frame, Header(frame_id="camera"))
    msg.layout = "body25"
    with pytest.raises(ValueError, match="unknown keypoint layout 'body25'"):
        read_pose_array(serialize_message(msg))
