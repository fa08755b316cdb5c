"""Wire format v1: encode → decode gives back every field; frames split into whole people."""

import re

import msgpack
import numpy as np
import pytest
from wire_samples import HEADER, assert_same_frame, random_frame, sample_frame

from pose_estimation_ros.core.wire import (
    FrameAssembler,
    FrameTooLargeError,
    NonFiniteValueError,
    WireHeader,
    decode_datagram,
    encode_frame,
)
from pose_estimation_ros.core.wire.schema import (
    MAX_FRAME_BYTES,
    MAX_PEOPLE_PER_FRAME,
    MIN_DATAGRAM_BYTES,
)


@pytest.mark.parametrize("num_people", [0, 1, 3])
def test_small_frame_is_one_datagram_with_every_field(num_people):
    frame = sample_frame(num_people)
    (datagram,) = encode_frame(frame, HEADER, 1200)
    part = decode_datagram(datagram)
    assert (part.header, part.part, part.parts) == (HEADER, 0, 1)
    assert_same_frame(part.frame, frame)


def test_floats_are_float32_on_the_wire():
    frame = sample_frame(1)
    (datagram,) = encode_frame(frame, HEADER, 1200)
    person = msgpack.unpackb(datagram)["people"][0]
    keypoints_start = datagram.rindex(b"\xa9keypoints") + len(b"\xa9keypoints")
    assert datagram[keypoints_start] == 0xDC  # array16 header of the 51 values
    assert datagram[keypoints_start + 3] == 0xCA  # msgpack float32, not 0xCB float64
    assert len(person["keypoints"]) == 17 * 3


@pytest.mark.parametrize("max_bytes", [600, 1200, 1472, 9000])
def test_twenty_people_split_into_whole_people_none_lost(max_bytes):
    frame = random_frame(np.random.default_rng(max_bytes), 20)
    datagrams = encode_frame(frame, HEADER, max_bytes)
    assert all(len(d) <= max_bytes for d in datagrams)
    parts = [decode_datagram(d) for d in datagrams]
    assert [(p.part, p.parts) for p in parts] == [(i, len(parts)) for i in range(len(parts))]
    assert all(p.header == HEADER and p.frame.model == frame.model for p in parts)
    assert sum(len(p.frame.people) for p in parts) == 20
    if max_bytes == 1200:
        assert len(parts) > 1
    header, joined = None, None
    assembler = FrameAssembler()
    for part in reversed(parts):  # any arrival order
        result = assembler.add(part)
        if result is not None:
            header, joined = result
    assert header == HEADER
    assert_same_frame(joined, frame)


def test_each_part_is_usable_on_its_own():
    frame = random_frame(np.random.default_rng(7), 9, openpose=True)
    datagrams = encode_frame(frame, HEADER, 700)
    seen = 0
    for datagram in datagrams:
        part = decode_datagram(datagram)
        people = frame.people[seen:][: len(part.frame.people)]
        seen += len(people)
        assert_same_frame(part.frame, type(frame)(frame.model, frame.layout, 3840, 2160, people))
    assert seen == 9


def test_sequence_and_stamp_extremes_round_trip():
    header = WireHeader(2**32 - 1, 2**32 - 1, -(2**31), 999_999_999, "")
    (datagram,) = encode_frame(sample_frame(1), header, 1200)
    assert decode_datagram(datagram).header == header


def test_a_person_larger_than_a_datagram_is_refused_clearly():
    frame = random_frame(np.random.default_rng(1), 1, openpose=True)
    with pytest.raises(FrameTooLargeError, match="raise max_datagram_bytes"):
        encode_frame(frame, WireHeader(1, 1, 0, 0, "x" * 100), MIN_DATAGRAM_BYTES)
    long_name = WireHeader(1, 1, 0, 0, "x" * 2000)
    with pytest.raises(FrameTooLargeError, match="frame header alone"):
        encode_frame(frame, long_name, 1200)
    for size in (MIN_DATAGRAM_BYTES - 1, 70000):
        with pytest.raises(ValueError, match="max_datagram_bytes"):
            encode_frame(frame, HEADER, size)


def test_one_openpose18_person_fits_the_smallest_datagram():
    """Widest integers everywhere, a 30-character frame_id and a 24-character model."""
    frame = random_frame(np.random.default_rng(2), 1, openpose=True)
    frame.model = "m" * 24
    frame.image_width = frame.image_height = 2**32 - 1
    frame.people[0].track_id = -(2**31)
    header = WireHeader(2**32 - 1, 2**32 - 1, -(2**31), 999_999_999, "f" * 30)
    (datagram,) = encode_frame(frame, header, MIN_DATAGRAM_BYTES)
    assert len(datagram) <= MIN_DATAGRAM_BYTES == 576 - 20 - 8
    assert_same_frame(decode_datagram(datagram).frame, frame)


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("score", float("nan"), "person 1 score[0] is nan"),
        ("box", (1.0, float("inf"), 3.0, 4.0), "person 1 box[1] is inf"),
        ("keypoints", float("-inf"), "person 1 keypoints[4] is -inf"),
        ("score", 1e39, "person 1 score[0] is inf"),  # finite, but beyond float32
    ],
)
def test_non_finite_values_are_refused_naming_the_field(field, value, words):
    frame = sample_frame(2)
    person = frame.people[1]
    if field == "keypoints":
        person.keypoints[1, 1] = value
    else:
        setattr(person, field, value)
    with pytest.raises(NonFiniteValueError, match=re.escape(words)):
        encode_frame(frame, HEADER, 1200)


def test_frames_beyond_the_receivers_bounds_are_refused():
    with pytest.raises(FrameTooLargeError, match="257 people, receivers take at most 256"):
        crowd = random_frame(np.random.default_rng(3), MAX_PEOPLE_PER_FRAME + 1)
        encode_frame(crowd, HEADER, 1200)
    crowd = random_frame(np.random.default_rng(4), 256, openpose=True)
    with pytest.raises(FrameTooLargeError, match=f"receivers take at most {MAX_FRAME_BYTES}"):
        encode_frame(crowd, WireHeader(1, 1, 0, 0, "x" * 10000), 11000)
