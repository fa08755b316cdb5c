"""The bridge node turns PoseArrays published over DDS into wire format v1 datagrams on UDP.

Real processes throughout: the publisher and the bridge node are separate OS
processes talking over Fast DDS; datagrams cross the loopback interface.
"""

import dataclasses
import random
import re
import socket
import struct

import pytest
from bridge_processes import bridge, free_udp_port, publisher, udp_listener
from processes_util import receive_until, stop, wait_for
from wire_samples import assert_same_frame, sample_frame

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus

from pose_estimation_ros.core.wire import (
    FrameAssembler,
    WireHeader,
    decode_datagram,
    encode_frame,
)
from pose_estimation_ros.core.wire.schema import MIN_DATAGRAM_BYTES
from pose_estimation_ros.msg import PoseArray

pytestmark = pytest.mark.slow
NO_LISTENER_WARNING = "nothing listens on"


def receive_frame(sock: socket.socket):
    """Read datagrams until one whole frame is assembled; return it and its parts in order."""
    assembler, parts = FrameAssembler(), {}

    def one_frame():
        try:
            datagram = sock.recv(65535)
        except socket.timeout:
            return None
        part = decode_datagram(datagram)
        parts.setdefault(part.header.sequence, {})[part.part] = (len(datagram), part)
        result = assembler.add(part)
        in_order = [parts[part.header.sequence][i] for i in range(part.parts)] if result else []
        return result and (*result, in_order)

    return wait_for(one_frame, "a whole frame from the bridge")


def assert_split_as_specified(parts, max_datagram_bytes: int) -> None:
    """Each datagram is within the limit and filled greedily with whole people in order.

    (docs/wire-format.md, "Splitting": a datagram but the last could not take the next person.)
    """
    assert all(size <= max_datagram_bytes for size, _ in parts), [size for size, _ in parts]
    for (_, part), (_, following) in zip(parts, parts[1:]):
        grown = dataclasses.replace(
            part.frame, people=[*part.frame.people, following.frame.people[0]]
        )
        (alone,) = encode_frame(grown, part.header, 65507)
        assert len(alone) > max_datagram_bytes, f"part {part.part} had room for another person"


def check_sample(header: WireHeader, frame, num_people: int) -> None:
    assert (header.stamp_sec, header.stamp_nanosec) == (1234, 567890)
    assert header.frame_id == "camera_optical_frame"
    assert_same_frame(frame, sample_frame(num_people))


@pytest.mark.parametrize("num_people", [1, 20])
def test_bridge_sends_exactly_what_was_published(ros_domain_id, tmp_path, num_people):
    with udp_listener() as sock:
        port = sock.getsockname()[1]
        with publisher(num_people, tmp_path / "publisher.log"), bridge(
            tmp_path / "bridge.log", port=port, max_datagram_bytes=1200
        ):
            header, frame, parts = receive_frame(sock)
    check_sample(header, frame, num_people)
    assert_split_as_specified(parts, 1200)
    assert (len(parts) == 1) == (num_people == 1)  # 20 people (about 310 B each) need several


@pytest.mark.parametrize("mode", ["multicast", "broadcast"])
def test_multicast_and_broadcast_reach_a_listener(ros_domain_id, tmp_path, mode):
    group = f"239.255.{random.randrange(256)}.{random.randrange(1, 255)}"
    with udp_listener("0.0.0.0") as sock:
        port = sock.getsockname()[1]
        if mode == "multicast":
            join = struct.pack("4s4s", socket.inet_aton(group), socket.inet_aton("127.0.0.1"))
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, join)
        params = dict(port=port, mode=mode, host="127.255.255.255", multicast_group=group)
        if mode == "multicast":
            params["multicast_interface"] = "127.0.0.1"
        with publisher(2, tmp_path / "publisher.log"), bridge(tmp_path / "bridge.log", **params):
            header, frame, _ = receive_frame(sock)
    check_sample(header, frame, 2)


def bridge_diagnostics(level: bytes, words: str):
    """Condition: a bridge status with ``level`` whose message contains ``words`` arrived."""

    def seen(arrays: list[DiagnosticArray]) -> bool:
        return any(
            s.level == level and words in s.message and "UDP bridge" in s.name
            for array in arrays
            for s in array.status
        )

    return seen


def test_no_listener_keeps_running_and_logs_once(ros_context, tmp_path):
    port = free_udp_port()
    log = tmp_path / "bridge.log"
    with publisher(1, tmp_path / "publisher.log"), bridge(log, port=port) as node:
        wait_for(lambda: NO_LISTENER_WARNING in log.read_text(), "the no-listener warning")
        # Ten more frames reach the bridge while nobody listens: several more refusals.
        receive_until(ros_context, "poses", PoseArray, lambda poses: len(poses) >= 10)
        warn = bridge_diagnostics(DiagnosticStatus.WARN, f"nothing listens on 127.0.0.1:{port}")
        receive_until(ros_context, "/diagnostics", DiagnosticArray, warn)
        assert node.poll() is None, f"the bridge died:\n{log.read_text()}"
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:  # a receiver starts
            sock.bind(("127.0.0.1", port))
            sock.settimeout(0.2)
            header, frame, _ = receive_frame(sock)
            ok = bridge_diagnostics(DiagnosticStatus.OK, f"sending to 127.0.0.1:{port}")
            receive_until(ros_context, "/diagnostics", DiagnosticArray, ok)
        check_sample(header, frame, 1)
        stop(node)  # as Ctrl-C
    text = log.read_text()
    assert node.returncode == 0, text
    assert text.count(NO_LISTENER_WARNING) == 1, text
    refused = int(re.search(r"stopping: .* (\d+) frames refused", text).group(1))
    assert refused >= 3, text


@pytest.mark.parametrize(
    "params, words",
    [
        ({"mode": "anycast"}, "parameter 'mode' must be one of unicast, multicast, broadcast"),
        ({"mode": "multicast", "multicast_group": "10.1.1.1"}, "is not in 224.0.0.0/4"),
        (
            {"max_datagram_bytes": MIN_DATAGRAM_BYTES - 1},
            f"max_datagram_bytes out of range. Min: {MIN_DATAGRAM_BYTES}",
        ),
    ],
)
def test_invalid_parameters_stop_the_node_clearly(ros_domain_id, tmp_path, params, words):
    log = tmp_path / "bridge.log"
    with bridge(log, **params) as node:
        assert node.wait(timeout=60) == 1
    assert words in log.read_text()
