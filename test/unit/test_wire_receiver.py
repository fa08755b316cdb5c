"""The Python receiver: loopback, an unshared port, a clear message, a sender filter, JSON keys."""

import socket

import numpy as np
import pytest
from wire_samples import HEADER, random_frame

from pose_estimation_ros.core.wire import decode_datagram, encode_frame, schema
from pose_estimation_ros.udp_receiver import (
    PortInUseError,
    from_sender,
    open_socket,
    parse_args,
    parse_sender,
    part_to_json,
)


def test_default_address_is_loopback_and_wildcard_only_for_multicast():
    assert parse_args([]).address == "127.0.0.1"
    assert parse_args(["--multicast-group", "239.255.49.1"]).address == "0.0.0.0"
    assert parse_args(["--address", "10.0.0.2"]).address == "10.0.0.2"


def test_a_taken_port_is_one_clear_error_and_never_shared():
    with open_socket("127.0.0.1", 0) as held:
        port = held.getsockname()[1]
        assert not held.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR)
        with pytest.raises(PortInUseError, match=f"UDP port {port} is in use on 127.0.0.1"):
            open_socket("127.0.0.1", port)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as thief:
            thief.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            with pytest.raises(OSError, match="in use"):
                thief.bind(("127.0.0.1", port))


@pytest.mark.parametrize(
    "sender, remote, accepted",
    [
        ("localhost", ("127.0.0.1", 5000), True),
        ("127.0.0.1", ("127.0.0.2", 5000), False),
        ("127.0.0.1:5000", ("127.0.0.1", 5000), True),
        ("127.0.0.1:5000", ("127.0.0.1", 5001), False),
    ],
)
def test_sender_filter(sender, remote, accepted):
    assert from_sender(remote, parse_sender(sender)) is accepted
    assert from_sender(remote, None)


@pytest.mark.parametrize("text", ["no-such-host.invalid", "127.0.0.1:0", "127.0.0.1:http"])
def test_bad_sender_is_refused_clearly(text):
    with pytest.raises(ValueError, match="--sender"):
        parse_sender(text)


def test_json_keys_are_the_wire_keys():
    frame = random_frame(np.random.default_rng(0), 2)
    (datagram,) = encode_frame(frame, HEADER, schema.MAX_UDP_PAYLOAD_BYTES)
    printed = part_to_json(decode_datagram(datagram))
    assert set(printed) == schema.FRAME_KEYS - {schema.KEY_VERSION}
    assert [set(person) for person in printed[schema.KEY_PEOPLE]] == [schema.PERSON_KEYS] * 2
