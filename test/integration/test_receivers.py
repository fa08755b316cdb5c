"""The Python, C# and JavaScript receivers decode the real bridge's datagrams exactly.

Each receiver runs as its own process (the Python ``udp_receiver`` executable,
the C# ``PoseReceiver`` compiled with mono's ``mcs``, the Node.js module) and
prints what it accepted as JSON lines with the wire format's keys. The C#
MonoBehaviour is not compiled: UnityEngine does not exist here.
"""

import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import time

import numpy as np
import pytest
from bridge_processes import REPO_ROOT, bridge, free_udp_port, process, publisher, wait_for
from wire_samples import HEADER, malformed_datagrams, mutate, random_frame, sample_frame

from pose_estimation_ros.core.wire import (
    LatestFrameFilter,
    WireFormatError,
    WireHeader,
    decode_datagram,
    encode_frame,
)
from pose_estimation_ros.udp_receiver import part_to_json

pytestmark = pytest.mark.slow
JS_DIR = REPO_ROOT / "receivers" / "js"
CSHARP_SOURCES = [
    REPO_ROOT / "receivers" / "unity" / "PoseReceiver.cs",
    REPO_ROOT / "test" / "receivers" / "PoseReceiverConsole.cs",
]
# Cases a receiver cannot tell from valid ones, and why.
NOT_CHECKED = {
    "csharp": {"unknown layout", "keypoint count"},  # no layout tables: counts come from the wire
    "js": {"unknown layout", "keypoint count", "width is float"},  # JS numbers: 640.0 is 640
}


def missing_toolchain(what: str) -> None:
    """Skip locally, fail in CI (``CI`` set), when a receiver's toolchain is absent."""
    message = f"{what}; run tools/setup_receivers.sh"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def csharp_command(tmp_path_factory) -> list[str]:
    if not (shutil.which("mcs") and shutil.which("mono")):
        missing_toolchain("mono's mcs and mono are not installed (Debian: mono-mcs)")
    exe = tmp_path_factory.mktemp("csharp") / "PoseReceiverConsole.exe"
    subprocess.run(
        ["mcs", "-nologo", "-warnaserror+", f"-out:{exe}", *map(str, CSHARP_SOURCES)], check=True
    )
    return ["mono", str(exe)]


@pytest.fixture(scope="module")
def js_command() -> list[str]:
    if not shutil.which("node"):
        missing_toolchain("Node.js is not installed")
    if not (JS_DIR / "node_modules" / "@msgpack" / "msgpack").is_dir():
        missing_toolchain(f"{JS_DIR}/node_modules is missing (npm ci)")
    return ["node", str(JS_DIR / "cli.js")]


@pytest.fixture(params=["python", "csharp", "js"])
def receiver_command(request) -> tuple[str, list[str]]:
    if request.param == "python":
        script = REPO_ROOT / "scripts" / "udp_receiver"
        return "python", [sys.executable, str(script), "--json"]
    return request.param, request.getfixturevalue(f"{request.param}_command")


def as_floats(answer: dict) -> dict:
    """Parse JSON numbers of float fields as floats (JS prints 9.1e16 as 91672933017059330)."""
    for person in answer.get("people", []):
        person["score"] = float(person["score"])
        person["box"] = [float(v) for v in person["box"]]
        person["keypoints"] = [float(v) for v in person["keypoints"]]
    return answer


def json_lines(log) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]


def start_receiver(command: list[str], port: int, log):
    """Run a receiver CLI on ``port``; the context yields once it listens."""
    return process([*command, "--port", str(port), "--address", "127.0.0.1"], log)


def wait_listening(log) -> None:
    wait_for(lambda: "listening on" in log.read_text(), "the receiver to listen")


def whole_frame(lines: list[dict]) -> list[dict] | None:
    """Return the parts of the first sequence number whose parts all arrived, in part order."""
    by_sequence: dict[int, dict[int, dict]] = {}
    for line in lines:
        if "seq" in line:
            parts = by_sequence.setdefault(line["seq"], {})
            parts[line["part"]] = line
            if len(parts) == line["parts"]:
                return [parts[i] for i in range(line["parts"])]
    return None


def test_receiver_decodes_exactly_what_the_bridge_sent(ros_domain_id, tmp_path, receiver_command):
    name, command = receiver_command
    port, log = free_udp_port(), tmp_path / f"{name}.log"
    with start_receiver(command, port, log):
        wait_listening(log)
        with publisher(20, tmp_path / "publisher.log"), bridge(tmp_path / "bridge.log", port=port):
            parts = wait_for(lambda: whole_frame(json_lines(log)), f"a whole frame from {name}")
    assert not [line for line in json_lines(log) if "error" in line]
    assert len(parts) == 7
    people = [person for part in parts for person in part["people"]]
    first = parts[0]
    assert (first["stamp_sec"], first["stamp_nanosec"], first["frame_id"]) == (
        1234,
        567890,
        "camera_optical_frame",
    )
    want = sample_frame(20)
    assert (first["model"], first["layout"], first["width"], first["height"]) == (
        want.model,
        want.layout.name,
        want.image_width,
        want.image_height,
    )
    assert first["num_keypoints"] == 17
    assert len(people) == 20
    for got, expected in zip(people, want.people):
        assert got["id"] == expected.track_id
        assert got["score"] == float(np.float32(expected.score))
        assert got["box"] == [float(np.float32(v)) for v in expected.box]
        assert got["keypoints"] == expected.keypoints.ravel().tolist()


