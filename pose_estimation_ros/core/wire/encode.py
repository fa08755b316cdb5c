"""Encode a frame into wire format v1 datagrams of at most ``max_datagram_bytes`` each."""

from __future__ import annotations

import msgpack
import numpy as np

from pose_estimation_ros.core.types import Person, PoseFrame
from pose_estimation_ros.core.wire import schema as s

# Bytes reserved for the part index, the part count and the people array
# header: each is at most a msgpack uint16 / array16 (3 bytes).
_MAX_COUNTER_BYTES = 3


def _packer() -> msgpack.Packer:
    return msgpack.Packer(use_single_float=True, use_bin_type=True)


def _finite_float32(values: object, where: str) -> np.ndarray:
    """Return ``values`` as flat float32; ``NonFiniteValueError`` naming ``where`` otherwise."""
    with np.errstate(over="ignore", invalid="ignore"):  # overflow to inf is refused just below
        array = np.asarray(values, dtype=np.float64).astype(np.float32).ravel()
    bad = np.flatnonzero(~np.isfinite(array))
    if bad.size:
        raise s.NonFiniteValueError(
            f"{where}[{bad[0]}] is {array[bad[0]]} (NaN, infinite or beyond float32); "
            f"the wire format carries finite floats only"
        )
    return array


def _pack_person(packer: msgpack.Packer, person: Person, index: int) -> bytes:
    where = f"person {index}"
    (score,) = _finite_float32([person.score], f"{where} score")
    return packer.pack(
        {
            s.KEY_ID: int(person.track_id),
            s.KEY_SCORE: float(score),
            s.KEY_BOX: _finite_float32(person.box, f"{where} box").tolist(),
            s.KEY_KEYPOINTS: _finite_float32(person.keypoints, f"{where} keypoints").tolist(),
        }
    )


def _header_fields(frame: PoseFrame, header: s.WireHeader) -> dict[str, int | str]:
    return {
        s.KEY_VERSION: s.WIRE_VERSION,
        s.KEY_STREAM: header.stream,
        s.KEY_SEQUENCE: header.sequence,
        s.KEY_STAMP_SEC: header.stamp_sec,
        s.KEY_STAMP_NANOSEC: header.stamp_nanosec,
        s.KEY_FRAME_ID: header.frame_id,
        s.KEY_WIDTH: int(frame.image_width),
        s.KEY_HEIGHT: int(frame.image_height),
        s.KEY_MODEL: frame.model,
        s.KEY_LAYOUT: frame.layout.name,
        s.KEY_NUM_KEYPOINTS: frame.layout.num_keypoints,
    }


_PART_KEYS = (s.KEY_PART, s.KEY_PARTS, s.KEY_PEOPLE)


def _group_people(people: list[bytes], budget: int) -> list[list[bytes]]:
    """Split packed people greedily into groups whose sizes add up to at most ``budget``."""
    groups: list[list[bytes]] = [[]]
    used = 0
    for index, person in enumerate(people):
        if len(person) > budget:
            raise s.FrameTooLargeError(
                f"person {index} takes {len(person)} bytes but only {budget} fit in a datagram "
                f"beside the frame header; raise max_datagram_bytes"
            )
        if used + len(person) > budget:
            groups.append([])
            used = 0
        groups[-1].append(person)
        used += len(person)
    return groups


def encode_frame(frame: PoseFrame, header: s.WireHeader, max_datagram_bytes: int) -> list[bytes]:
    """Encode ``frame`` as one or more datagrams, each at most ``max_datagram_bytes`` long.

    Each datagram holds the whole header and whole people, so a receiver can
    use any part on its own. A frame without people is one datagram.
    ``FrameTooLargeError`` when the header or one person does not fit or the frame
    exceeds the receivers' bounds, ``NonFiniteValueError`` for NaN or an infinity.
    """
    if not s.MIN_DATAGRAM_BYTES <= max_datagram_bytes <= s.MAX_UDP_PAYLOAD_BYTES:
        raise ValueError(
            f"max_datagram_bytes must be in {s.MIN_DATAGRAM_BYTES}..{s.MAX_UDP_PAYLOAD_BYTES}, "
            f"got {max_datagram_bytes}"
        )
    if len(frame.people) > s.MAX_PEOPLE_PER_FRAME:
        raise s.FrameTooLargeError(
            f"frame has {len(frame.people)} people, receivers take at most "
            f"{s.MAX_PEOPLE_PER_FRAME}"
        )
    packer = _packer()
    fields = _header_fields(frame, header)
    header_bytes = b"".join(packer.pack(key) + packer.pack(value) for key, value in fields.items())
    map_header = packer.pack_map_header(len(fields) + len(_PART_KEYS))
    keys = [packer.pack(key) for key in _PART_KEYS]
    counters = len(_PART_KEYS) * _MAX_COUNTER_BYTES
    fixed = len(map_header) + len(header_bytes) + sum(map(len, keys)) + counters
    budget = max_datagram_bytes - fixed
    if budget <= 0:
        raise s.FrameTooLargeError(
            f"the frame header alone takes {fixed} bytes, more than max_datagram_bytes "
            f"({max_datagram_bytes}); shorten frame_id/model or raise max_datagram_bytes"
        )
    people = [_pack_person(packer, p, i) for i, p in enumerate(frame.people)]
    groups = _group_people(people, budget)
    part_key, parts_key, people_key = keys
    datagrams = [
        b"".join(
            [
                map_header,
                header_bytes,
                part_key + packer.pack(index),
                parts_key + packer.pack(len(groups)),
                people_key + packer.pack_array_header(len(group)),
                *group,
            ]
        )
        for index, group in enumerate(groups)
    ]
    total = sum(map(len, datagrams))
    if total > s.MAX_FRAME_BYTES:
        raise s.FrameTooLargeError(
            f"frame takes {total} bytes in {len(datagrams)} datagrams, receivers take at most "
            f"{s.MAX_FRAME_BYTES}; shorten frame_id/model"
        )
    return datagrams
