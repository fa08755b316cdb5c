"""The Python receiver's socket: loopback, an unshared port, a clear message, a sender filter."""

import socket

import pytest

from pose_estimation_ros.udp_receiver import (
    PortInUseError,
    from_sender,
    open_socket,
    parse_args,
    parse_sender,
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
