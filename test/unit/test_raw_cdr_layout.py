"""A changed message description is followed by the raw codecs, or stops their import loudly."""

from __future__ import annotations

import importlib
import re
import struct
import sys
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from builtin_interfaces.msg import Time
from sensor_msgs.msg import Image
from std_msgs.msg import Header

from pose_estimation_ros.core.skeletons import COCO17
from pose_estimation_ros.core.types import Person, PoseFrame
from pose_estimation_ros.msg import Keypoint, PersonPose, PoseArray
from pose_estimation_ros.nodes import raw_cdr
from pose_estimation_ros.nodes.raw_cdr.layout import Field, LayoutError, Run, derive
from pose_estimation_ros.nodes.raw_cdr.stream import CdrReader, CdrWriter

CODEC = "pose_estimation_ros.nodes.raw_cdr."


def fake_message(fields: dict[str, str]) -> type:
    """Build a class describing itself as message ``probe_msgs/msg/Probe`` with ``fields``."""
    return type(
        "Probe",
        (),
        {"__module__": "probe_msgs.msg._probe", "get_fields_and_field_types": lambda: fields},
    )


def with_fields(monkeypatch, msg_type: Any, change) -> None:
    """Make ``msg_type`` describe its fields as ``change`` turns them (until the test ends)."""
    fields = change(dict(msg_type.get_fields_and_field_types()))
    monkeypatch.setattr(msg_type, "get_fields_and_field_types", lambda: fields)


def import_fresh(monkeypatch, name: str) -> ModuleType:
    """Import codec module ``name`` anew; the one already imported is back after the test."""
    monkeypatch.setattr(raw_cdr, name, importlib.import_module(CODEC + name))
    monkeypatch.delitem(sys.modules, CODEC + name)
    return importlib.import_module(CODEC + name)


def swapped(fields: dict[str, str], a: str, b: str) -> dict[str, str]:
    """Return ``fields`` with fields ``a`` and ``b`` trading places."""
    order = list(fields)
    i, j = order.index(a), order.index(b)
    order[i], order[j] = order[j], order[i]
    return {name: fields[name] for name in order}


def test_runs_take_their_types_and_order_from_the_message():
    probe = fake_message({"b": "float", "a": "int32", "n": "uint32", "s": "sequence<uint8>"})
    (record,) = derive(probe, "m", Run(("a", "b", "n"), sequence=Field("s", "sequence<uint8>")))
    assert record.layout.format == "<fiII"
    writer = CdrWriter()
    record.write(writer, (-3, 0.5, 7, 2))  # codec order: a, b, n, then the length of s
    assert bytes(writer)[4:] == struct.pack("<fiII", 0.5, -3, 7, 2)
    assert record.read(CdrReader(bytes(writer))) == (-3, 0.5, 7, 2)


def test_a_one_field_run_reads_a_tuple():
    (record,) = derive(fake_message({"a": "uint32"}), "m", Run(("a",)))
    writer = CdrWriter()
    record.write(writer, (9,))
    assert record.read(CdrReader(bytes(writer))) == (9,)


@pytest.mark.parametrize(
    "fields, problem",
    [
        ({"a": "int32", "s": "string", "x": "float"}, r"field 'x' \(float\) is not one"),
        ({"a": "int32"}, r"no field where the codec expects 's' \(string\)"),
        ({"a": "double", "s": "string"}, "field 'a' is double, the codec packs only float, int32"),
        ({"z": "int32", "s": "string"}, r"field 'z' \(int32\) where the codec expects one of a"),
        ({"a": "int32", "s": "string<=8"}, r"field 's' \(string<=8\) where the codec expects 's'"),
    ],
)
def test_fake_messages_that_differ_are_refused(fields, problem):
    expected = rf"probe_msgs/msg/Probe changed: {problem}.*update m\.py"
    with pytest.raises(LayoutError, match=expected):
        derive(fake_message(fields), "m", Run(("a",)), Field("s", "string"))


