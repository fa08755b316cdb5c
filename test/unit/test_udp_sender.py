"""UdpSender: real loopback sends, ICMP port unreachable, bad destinations, a full send buffer."""

import socket

import pytest

from pose_estimation_ros.core.udp_sender import Destination, SendOutcome, UdpSender


def test_sends_every_datagram_of_a_frame_to_the_destination():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as receiver:
        receiver.bind(("127.0.0.1", 0))
        receiver.settimeout(10)
        sender = UdpSender(Destination("localhost", receiver.getsockname()[1]))
        try:
            assert sender.send_frame([b"one", b"two"]) == (SendOutcome.SENT, None)
            assert [receiver.recv(100), receiver.recv(100)] == [b"one", b"two"]
        finally:
            sender.close()
    assert (sender.counts.frames_sent, sender.counts.datagrams_sent) == (1, 2)


def test_port_unreachable_is_reported_not_raised():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sender = UdpSender(Destination("127.0.0.1", port))
    try:
        outcomes = [sender.send_frame([b"x"])[0] for _ in range(20)]
    finally:
        sender.close()
    assert SendOutcome.REFUSED in outcomes  # the ICMP error of one send surfaces on a later one
    assert sender.counts.frames_refused == outcomes.count(SendOutcome.REFUSED)


class FullSocket:
    """Stands in for a socket whose send buffer is full after ``room`` datagrams.

    A full buffer cannot be produced reliably on loopback (the kernel hands each
    datagram to the receiver, or drops it, before send returns), so this is faked.
    """

    def __init__(self, room: int) -> None:
        """Accept ``room`` datagrams, then refuse."""
        self.room, self.sent = room, []

    def send(self, datagram: bytes) -> int:
        if len(self.sent) == self.room:
            raise BlockingIOError(11, "Resource temporarily unavailable")
        self.sent.append(datagram)
        return len(datagram)

    def close(self) -> None:
        pass


def test_a_send_that_would_block_drops_the_rest_of_the_frame():
    sender = UdpSender(Destination("127.0.0.1", 9))
    sender._socket.close()
    sender._socket = FullSocket(room=2)
    outcome, error = sender.send_frame([b"a", b"b", b"c", b"d"])
    assert outcome is SendOutcome.WOULD_BLOCK and isinstance(error, BlockingIOError)
    assert sender._socket.sent == [b"a", b"b"]
    assert (sender.counts.datagrams_sent, sender.counts.datagrams_dropped) == (2, 2)
    assert sender.counts.frames_sent == 0


@pytest.mark.parametrize(
    "destination, words",
    [
        (Destination("127.0.0.1", 4900, mode="anycast"), "mode must be one of"),
        (Destination("127.0.0.1", 4900, mode="multicast", multicast_group="10.0.0.1"), "224.0"),
        (Destination("no-such-host.invalid", 4900), "cannot resolve"),
    ],
)
def test_bad_destination_is_refused_clearly(destination, words):
    with pytest.raises(ValueError, match=words):
        UdpSender(destination)
