"""Send datagrams over UDP without ever blocking: unicast, multicast or broadcast (IPv4).

The socket is non-blocking and connected to the one configured destination,
so nothing can be sent anywhere else, and the kernel reports an ICMP "port
unreachable" for that destination as ``ECONNREFUSED`` on a later send. A send
that would block is not retried: the rest of the frame is dropped and counted,
so nothing queues up and latency cannot grow.
"""

from __future__ import annotations

import enum
import ipaddress
import socket
from collections.abc import Sequence
from dataclasses import dataclass

from pose_estimation_ros.core.options import option

MODES = ("unicast", "multicast", "broadcast")
DEFAULT_PORT = 4900  # the bridge's and the receivers' port unless told otherwise
DEFAULT_MULTICAST_GROUP = "239.255.49.1"  # organisation-local scope (RFC 2365)


class SendOutcome(enum.Enum):
    """What became of one frame's datagrams."""

    SENT = "sent"
    WOULD_BLOCK = "would_block"  # socket buffer full: frame (rest) dropped
    REFUSED = "refused"  # ICMP port unreachable: nobody listens at the destination
    FAILED = "failed"  # any other socket error (no route, message too long, ...)


@dataclass
class SendCounts:
    """Running totals of a sender, for logs and diagnostics."""

    frames_sent: int = 0
    datagrams_sent: int = 0
    datagrams_dropped: int = 0
    frames_refused: int = 0
    frames_failed: int = 0


@dataclass(frozen=True)
class Destination:
    """Where datagrams go: ``host``/``port`` (unicast, broadcast) or a multicast group.

    Each field is declared with its spec (``core.options.option``): the UDP
    bridge's parameters and launch arguments of the same names.
    """

    host: str = option("127.0.0.1", "Destination host or IPv4 address (unicast, broadcast).")
    port: int = option(DEFAULT_PORT, "Destination UDP port.", min_value=1, max_value=65535)
    mode: str = option(
        "unicast",
        "How to send: to host, to multicast_group, or broadcast to "
        "host (a broadcast address such as 192.168.1.255).",
        choices=MODES,
    )
    multicast_group: str = option(
        DEFAULT_MULTICAST_GROUP, "IPv4 multicast group (mode multicast)."
    )
    multicast_ttl: int = option(
        1, "Multicast time-to-live: 1 stays on the local network.", min_value=0, max_value=255
    )
    multicast_interface: str = option(
        "", "IPv4 address of the interface multicast leaves by; empty lets the OS choose."
    )

    def address(self) -> tuple[str, int]:
        """Resolve the IPv4 address and port; ``ValueError`` saying what is wrong otherwise."""
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {self.mode!r}")
        name = self.multicast_group if self.mode == "multicast" else self.host
        try:
            ip = socket.getaddrinfo(name, self.port, socket.AF_INET, socket.SOCK_DGRAM)[0][4][0]
        except socket.gaierror as error:
            raise ValueError(f"cannot resolve {name!r} to an IPv4 address: {error}") from None
        if self.mode == "multicast" and not ipaddress.IPv4Address(ip).is_multicast:
            raise ValueError(f"multicast_group {name!r} is not in 224.0.0.0/4")
        return ip, self.port


class UdpSender:
    """A non-blocking UDP socket connected to one destination."""

    def __init__(self, destination: Destination) -> None:
        """Open and configure the socket; ``ValueError`` for a bad destination."""
        self.address = destination.address()
        self.counts = SendCounts()
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            self._configure(destination)
            self._socket.setblocking(False)
            self._socket.connect(self.address)
        except OSError as error:
            self._socket.close()
            raise ValueError(f"cannot send to {self.address} ({destination.mode}): {error}")

    def _configure(self, destination: Destination) -> None:
        if destination.mode == "broadcast":
            self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        elif destination.mode == "multicast":
            self._socket.setsockopt(
                socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, destination.multicast_ttl
            )
            if destination.multicast_interface:
                self._socket.setsockopt(
                    socket.IPPROTO_IP,
                    socket.IP_MULTICAST_IF,
                    socket.inet_aton(destination.multicast_interface),
                )

    def send_frame(self, datagrams: Sequence[bytes]) -> tuple[SendOutcome, OSError | None]:
        """Send a frame's datagrams now; never blocks. Returns the outcome and any error."""
        for index, datagram in enumerate(datagrams):
            try:
                self._socket.send(datagram)
            except BlockingIOError as error:
                self.counts.datagrams_dropped += len(datagrams) - index
                return SendOutcome.WOULD_BLOCK, error
            except ConnectionRefusedError as error:
                self.counts.frames_refused += 1
                self.counts.datagrams_dropped += len(datagrams) - index
                return SendOutcome.REFUSED, error
            except OSError as error:
                self.counts.frames_failed += 1
                self.counts.datagrams_dropped += len(datagrams) - index
                return SendOutcome.FAILED, error
            self.counts.datagrams_sent += 1
        self.counts.frames_sent += 1
        return SendOutcome.SENT, None

    def close(self) -> None:
        """Close the socket."""
        self._socket.close()