def test_rest_lets_a_codec_read_only_the_first_fields():
    probe = fake_message({"a": "int32", "b": "string"})
    assert derive(probe, "m", Run(("a",)), rest=True)[0].layout.format == "<i"


NUMBERS = "the codec packs only float, int32, uint32"
# (message, how its fields change, codec module that stops, the change as the error tells it)
CHANGES = [
    (
        PersonPose,
        lambda f: {**f, "score": "double"},
        "pose_array",
        f"field 'score' is double, {NUMBERS}",
    ),
    (
        PersonPose,
        lambda f: {**f, "visibility": "float"},
        "pose_array",
        "field 'visibility' (float) is not one the codec writes or reads",
    ),
    (
        PoseArray,
        lambda f: swapped(f, "model", "layout"),
        "pose_array",
        "field 'layout' (string) where the codec expects 'model' (string)",
    ),
    (
        Keypoint,
        lambda f: {**f, "x": "int32"},
        "pose_array",
        "field 'x' is int32, the codec packs only float",
    ),
    (
        Image,
        lambda f: swapped(f, "encoding", "is_bigendian"),
        "image",
        "field 'is_bigendian' (uint8) where the codec expects 'encoding' (string)",
    ),
    (
        Header,
        lambda f: {"stamp": f["stamp"]},
        "header",
        "no field where the codec expects 'frame_id' (string)",
    ),
    (
        Time,
        lambda f: {"sec": "int64", "nanosec": "uint32"},
        "header",
        f"field 'sec' is int64, {NUMBERS}",
    ),
]


@pytest.mark.parametrize("msg_type, change, codec, problem", CHANGES)
def test_a_changed_message_stops_the_codec_import(monkeypatch, msg_type, change, codec, problem):
    with_fields(monkeypatch, msg_type, change)
    name = f"{msg_type.__module__.split('.')[0]}/msg/{msg_type.__name__}"
    where = f"update pose_estimation_ros/nodes/raw_cdr/{codec}.py to the new layout"
    with pytest.raises(LayoutError, match=f"^{re.escape(f'{name} changed: {problem}; {where}')}$"):
        import_fresh(monkeypatch, codec)


def test_reordered_numbers_are_followed(monkeypatch):
    with_fields(monkeypatch, PersonPose, lambda f: swapped(f, "id", "score"))
    with_fields(monkeypatch, Keypoint, lambda f: swapped(f, "x", "score"))
    codec = import_fresh(monkeypatch, "pose_array")
    keypoints = np.random.default_rng(0).uniform(0, 1, (17, 3)).astype(np.float32)
    person = Person(keypoints, 0.5, (1.0, 2.0, 3.0, 4.0), 7)
    frame = PoseFrame("m", COCO17, 640, 480, [person])
    written = codec.serialize_pose_array(frame, Header(frame_id="cam"))
    person_bytes = struct.pack("<fiffffI", 0.5, 7, 1.0, 2.0, 3.0, 4.0, 17)
    assert written.endswith(person_bytes + keypoints[:, [2, 1, 0]].tobytes())
    _, read = codec.read_pose_array(written)
    np.testing.assert_array_equal(read.people[0].keypoints, keypoints)
    assert (read.people[0].track_id, read.people[0].score) == (7, 0.5)


@pytest.mark.parametrize("representation, byte_order", [(b"\x00\x01", "<"), (b"\x00\x00", ">")])
def test_a_reordered_stamp_is_read_in_either_byte_order(monkeypatch, representation, byte_order):
    with_fields(monkeypatch, Time, lambda f: {"nanosec": "uint32", "sec": "int32"})
    codec = import_fresh(monkeypatch, "header")
    serialized = representation + b"\x00\x00" + struct.pack(f"{byte_order}Ii", 5, -2)
    assert codec.header_first_stamp_ns(serialized) == -2_000_000_000 + 5
