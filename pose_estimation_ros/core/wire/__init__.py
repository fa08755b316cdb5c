"""Wire format v1: poses as msgpack UDP datagrams for programs that do not speak ROS.

``encode_frame`` splits a frame into datagrams of whole people, ``decode_datagram``
validates one datagram, ``FrameAssembler`` rebuilds the newest frame on a receiver.
The format is written down in ``docs/wire-format.md``.
"""

from pose_estimation_ros.core.wire.decode import decode_datagram
from pose_estimation_ros.core.wire.encode import encode_frame
from pose_estimation_ros.core.wire.schema import (
    FrameTooLargeError,
    NonFiniteValueError,
    WireFormatError,
    WireHeader,
    WirePart,
)
from pose_estimation_ros.core.wire.sequence import (
    FrameAssembler,
    LatestFrameFilter,
    PartVerdict,
    is_newer,
    next_sequence,
    sequence_gap,
)

__all__ = [
    "FrameAssembler",
    "FrameTooLargeError",
    "NonFiniteValueError",
    "LatestFrameFilter",
    "PartVerdict",
    "WireFormatError",
    "WireHeader",
    "WirePart",
    "decode_datagram",
    "encode_frame",
    "is_newer",
    "next_sequence",
    "sequence_gap",
]