def test_csharp_hand_off_to_the_main_thread_merges_the_newest_frame(
    ros_domain_id, tmp_path, csharp_command
):
    """Poll TryTakeLatest as a Unity Update would, while the bridge sends 20 people in 7 parts."""
    port, log = free_udp_port(), tmp_path / "csharp.log"
    with process([*csharp_command, "--port", str(port), "--latest"], log):
        wait_listening(log)
        with publisher(20, tmp_path / "publisher.log"), bridge(tmp_path / "bridge.log", port=port):

            def merged():
                lines = json_lines(log)
                return next((line for line in lines if line.get("parts_received") == 7), None)

            frame = wait_for(merged, "a frame with all 7 parts merged")
    assert frame["parts"] == 7
    people = sorted(frame["people"], key=lambda person: person["id"])
    assert [person["id"] for person in people] == list(range(20))
    for got, expected in zip(people, sample_frame(20).people):
        assert got["keypoints"] == expected.keypoints.ravel().tolist()


def shuffled_stream(rng: random.Random) -> tuple[list[bytes], int]:
    """Frames across the sequence wrap, reordered and 20 % lost, with malformed datagrams mixed in.

    Returns the datagrams and the sequence number of a final sentinel frame.
    """
    datagrams = []
    for sequence in range(2**32 - 15, 2**32 + 15):
        header = WireHeader(77, sequence % 2**32, 5, 6, "camera")
        frame = random_frame(np.random.default_rng(sequence), rng.randint(0, 5))
        datagrams += encode_frame(frame, header, 1200)
    keyed = [(i + rng.uniform(0, 6), d) for i, d in enumerate(datagrams) if rng.random() > 0.2]
    arrived = [d for _, d in sorted(keyed, key=lambda pair: pair[0])]
    for _, bad, _ in malformed_datagrams()[2:12]:  # small ones: no empty or oversized datagram
        arrived.insert(rng.randrange(len(arrived)), bad)
    return arrived, 100


def test_receiver_keeps_only_newer_frames_and_survives_malformed(tmp_path, receiver_command):
    name, command = receiver_command
    port, log = free_udp_port(), tmp_path / f"{name}.log"
    sent, sentinel = shuffled_stream(random.Random(11))
    latest, expected = LatestFrameFilter(), []
    for datagram in sent:
        try:
            part = decode_datagram(datagram)
        except WireFormatError:
            continue
        if latest.accept(part.header):
            expected.append((part.header.sequence, part.part))
    assert len(expected) < len(sent) - 10, "the shuffle left no stale datagram to drop"
    (sentinel_datagram,) = encode_frame(sample_frame(1), WireHeader(77, sentinel, 0, 0, ""), 1200)

    with start_receiver(command, port, log), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        wait_listening(log)
        for datagram in sent:
            s.sendto(datagram, ("127.0.0.1", port))
            time.sleep(0.002)  # pacing only, so the loopback receive buffer cannot overflow

        def sentinel_seen():
            s.sendto(sentinel_datagram, ("127.0.0.1", port))
            return any(line.get("seq") == sentinel for line in json_lines(log))

        wait_for(sentinel_seen, f"{name} to receive the last frame")
    lines = json_lines(log)
    end = next(i for i, line in enumerate(lines) if line.get("seq") == sentinel)
    received = [(line["seq"], line["part"]) for line in lines[:end] if "seq" in line]
    assert received == expected
    assert sum("error" in line for line in lines[:end]) == 10


@pytest.mark.parametrize("name", ["csharp", "js"])
def test_receiver_decoder_agrees_with_python_on_valid_malformed_and_fuzzed(
    request, tmp_path, name
):
    command = request.getfixturevalue(f"{name}_command")
    rng = random.Random(99)
    valid = encode_frame(random_frame(np.random.default_rng(3), 12), HEADER, 1200)
    valid += encode_frame(random_frame(np.random.default_rng(4), 2, openpose=True), HEADER, 1200)
    cases = malformed_datagrams()
    inputs = (
        valid + [d for _, d, _ in cases] + [mutate(rng, rng.choice(valid)) for _ in range(1500)]
    )
    result = subprocess.run(
        [*command, "--stdin-hex"],
        input="\n".join(d.hex() for d in inputs) + "\n",
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    answers = [as_floats(json.loads(line)) for line in result.stdout.splitlines()]
    assert len(answers) == len(inputs), "the receiver did not answer every datagram"
    for datagram, answer in zip(inputs, answers):
        try:
            expected = part_to_json(decode_datagram(datagram))
        except WireFormatError:
            continue
        assert answer == expected, f"{name} decodes {datagram.hex()} differently"
    case_answers = answers[len(valid):]
    for (case, _, _), answer in zip(cases, case_answers):
        if case not in NOT_CHECKED[name]:
            assert "error" in answer, f"{name} accepted the malformed case {case!r}"


def test_python_receiver_prints_people_rate_and_gaps(tmp_path):
    port, log = free_udp_port(), tmp_path / "udp_receiver.log"
    script = REPO_ROOT / "scripts" / "udp_receiver"
    with process([sys.executable, str(script), "--port", str(port)], log), socket.socket(
        socket.AF_INET, socket.SOCK_DGRAM
    ) as s:
        wait_listening(log)

        def send_all_seen():
            for sequence in (1, 2, 5, 4, 6):
                header = WireHeader(8, sequence, 3, 4, "c")
                s.sendto(encode_frame(sample_frame(2), header, 1200)[0], ("127.0.0.1", port))
            return "frame 6 " in log.read_text()

        wait_for(send_all_seen, "udp_receiver to print frame 6")
    text = log.read_text()
    assert "frame 5 part 1/1 stamp 3.000000004 'c' movenet_lightning/coco17 640x480: 2 people" in (
        text
    )
    assert "2 frames missing before it" in text
    assert "dropped a datagram of frame 4: older" in text
    assert re.search(r"frame 6 .* [0-9.]+ Hz", text)
    assert "  id 1 score 0.80 box 2.5 3.5 301.5 401.5" in text
