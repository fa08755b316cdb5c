"""Decode and validate one wire format v1 datagram; ``WireFormatError`` says what is wrong.

Allocation is bounded: the datagram size is checked first, and msgpack is
told that no string, array or map can be longer than the datagram itself,
so a forged length (``array32`` claiming 4 billion items) is refused before
anything is allocated. Nesting, people per datagram and ``parts`` are bounded
as ``schema`` says, and every float must stay finite as a float32.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgpack
import numpy as np

from pose_estimation_ros.core.skeletons import get_layout
from pose_estimation_ros.core.types import Person, PoseFrame
from pose_estimation_ros.core.wire import schema as s


# Words for msgpack's exceptions whose own text is empty.
_MSGPACK_ERRORS = {
    msgpack.StackError: f"containers nested deeper than {s.MAX_NESTING_DEPTH} levels",
    msgpack.FormatError: "it holds the unused type byte 0xc1",
    msgpack.OutOfData: "it ends in the middle of a value",
}


def _msgpack_words(error: Exception) -> str:
    """Say what is wrong, also when msgpack's exception has no text."""
    for kind, words in _MSGPACK_ERRORS.items():
        if isinstance(error, kind):
            return f"{words} ({error})" if str(error) else words
    return str(error) or type(error).__name__


def _depth(value: Any, limit: int) -> int:
    """Containers nested in ``value`` (itself included), counting no further than ``limit + 1``."""
    if isinstance(value, dict):
        children: Any = value.values()
    elif isinstance(value, list):
        children = value
    else:
        return 0
    if limit <= 0:
        return 1
    return 1 + max((_depth(child, limit - 1) for child in children), default=0)


def _check_nesting(mapping: Mapping[str, Any], known: frozenset[str], level: int) -> None:
    """Refuse unknown keys whose values nest containers too deep (``mapping`` is at ``level``).

    Known keys need no walk: their values' shapes are checked one by one.
    """
    room = s.MAX_NESTING_DEPTH - level
    for key, value in mapping.items():
        if key not in known and _depth(value, room) > room:
            raise s.WireFormatError(
                f"datagram nests containers deeper than {s.MAX_NESTING_DEPTH} levels "
                f"(under key {key!r})"
            )


def _unpack(data: bytes) -> Any:
    size = len(data)
    try:
        return msgpack.unpackb(
            data,
            raw=False,
            strict_map_key=True,
            use_list=True,
            max_str_len=size,
            max_bin_len=0,
            max_ext_len=0,
            max_array_len=size,
            max_map_len=size // 2,
        )
    except msgpack.ExtraData:
        raise s.WireFormatError("datagram has bytes after its msgpack map") from None
    except (ValueError, msgpack.UnpackException) as error:
        # msgpack reports truncation, bad type bytes, over-long lengths, bad UTF-8
        # and too-deep nesting as ValueError or UnpackException subclasses.
        words = _msgpack_words(error)
        raise s.WireFormatError(f"datagram is not valid msgpack: {words}") from None


