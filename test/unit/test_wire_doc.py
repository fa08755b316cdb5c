"""docs/wire-format.md matches the code: worked example bytes, validation table, bounds."""

import re
from pathlib import Path

import numpy as np
import pytest
from wire_samples import wire_cases

from pose_estimation_ros.core.skeletons import COCO17
from pose_estimation_ros.core.types import Person, PoseFrame
from pose_estimation_ros.core.wire import WireHeader, decode_datagram, encode_frame
from pose_estimation_ros.core.wire import schema

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
DOC = REPO_ROOT / "docs" / "wire-format.md"
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


def test_doc_validation_table_is_the_tested_table():
    """Each row: the case, accept or refuse, and the receivers that cannot tell (lenient)."""
    text = DOC.read_text().split("<!-- validation-cases -->", 1)[1].split("\n\n", 1)[0]
    row = r"^\| `([^`]+)` \| (accept|refuse)(?: \(accepted by ([^)]+)\))? \|$"
    rows = re.findall(row, text, re.M)
    names = {"C#": "csharp", "JavaScript": "js"}
    documented = [
        (name, verdict == "accept", frozenset(names[r] for r in lenient.split(" and ") if r))
        for name, verdict, lenient in rows
    ]
    assert documented == [(c.name, c.accept, c.lenient) for c in wire_cases()]


BOUNDS = ["MAX_UDP_PAYLOAD_BYTES", "MAX_PARTS", "MAX_PEOPLE_PER_FRAME", "MAX_FRAME_BYTES",
          "MAX_NESTING_DEPTH"]  # fmt: skip


def camel(name: str) -> str:
    """Return ``MAX_FRAME_BYTES`` as C# spells it, ``MaxFrameBytes``."""
    return "".join(word.capitalize() for word in name.split("_"))


@pytest.mark.parametrize(
    "path, pattern",
    [
        ("receivers/unity/PoseReceiver.cs", r"public const int {csharp} = ([^;]+);"),
        ("receivers/js/wire.js", r"export const {python} = ([^;]+);"),
    ],
)
def test_receivers_use_the_schema_bounds(path, pattern):
    source = (REPO_ROOT / path).read_text()
    for name in BOUNDS:
        match = re.search(pattern.format(csharp=camel(name), python=name), source)
        assert match, f"{path} does not define {name}"
        assert eval(match.group(1), {}) == getattr(schema, name), f"{path}: {name}"  # noqa: S307
