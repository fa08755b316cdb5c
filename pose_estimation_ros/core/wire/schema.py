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
# IPv4's minimum reassembly size (576) less the IP (20) and UDP (8) headers: every IPv4 host
# takes it, and one openpose18 person with a 30-character frame_id and a 24-character model fits.
MIN_DATAGRAM_BYTES = 576 - 20 - 8

# Receiver bounds (docs/wire-format.md, "Bounds"); the C# and JavaScript receivers use the same
# numbers. The bridge never sends a frame beyond them: its encoder refuses such a frame.
MAX_PEOPLE_PER_FRAME = 256  # product limit: people in one frame, all parts together
MAX_PARTS = MAX_PEOPLE_PER_FRAME  # every part holds at least one person (or is a frame's only)
MAX_FRAME_BYTES = 1 << 20  # datagram bytes of one frame, all parts together
MAX_NESTING_DEPTH = 16  # msgpack containers inside each other, the root map included
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

FRAME_KEYS = frozenset(
    {
        KEY_VERSION, KEY_STREAM, KEY_SEQUENCE, KEY_PART, KEY_PARTS, KEY_STAMP_SEC,
        KEY_STAMP_NANOSEC, KEY_FRAME_ID, KEY_WIDTH, KEY_HEIGHT, KEY_MODEL, KEY_LAYOUT,
        KEY_NUM_KEYPOINTS, KEY_PEOPLE,
    }
)  # fmt: skip
PERSON_KEYS = frozenset({KEY_ID, KEY_SCORE, KEY_BOX, KEY_KEYPOINTS})


class WireFormatError(ValueError):
    """A datagram is not a valid wire format v1 datagram; the message says what is wrong."""


class FrameTooLargeError(ValueError):
    """A frame cannot be split into datagrams of the allowed size, or exceeds the bounds."""


class NonFiniteValueError(ValueError):
    """A frame holds NaN or an infinity (or a value beyond float32), which the format forbids."""


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
    datagram_bytes: int = 0  # size of the datagram it came in (bounds the bytes held)
