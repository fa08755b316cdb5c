"""Decode and validate one wire format v1 datagram; ``WireFormatError`` says what is wrong.

Allocation is bounded: the datagram size is checked first, and msgpack is
told that no string, array or map can be longer than the datagram itself,
so a forged length (``array32`` claiming 4 billion items) is refused before
anything is allocated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgpack
import numpy as np

from pose_estimation_ros.core.skeletons import get_layout
from pose_estimation_ros.core.types import Person, PoseFrame
from pose_estimation_ros.core.wire import schema as s


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
        raise s.WireFormatError(f"datagram is not valid msgpack: {error}") from None


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
    return float(np.float32(value))


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
    return np.asarray(value, dtype=np.float32)


def _map(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise s.WireFormatError(f"{where} must be a msgpack map, got {type(value).__name__}")
    return value


def _person(value: Any, where: str, num_keypoints: int) -> Person:
    person = _map(value, where)
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
    return s.WirePart(header=header, part=part, parts=parts, frame=frame)
