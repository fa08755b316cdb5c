"""Frames for the wire format tests: the DDS test's sample people, and varied random ones."""

import random
import sys
from pathlib import Path

import msgpack
import numpy as np

from pose_estimation_ros.core.skeletons import COCO17, OPENPOSE18
from pose_estimation_ros.core.types import Person, PoseFrame
from pose_estimation_ros.core.wire import WireHeader, encode_frame

sys.path.insert(0, str(Path(__file__).resolve().parent / "integration" / "processes"))
from publish_poses import sample_frame  # noqa: E402, F401  (re-exported)

HEADER = WireHeader(
    stream=3735928559, sequence=41, stamp_sec=1234, stamp_nanosec=567890, frame_id="camera"
)


def random_frame(rng: np.random.Generator, num_people: int, openpose: bool = False) -> PoseFrame:
    """People with random float32 values (any bit pattern a float32 can round-trip)."""
    layout = OPENPOSE18 if openpose else COCO17
    people = [
        Person(
            keypoints=rng.uniform(-10.0, 5000.0, (layout.num_keypoints, 3)).astype(np.float32),
            score=float(np.float32(rng.uniform())),
            box=tuple(float(v) for v in rng.uniform(0, 4000, 4).astype(np.float32)),
            track_id=int(rng.integers(-1, 2**31 - 1)),
        )
        for _ in range(num_people)
    ]
    return PoseFrame("movenet_multipose", layout, 3840, 2160, people)


def assert_same_frame(got: PoseFrame, want: PoseFrame) -> None:
    """Every field equal, floats bit for bit (they travel as float32)."""
    assert (got.model, got.layout, got.image_width, got.image_height) == (
        want.model,
        want.layout,
        want.image_width,
        want.image_height,
    )
    assert len(got.people) == len(want.people)
    for g, w in zip(got.people, want.people):
        assert g.track_id == w.track_id
        assert g.score == np.float32(w.score)
        assert g.box == tuple(float(np.float32(v)) for v in w.box)
        np.testing.assert_array_equal(g.keypoints, w.keypoints.astype(np.float32))


_DELETE = object()


def _repacked(changes: dict, person_changes: dict | None = None) -> bytes:
    (datagram,) = encode_frame(sample_frame(2), HEADER, 1200)
    fields = msgpack.unpackb(datagram)
    fields.update(changes)
    for key, value in (person_changes or {}).items():
        fields["people"][1][key] = value
    fields = {k: v for k, v in fields.items() if v is not _DELETE}
    return msgpack.packb(fields, use_single_float=True)


def malformed_datagrams() -> list[tuple[str, bytes, str]]:
    """(case, datagram, words the decoder's error must contain) for every kind of bad input."""
    (valid,) = encode_frame(sample_frame(2), HEADER, 1200)
    return [
        ("empty", b"", "0 bytes"),
        ("too large", b"\x80" * 70000, "must be 1..65507"),
        ("not a map", msgpack.packb([1, 2, 3]), "must be a msgpack map"),
        ("unused type byte", b"\xc1", "not valid msgpack"),
        ("truncated", valid[: len(valid) // 2], "not valid msgpack"),
        ("trailing bytes", valid + b"\x00", "bytes after"),
        ("huge array length", b"\xdd\xff\xff\xff\xff\x00", "not valid msgpack"),
        ("huge string length", b"\xdb\xff\xff\xff\xff\x00", "not valid msgpack"),
        ("huge map length", b"\xdf\xff\xff\xff\xff\x00", "not valid msgpack"),
        ("deep nesting", b"\x91" * 5000 + b"\x00", "not valid msgpack"),
        ("binary field", _repacked({"frame_id": b"camera"}), "not valid msgpack"),
        ("version 2", _repacked({"version": 2}), "unsupported wire format version 2"),
        ("no version", _repacked({"version": _DELETE}), "no 'version'"),
        ("seq is text", _repacked({"seq": "41"}), "'seq' must be an integer"),
        ("seq negative", _repacked({"seq": -1}), "'seq' is -1"),
        ("seq over 32 bits", _repacked({"seq": 2**32}), "'seq' is 4294967296"),
        ("part not below parts", _repacked({"part": 2, "parts": 2}), "'part' is 2"),
        ("no people", _repacked({"people": _DELETE}), "no 'people'"),
        ("people not an array", _repacked({"people": 5}), "'people' must be an array"),
        ("unknown layout", _repacked({"layout": "hand21"}), "unknown keypoint layout"),
        ("keypoint count", _repacked({"num_keypoints": 18}), "num_keypoints is 18"),
        ("nanosec too big", _repacked({"stamp_nanosec": 10**9}), "'stamp_nanosec'"),
        ("width is float", _repacked({"width": 640.0}), "'width' must be an integer"),
        ("short keypoints", _repacked({}, {"keypoints": [1.0] * 50}), "50 numbers, expected 51"),
        ("text keypoint", _repacked({}, {"keypoints": ["a"] * 51}), "only numbers"),
        ("box of three", _repacked({}, {"box": [1.0, 2.0, 3.0]}), "3 numbers, expected 4"),
        ("score is text", _repacked({}, {"score": "high"}), "'score' must be a number"),
        ("id too big", _repacked({}, {"id": 2**31}), "'id' is 2147483648"),
        ("person not a map", _repacked({"people": [[1, 2]]}), "must be a msgpack map"),
    ]


def mutate(rng: random.Random, datagram: bytes) -> bytes:
    """One random corruption: flip bytes, cut, splice in bytes, or overwrite a length/type byte."""
    data = bytearray(datagram)
    kind = rng.randrange(5)
    if kind == 0:
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif kind == 1:
        del data[rng.randrange(len(data)):]
    elif kind == 2:
        at = rng.randrange(len(data))
        data[at:at] = rng.randbytes(rng.randint(1, 16))
    elif kind == 3:
        at = rng.randrange(len(data))
        data[at:at + 5] = bytes([rng.choice([0xC5, 0xC6, 0xDB, 0xDD, 0xDF])]) + b"\xff" * 4
    else:
        data = bytearray(rng.randbytes(rng.randint(1, 2000)))
    return bytes(data)
