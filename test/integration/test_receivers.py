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

import msgpack
import numpy as np
import pytest
from bridge_processes import bridge, free_udp_port, process, publisher
from processes_util import REPO_ROOT, wait_for
from wire_samples import (
    HEADER,
    malformed_datagrams,
    mutate,
    random_frame,
    sample_frame,
    wire_cases,
)

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
    """Return the receiver's JSON lines so far; one it is still writing waits for later."""
    text = log.read_text()
    complete = text[: text.rfind("\n") + 1]  # read while a line was half flushed (C#, JS)
    return [json.loads(line) for line in complete.splitlines() if line.startswith("{")]


def start_receiver(command: list[str], port: int, log, *options: str):
    """Run a receiver CLI on ``port`` (default address) with ``options``."""
    return process([*command, "--port", str(port), *options], log)


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
    assert len(parts) > 1  # 20 people do not fit one datagram: the parts were joined
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
    """Poll TryTakeLatest as a Unity Update would, while the bridge sends 20 people in parts."""
    port, log = free_udp_port(), tmp_path / "csharp.log"
    with process([*csharp_command, "--port", str(port), "--latest"], log):
        wait_listening(log)
        with publisher(20, tmp_path / "publisher.log"), bridge(tmp_path / "bridge.log", port=port):

            def merged():
                lines = json_lines(log)
                whole = (x for x in lines if x.get("parts_received", 0) == x.get("parts"))
                return next(whole, None)

            frame = wait_for(merged, "a frame with all its parts merged")
    assert frame["parts"] > 1
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


BATCH = 8


def test_receiver_keeps_only_newer_frames_and_survives_malformed(tmp_path, receiver_command):
    name, command = receiver_command
    port, log = free_udp_port(), tmp_path / f"{name}.log"
    sent, sentinel = shuffled_stream(random.Random(11))
    latest, expected, printed = LatestFrameFilter(), [], [0]  # printed: lines so far
    for datagram in sent:
        try:
            part = decode_datagram(datagram)
        except WireFormatError:
            printed.append(printed[-1] + 1)  # an error line
            continue
        accepted = latest.accept(part.header)
        if accepted:
            expected.append((part.header.sequence, part.part))
        printed.append(printed[-1] + accepted)  # a stale datagram prints nothing
    assert len(expected) < len(sent) - 10, "the shuffle left no stale datagram to drop"
    (sentinel_datagram,) = encode_frame(sample_frame(1), WireHeader(77, sentinel, 0, 0, ""), 1200)

    def lines_printed() -> int:
        return sum("seq" in line or "error" in line for line in json_lines(log))

    with start_receiver(command, port, log), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        wait_listening(log)
        # A few datagrams at a time, each batch once the one before was printed: however busy
        # the machine, the receiver's socket buffer never holds more than two batches.
        for start in range(0, len(sent), BATCH):
            for datagram in sent[start:start + BATCH]:
                s.sendto(datagram, ("127.0.0.1", port))
            done = printed[min(start + BATCH, len(sent))]
            wait_for(lambda: lines_printed() >= done, f"{name} to print {done} lines")

        def sentinel_seen():
            s.sendto(sentinel_datagram, ("127.0.0.1", port))
            return any(line.get("seq") == sentinel for line in json_lines(log))

        wait_for(sentinel_seen, f"{name} to receive the last frame")
    lines = json_lines(log)
    end = next(i for i, line in enumerate(lines) if line.get("seq") == sentinel)
    received = [(line["seq"], line["part"]) for line in lines[:end] if "seq" in line]
    assert received == expected
    assert sum("error" in line for line in lines[:end]) == 10


def decoder_answers(name: str, command: list[str] | None, inputs: list[bytes]) -> list[dict]:
    """Return what a decoder makes of each datagram: the part's JSON, or {"error": ...}."""
    if name == "python":
        answers = []
        for datagram in inputs:
            try:
                answers.append(part_to_json(decode_datagram(datagram)))
            except WireFormatError as error:
                answers.append({"error": str(error)})
        return answers
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
    return answers