def _require(mapping: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in mapping:
        raise s.WireFormatError(f"{where} has no {key!r} field")
    return mapping[key]


def _int(mapping: Mapping[str, Any], key: str, where: str, low: int, high: int) -> int:
    value = _require(mapping, key, where)
    if not isinstance(value, int) or isinstance(value, bool):
        raise s.WireFormatError(f"{where} field {key!r} must be an integer, got {value!r}")
    if not low <= value <= high:
        raise s.WireFormatError(f"{where} field {key!r} is {value}, must be in {low}..{high}")
    return value


def _str(mapping: Mapping[str, Any], key: str, where: str) -> str:
    value = _require(mapping, key, where)
    if not isinstance(value, str):
        raise s.WireFormatError(f"{where} field {key!r} must be a string, got {value!r}")
    return value


_NUMBER_TYPES = {int, float}  # msgpack ints and floats; bool is a separate type here


def _is_number(value: Any) -> bool:
    return type(value) in _NUMBER_TYPES


def _float(mapping: Mapping[str, Any], key: str, where: str) -> float:
    value = _require(mapping, key, where)
    if not _is_number(value):
        raise s.WireFormatError(f"{where} field {key!r} must be a number, got {value!r}")
    return float(_finite(np.asarray([value]), where, key)[0])


def _floats(mapping: Mapping[str, Any], key: str, where: str, count: int) -> np.ndarray:
    value = _require(mapping, key, where)
    if not isinstance(value, list):
        raise s.WireFormatError(f"{where} field {key!r} must be an array of numbers")
    if len(value) != count:
        raise s.WireFormatError(
            f"{where} field {key!r} has {len(value)} numbers, expected {count}"
        )
    if not {type(v) for v in value} <= _NUMBER_TYPES:
        raise s.WireFormatError(f"{where} field {key!r} must hold only numbers")
    return _finite(np.asarray(value, dtype=np.float64), where, key)


def _finite(values: np.ndarray, where: str, key: str) -> np.ndarray:
    """Return ``values`` as float32; ``WireFormatError`` for NaN, infinities or overflow."""
    with np.errstate(over="ignore", invalid="ignore"):  # overflow to inf is refused just below
        converted = values.astype(np.float32)
    bad = np.flatnonzero(~np.isfinite(converted))
    if bad.size:
        raise s.WireFormatError(
            f"{where} field {key!r} holds {float(values[bad[0]])}: floats must be finite float32"
        )
    return converted


def _map(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise s.WireFormatError(f"{where} must be a msgpack map, got {type(value).__name__}")
    return value


def _person(value: Any, where: str, num_keypoints: int) -> Person:
    person = _map(value, where)
    _check_nesting(person, s.PERSON_KEYS, 3)  # root map, people array, person map
    box = _floats(person, s.KEY_BOX, where, s.BOX_VALUES)
    keypoints = _floats(person, s.KEY_KEYPOINTS, where, s.VALUES_PER_KEYPOINT * num_keypoints)
    return Person(
        keypoints=keypoints.reshape(num_keypoints, s.VALUES_PER_KEYPOINT),
        score=_float(person, s.KEY_SCORE, where),
        box=tuple(float(v) for v in box),
        track_id=_int(person, s.KEY_ID, where, s.INT32_MIN, s.INT32_MAX),
    )


def decode_datagram(data: bytes) -> s.WirePart:
    """Decode one datagram; ``WireFormatError`` for anything that is not valid wire format v1."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise s.WireFormatError(f"datagram must be bytes, got {type(data).__name__}")
    if not 0 < len(data) <= s.MAX_UDP_PAYLOAD_BYTES:
        raise s.WireFormatError(
            f"datagram has {len(data)} bytes, must be 1..{s.MAX_UDP_PAYLOAD_BYTES}"
        )
    where = "datagram"
    root = _map(_unpack(bytes(data)), where)
    _check_nesting(root, s.FRAME_KEYS, 1)
    version = _int(root, s.KEY_VERSION, where, 0, s.UINT32_LIMIT - 1)
    if version != s.WIRE_VERSION:
        raise s.WireFormatError(
            f"unsupported wire format version {version!r}; this decoder reads {s.WIRE_VERSION}"
        )
    parts = _int(root, s.KEY_PARTS, where, 1, s.MAX_PARTS)
    part = _int(root, s.KEY_PART, where, 0, parts - 1)
    layout_name = _str(root, s.KEY_LAYOUT, where)
    try:
        layout = get_layout(layout_name)
    except ValueError as error:
        raise s.WireFormatError(str(error)) from None
    num_keypoints = _int(root, s.KEY_NUM_KEYPOINTS, where, 0, s.MAX_UDP_PAYLOAD_BYTES)
    if num_keypoints != layout.num_keypoints:
        raise s.WireFormatError(
            f"num_keypoints is {num_keypoints}, layout {layout.name} has {layout.num_keypoints}"
        )
    people = _require(root, s.KEY_PEOPLE, where)
    if not isinstance(people, list):
        raise s.WireFormatError("datagram field 'people' must be an array")
    if len(people) > s.MAX_PEOPLE_PER_FRAME:
        raise s.WireFormatError(
            f"datagram holds {len(people)} people, at most {s.MAX_PEOPLE_PER_FRAME}"
        )
    header = s.WireHeader(
        stream=_int(root, s.KEY_STREAM, where, 0, s.UINT32_LIMIT - 1),
        sequence=_int(root, s.KEY_SEQUENCE, where, 0, s.UINT32_LIMIT - 1),
        stamp_sec=_int(root, s.KEY_STAMP_SEC, where, s.INT32_MIN, s.INT32_MAX),
        stamp_nanosec=_int(root, s.KEY_STAMP_NANOSEC, where, 0, s.NANOSECONDS_PER_SECOND - 1),
        frame_id=_str(root, s.KEY_FRAME_ID, where),
    )
    frame = PoseFrame(
        model=_str(root, s.KEY_MODEL, where),
        layout=layout,
        image_width=_int(root, s.KEY_WIDTH, where, 0, s.UINT32_LIMIT - 1),
        image_height=_int(root, s.KEY_HEIGHT, where, 0, s.UINT32_LIMIT - 1),
        people=[_person(p, f"people[{i}]", num_keypoints) for i, p in enumerate(people)],
    )
    return s.WirePart(header=header, part=part, parts=parts, frame=frame, datagram_bytes=len(data))
