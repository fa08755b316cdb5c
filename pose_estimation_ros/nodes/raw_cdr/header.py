"""``std_msgs/Header``, the first field of every message read or written here."""

from __future__ import annotations

from functools import cache
from typing import Any

from builtin_interfaces.msg import Time
from std_msgs.msg import Header

from pose_estimation_ros.nodes.raw_cdr.layout import Field, Run, derive
from pose_estimation_ros.nodes.raw_cdr.stream import CdrReader, CdrWriter

HEADER = Field("header", "std_msgs/Header")  # how the messages here start
(_STAMP,) = derive(Time, __name__, Run(("sec", "nanosec")))
# Representation ids of plain CDR and plain CDR2 (big- and little-endian), from DDS-XTypes.
_PLAIN_IDS = {b"\x00\x00", b"\x00\x01", b"\x00\x06", b"\x00\x07"}
ENCAPSULATION_SIZE = 4
derive(Header, __name__, Field("stamp", "builtin_interfaces/Time"), Field("frame_id", "string"))


def write_header(writer: CdrWriter, header: Header) -> None:
    """Write ``header``."""
    _STAMP.write(writer, (header.stamp.sec, header.stamp.nanosec))
    writer.string(header.frame_id)


def read_header(reader: CdrReader) -> Header:
    """Read a header."""
    sec, nanosec = _STAMP.read(reader)
    return Header(stamp=Time(sec=sec, nanosec=nanosec), frame_id=reader.string())


def header_stamp_ns(serialized: bytes, msg_type: Any) -> int:
    """Stamp (ns) of a serialized ``msg_type``, whose first field must be a ``std_msgs/Header``."""
    _check_starts_with_header(msg_type)
    return header_first_stamp_ns(serialized)


def header_first_stamp_ns(serialized: bytes) -> int:
    """Return the stamp (ns) of any serialized header-first message; ``ValueError`` if none.

    After the 4-byte encapsulation header (a 2-byte representation id, 2 option
    bytes) a header-first message starts with ``builtin_interfaces/Time``: int32
    ``sec``, uint32 ``nanosec`` (as ``_STAMP`` finds them). Plain CDR (XCDR1) and
    plain CDR2 (XCDR2, final types) lay those out alike; the id's low bit tells
    the byte order.
    """
    representation = bytes(serialized[:2])
    if representation not in _PLAIN_IDS:
        raise ValueError(f"not plain CDR: representation id {representation.hex()}")
    if len(serialized) < ENCAPSULATION_SIZE + _STAMP.layout.size:
        raise ValueError(f"{len(serialized)} B is too short for a header stamp")
    byte_order = "<" if representation[1] & 1 else ">"
    sec, nanosec = _STAMP.unpack_from(serialized, ENCAPSULATION_SIZE, byte_order)
    return sec * 1_000_000_000 + nanosec


@cache
def _check_starts_with_header(msg_type: Any) -> None:
    """Raise ``LayoutError`` unless ``msg_type`` starts with a header (checked once per type)."""
    derive(msg_type, __name__, HEADER, rest=True)