@pytest.mark.parametrize("name", ["python", "csharp", "js"])
def test_decoder_follows_the_spec_table_and_agrees_with_python_when_fuzzed(
    request, tmp_path, name
):
    """Every case of the spec's table (wire_samples.wire_cases), then valid and mutated frames."""
    command = None if name == "python" else request.getfixturevalue(f"{name}_command")
    cases = wire_cases()
    rng = random.Random(99)
    valid = encode_frame(random_frame(np.random.default_rng(3), 12), HEADER, 1200)
    valid += encode_frame(random_frame(np.random.default_rng(4), 2, openpose=True), HEADER, 1200)
    fuzzed = [mutate(rng, rng.choice(valid)) for _ in range(1500)]
    inputs = [case.datagram for case in cases] + valid + fuzzed
    answers = decoder_answers(name, command, inputs)
    for case, answer in zip(cases, answers):
        accepts = case.accept or name in case.lenient
        assert ("error" not in answer) == accepts, f"{name} on {case.name!r}: {answer}"
    fuzz_inputs, fuzz_answers = inputs[len(cases):], answers[len(cases):]
    refused = sum("error" in answer for answer in fuzz_answers)
    assert 0 < refused < len(fuzz_answers), f"{name} refused {refused} of {len(fuzz_answers)}"
    if name == "python":
        # The reference the other receivers are compared with: under fuzzing it refuses with
        # WireFormatError only (decoder_answers lets any other exception through).
        return
    reference = decoder_answers("python", None, fuzz_inputs)
    for datagram, answer, expected in zip(fuzz_inputs, fuzz_answers, reference):
        if "error" not in expected:
            assert answer == expected, f"{name} decodes {datagram.hex()} differently"


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


def udp_table_address(port: int) -> str | None:
    """Local address of the UDP socket on ``port`` from /proc/net/udp ("0100007F" is 127.0.0.1)."""
    for line in open("/proc/net/udp").read().splitlines()[1:]:
        local = line.split()[1]
        address, hex_port = local.split(":")
        if int(hex_port, 16) == port:
            return address
    return None


@pytest.mark.parametrize("option", [socket.SO_REUSEADDR, socket.SO_REUSEPORT])
def test_receiver_listens_on_loopback_and_shares_its_port_with_nobody(
    tmp_path, receiver_command, option
):
    name, command = receiver_command
    port, log = free_udp_port(), tmp_path / f"{name}.log"
    with start_receiver(command, port, log):
        wait_listening(log)
        assert udp_table_address(port) == "0100007F", "the default address is not 127.0.0.1"
        for address in ("127.0.0.1", "0.0.0.0"):
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as thief:
                thief.setsockopt(socket.SOL_SOCKET, option, 1)
                with pytest.raises(OSError, match="in use"):
                    thief.bind((address, port))
        second = subprocess.run(
            [*command, "--port", str(port)], capture_output=True, text=True, timeout=60
        )
    assert second.returncode == 2
    assert f"UDP port {port} is in use" in second.stderr
    assert "stop that program" in second.stderr


