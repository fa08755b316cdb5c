"""docs/wire-format.md's worked example is the real encoder's output, byte for byte."""

import re
from pathlib import Path

import numpy as np

from pose_estimation_ros.core.skeletons import COCO17
from pose_estimation_ros.core.types import Person, PoseFrame
from pose_estimation_ros.core.wire import WireHeader, decode_datagram, encode_frame

DOC = Path(__file__).resolve().parent.parent.parent / "docs" / "wire-format.md"
BYTES_PER_LINE = 16


def example_datagram() -> bytes:
    """Encode the doc example: one person, keypoint i at (100 + i, 200 + 2 i), score 0.5."""
    keypoints = np.array(
        [(100 + i, 200 + 2 * i, 0.5) for i in range(COCO17.num_keypoints)], dtype=np.float32
    )
    person = Person(keypoints, 0.75, (100.0, 200.0, 116.0, 232.0), 3)
    frame = PoseFrame("movenet_lightning", COCO17, 640, 480, [person])
    header = WireHeader(
        stream=16909060, sequence=7, stamp_sec=1700000000, stamp_nanosec=500000000, frame_id="cam"
    )
    (datagram,) = encode_frame(frame, header, 1200)
    return datagram


def hex_dump(data: bytes) -> str:
    """Offset, then 16 bytes per line in hex, as the doc shows them."""
    return "\n".join(
        f"{offset:04x}  " + " ".join(f"{b:02x}" for b in data[offset:offset + BYTES_PER_LINE])
        for offset in range(0, len(data), BYTES_PER_LINE)
    )


def test_doc_example_bytes_match_the_encoder():
    match = re.search(r"<!-- example-bytes -->\n```text\n(.*?)\n```", DOC.read_text(), re.S)
    assert match, f"{DOC} has no example-bytes block"
    datagram = example_datagram()
    assert match.group(1) == hex_dump(datagram), "regenerate the example with hex_dump()"
    assert f"{len(datagram)} bytes" in DOC.read_text()
    assert decode_datagram(datagram).frame.people[0].track_id == 3
