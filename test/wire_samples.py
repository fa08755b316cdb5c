"""Frames for the wire format tests: the DDS test's sample people, and varied random ones."""

import random
import struct
import sys
from dataclasses import dataclass
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


def _repacked(changes: dict, person_changes: dict | None = None, **packb) -> bytes:
    (datagram,) = encode_frame(sample_frame(2), HEADER, 1200)
    fields = msgpack.unpackb(datagram)
    fields.update(changes)
    for key, value in (person_changes or {}).items():
        fields["people"][1][key] = value
    fields = {k: v for k, v in fields.items() if v is not _DELETE}
    return msgpack.packb(fields, **{"use_single_float": True, **packb})


def _nested(levels: int) -> list:
    """``levels`` arrays inside each other around a 0."""
    value: list | int = 0
    for _ in range(levels):
        value = [value]
    return value


def _float64(value: float) -> bytes:
    return b"\xcb" + struct.pack(">d", value)


def _with_person_score(raw: bytes) -> bytes:
    """Return a valid datagram whose second person's score is the msgpack bytes ``raw``."""
    datagram = _repacked({}, {"score": 0.25})
    score = b"\xa5score\xca" + struct.pack(">f", 0.25)
    at = datagram.rindex(score) + len(b"\xa5score")
    return datagram[:at] + raw + datagram[at + 5:]


@dataclass(frozen=True)
class WireCase:
    """One row of the spec's validation table: a datagram and what every decoder must do."""

    name: str
    datagram: bytes
    accept: bool
    words: str = ""  # what the Python decoder's error says (refused cases)
    lenient: frozenset[str] = frozenset()  # receivers that cannot tell it (accept it), see docs


def _refuse(name: str, datagram: bytes, words: str, *lenient: str) -> WireCase:
    return WireCase(name, datagram, False, words, frozenset(lenient))


def wire_cases() -> list[WireCase]:
    """Every case of docs/wire-format.md's Validation section, accepted or refused."""
    (valid,) = encode_frame(sample_frame(2), HEADER, 1200)
    utf8 = msgpack.packb("camera")
    return [
        WireCase("valid frame", valid, True),
        WireCase("unknown key", _repacked({"future": {"a": [1, "x"]}}), True),
        WireCase("float64 and integer floats", _repacked({}, {"box": [1, 2.5, 3, 4]},
                                                         use_single_float=False), True),
        WireCase("nesting 16 deep", _repacked({"future": _nested(15)}), True),
        _refuse("empty", b"", "0 bytes"),
        _refuse("too large", b"\x80" * 70000, "must be 1..65507"),
        _refuse("not a map", msgpack.packb([1, 2, 3]), "must be a msgpack map"),
        _refuse("unused type byte 0xc1", b"\xc1", "unused type byte 0xc1"),
        _refuse("truncated", valid[: len(valid) // 2], "not valid msgpack"),
        _refuse("trailing bytes", valid + b"\x00", "bytes after"),
        _refuse("huge array length", b"\xdd\xff\xff\xff\xff\x00", "not valid msgpack"),
        _refuse("huge string length", b"\xdb\xff\xff\xff\xff\x00", "not valid msgpack"),
        _refuse("huge map length", b"\xdf\xff\xff\xff\xff\x00", "not valid msgpack"),
        _refuse("huge extension length", b"\xc9\xff\xff\xff\xff\x01\x00", "not valid msgpack"),
        _refuse("nesting 17 deep", _repacked({"future": _nested(16)}), "deeper than 16"),
        _refuse("nesting 5000 deep", b"\x91" * 5000 + b"\x00", "deeper than 16"),
        _refuse("binary field", _repacked({"frame_id": b"camera"}), "not valid msgpack"),
        _refuse("empty binary field", _repacked({"frame_id": b""}), "'frame_id' must be a string"),
        _refuse("extension type", _repacked({"frame_id": msgpack.ExtType(1, b"ab")}),
                "not valid msgpack"),
        _refuse("invalid UTF-8 string", valid.replace(utf8, b"\xa6camer\xff"), "utf-8"),
        _refuse("invalid UTF-8 key", valid.replace(b"\xa5model", b"\xa5mode\xc0"), "utf-8"),
        _refuse("NaN score", _with_person_score(b"\xca\x7f\xc0\x00\x00"), "finite"),
        _refuse("infinite keypoint", _repacked({}, {"keypoints": [float("inf")] * 51}), "finite"),
        _refuse("float64 beyond float32", _with_person_score(_float64(1e300) + b""), "finite"),
        _refuse("version 2", _repacked({"version": 2}), "unsupported wire format version 2"),
        _refuse("no version", _repacked({"version": _DELETE}), "no 'version'"),
        _refuse("seq is text", _repacked({"seq": "41"}), "'seq' must be an integer"),
        _refuse("seq negative", _repacked({"seq": -1}), "'seq' is -1"),
        _refuse("seq over 32 bits", _repacked({"seq": 2**32}), "'seq' is 4294967296"),
        _refuse("part not below parts", _repacked({"part": 2, "parts": 2}), "'part' is 2"),
        _refuse("parts over 256", _repacked({"parts": 257}), "'parts' is 257"),
        _refuse("parts 65535", _repacked({"parts": 65535}), "'parts' is 65535"),
        _refuse("257 people", _repacked({"people": [{}] * 257}), "257 people"),
        _refuse("no people", _repacked({"people": _DELETE}), "no 'people'"),
        _refuse("people not an array", _repacked({"people": 5}), "'people' must be an array"),
        _refuse("unknown layout", _repacked({"layout": "hand21"}), "unknown keypoint layout",
                "csharp", "js"),
        _refuse("keypoint count", _repacked({"num_keypoints": 18}), "num_keypoints is 18"),
        _refuse("nanosec too big", _repacked({"stamp_nanosec": 10**9}), "'stamp_nanosec'"),
        _refuse("width is float", _repacked({"width": 640.0}), "'width' must be an integer", "js"),
        _refuse("short keypoints", _repacked({}, {"keypoints": [1.0] * 50}),
                "50 numbers, expected 51"),
        _refuse("text keypoint", _repacked({}, {"keypoints": ["a"] * 51}), "only numbers"),
        _refuse("box of three", _repacked({}, {"box": [1.0, 2.0, 3.0]}), "3 numbers, expected 4"),
        _refuse("score is text", _repacked({}, {"score": "high"}), "'score' must be a number"),
        _refuse("id too big", _repacked({}, {"id": 2**31}), "'id' is 2147483648"),
        _refuse("person not a map", _repacked({"people": [[1, 2]]}), "must be a msgpack map"),
    ]  # fmt: skip


def malformed_datagrams() -> list[tuple[str, bytes, str]]:
    """(case, datagram, words of the error) for every refused case of ``wire_cases``."""
    return [(c.name, c.datagram, c.words) for c in wire_cases() if not c.accept]


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