def send_from(address: str, datagrams: list[bytes], port: int) -> int:
    """Send ``datagrams`` to 127.0.0.1:``port`` from a socket bound to ``address``; its port."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((address, 0))
        for datagram in datagrams:
            s.sendto(datagram, ("127.0.0.1", port))
        return s.getsockname()[1]


def test_receiver_accepts_only_the_configured_sender(tmp_path, receiver_command):
    name, command = receiver_command
    port, log = free_udp_port(), tmp_path / f"{name}.log"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as bridge_socket:
        bridge_socket.bind(("127.0.0.1", 0))
        sender = f"127.0.0.1:{bridge_socket.getsockname()[1]}"
        forged = [encode_frame(sample_frame(1), WireHeader(9, 1000 + i, 0, 0, "forged"), 1200)[0]
                  for i in range(5)]  # fmt: skip
        real = encode_frame(sample_frame(2), WireHeader(9, 5, 0, 0, "real"), 1200)[0]
        with start_receiver(command, port, log, "--sender", sender):
            wait_listening(log)
            send_from("127.0.0.2", forged, port)  # another local source, newer frames
            send_from("127.0.0.1", forged[:1], port)  # the right host, another port

            def real_seen():
                bridge_socket.sendto(real, ("127.0.0.1", port))
                return any(line.get("frame_id") == "real" for line in json_lines(log))

            wait_for(real_seen, f"{name} to accept the configured sender")
    text, lines = log.read_text(), json_lines(log)
    assert not [line for line in lines if line.get("frame_id") == "forged"]
    assert text.count("not the sender") + text.count("not --sender") == 1, text


def forged_parts(rng: random.Random) -> list[bytes]:
    """Forge the amplification attack: parts, duplicates, huge headers, many frames in flight."""
    def part(sequence: int, index: int, parts: int, people: int, frame_id: str = "f") -> bytes:
        (datagram,) = encode_frame(sample_frame(people), WireHeader(7, sequence, 0, 0, frame_id),
                                   65507)  # fmt: skip
        fields = msgpack.unpackb(datagram)
        fields.update(part=index, parts=parts)
        return msgpack.packb(fields, use_single_float=True)

    every = [part(49, i, 65535, 100) for i in range(800)]  # parts=65535 as in the report
    crowd = [part(50, i % 256, 256, 100) for i in range(600)]  # 100 people each, duplicates
    huge = [part(51, i, 256, 1, "x" * 60000) for i in range(40)]  # 60 kB each: bytes bound
    flight = [part(52 + i, rng.randrange(256), 256, 2) for i in range(1500)]  # frames in flight
    return every + crowd + huge + flight  # in this order: each frame's parts arrive together


def rss_kib(pid: int) -> int:
    """Return the resident memory of process ``pid``, KiB (/proc/PID/status VmRSS)."""
    status = open(f"/proc/{pid}/status").read()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))


RSS_GROWTH_BUDGET_KIB = 48 * 1024  # docs/wire-format.md, "Bounds"


def test_receiver_memory_stays_bounded_under_fuzz_and_forged_parts(tmp_path, receiver_command):
    name, command = receiver_command
    port, log = free_udp_port(), tmp_path / f"{name}.log"
    rng = random.Random(5)
    valid = encode_frame(random_frame(np.random.default_rng(8), 9), HEADER, 1200)
    attack = [mutate(rng, rng.choice(valid)) for _ in range(2500)] + forged_parts(rng)

    def frame_seen(sequence: int, s: socket.socket) -> bool:
        header = WireHeader(8, sequence, 0, 0, "sentinel")
        s.sendto(encode_frame(sample_frame(1), header, 1200)[0], ("127.0.0.1", port))
        return any(line.get("seq") == sequence for line in json_lines(log))

    with start_receiver(command, port, log) as child, socket.socket(
        socket.AF_INET, socket.SOCK_DGRAM
    ) as s:
        wait_listening(log)
        wait_for(lambda: frame_seen(1, s), f"{name} to take a first frame")
        before = rss_kib(child.pid)
        for datagram in attack:
            s.sendto(datagram, ("127.0.0.1", port))
            time.sleep(len(datagram) / 10e6)  # pacing, so that most datagrams reach the receiver
        wait_for(lambda: frame_seen(2, s), f"{name} to take a frame after the attack")
        after = rss_kib(child.pid)
        assert child.poll() is None
    print(f"{name}: RSS {before} KiB before, {after} KiB after {len(attack)} datagrams")
    assert after - before < RSS_GROWTH_BUDGET_KIB, f"{name} grew {after - before} KiB"
