"""Wire format v1: encode → decode gives back every field; frames split into whole people."""

import msgpack
import numpy as np
import pytest
from wire_samples import HEADER, assert_same_frame, random_frame, sample_frame

from pose_estimation_ros.core.wire import (
    FrameAssembler,
    FrameTooLargeError,
    WireHeader,
    decode_datagram,
    encode_frame,
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
        encode_frame(frame, HEADER, 300)
    long_name = WireHeader(1, 1, 0, 0, "x" * 2000)
    with pytest.raises(FrameTooLargeError, match="frame header alone"):
        encode_frame(frame, long_name, 1200)
    with pytest.raises(ValueError, match="max_datagram_bytes"):
        encode_frame(frame, HEADER, 70000)
