"""Wire format v1 schema: key names, limits and the decoded types.

A datagram is one msgpack map (string keys, any order) holding the frame
header, which part of the frame it is, and a list of whole people. Every
float is sent as msgpack float32; keypoints are a flat array
``[x0, y0, score0, x1, ...]`` of ``3 * num_keypoints`` values in layout order.
"""

from __future__ import annotations

from dataclasses import dataclass

from pose_estimation_ros.core.types import PoseFrame

WIRE_VERSION = 1
MAX_UDP_PAYLOAD_BYTES = 65507  # IPv4: 65535 - 20 (IP header) - 8 (UDP header)
MIN_DATAGRAM_BYTES = 256
MAX_PARTS = 65535
VALUES_PER_KEYPOINT = 3  # x, y, score
BOX_VALUES = 4  # x_min, y_min, x_max, y_max
UINT32_LIMIT = 1 << 32
INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1
NANOSECONDS_PER_SECOND = 1_000_000_000

# Frame keys (every datagram carries all of them).
KEY_VERSION = "version"
KEY_STREAM = "stream"
KEY_SEQUENCE = "seq"
KEY_PART = "part"
KEY_PARTS = "parts"
KEY_STAMP_SEC = "stamp_sec"
KEY_STAMP_NANOSEC = "stamp_nanosec"
KEY_FRAME_ID = "frame_id"
KEY_WIDTH = "width"
KEY_HEIGHT = "height"
KEY_MODEL = "model"
KEY_LAYOUT = "layout"
KEY_NUM_KEYPOINTS = "num_keypoints"
KEY_PEOPLE = "people"

# Person keys.
KEY_ID = "id"
KEY_SCORE = "score"
KEY_BOX = "box"
KEY_KEYPOINTS = "keypoints"


class WireFormatError(ValueError):
    """A datagram is not a valid wire format v1 datagram; the message says what is wrong."""


class FrameTooLargeError(ValueError):
    """A frame cannot be split into datagrams of the allowed size (one person alone is larger)."""


@dataclass(frozen=True)
class WireHeader:
    """What identifies a frame on the wire besides its poses.

    ``stream`` is a random id chosen when the sender starts (a receiver that
    sees a new stream forgets the sequence numbers of the old one);
    ``sequence`` counts frames modulo 2**32; the stamp and ``frame_id`` are
    the source image's header.
    """

    stream: int
    sequence: int
    stamp_sec: int
    stamp_nanosec: int
    frame_id: str


@dataclass
class WirePart:
    """One decoded datagram: part ``part`` of ``parts`` of a frame, with its whole people."""

    header: WireHeader
    part: int
    parts: int
    frame: PoseFrame
