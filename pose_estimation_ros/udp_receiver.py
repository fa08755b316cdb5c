"""Receive wire format v1 pose datagrams and print them (no ROS needed).

    udp_receiver --port 4900                 # people, rate and sequence gaps, human-readable
    udp_receiver --port 4900 --json          # one JSON object per accepted datagram
    udp_receiver --multicast-group 239.255.49.1
    udp_receiver --address 0.0.0.0 --sender 192.168.1.20   # from another host, that one only

It listens on 127.0.0.1 unless told otherwise and never shares its port.
Datagrams older than the newest frame seen are dropped (wrap-aware), so are
duplicate parts and parts beyond the bounds of docs/wire-format.md (each cause
reported once); a malformed datagram is reported and skipped.
"""

from __future__ import annotations

import argparse
import errno
import json
import socket
import struct
import sys
import time
from collections import Counter
from typing import Any

from pose_estimation_ros.core.udp_sender import DEFAULT_PORT
from pose_estimation_ros.core.wire import (
    FrameAssembler,
    PartVerdict,
    WireFormatError,
    WirePart,
    decode_datagram,
    is_newer,
    sequence_gap,
)
from pose_estimation_ros.core.wire import schema as s

_RATE_SMOOTHING = 0.1  # weight of the newest frame interval in the rate estimate


def part_to_json(part: WirePart) -> dict[str, Any]:
    """Return a datagram as the JSON object every receiver CLI prints (same keys as the wire)."""
    header, frame = part.header, part.frame
    return {
        s.KEY_SEQUENCE: header.sequence,
        s.KEY_STREAM: header.stream,
        s.KEY_PART: part.part,
        s.KEY_PARTS: part.parts,
        s.KEY_STAMP_SEC: header.stamp_sec,
        s.KEY_STAMP_NANOSEC: header.stamp_nanosec,
        s.KEY_FRAME_ID: header.frame_id,
        s.KEY_WIDTH: frame.image_width,
        s.KEY_HEIGHT: frame.image_height,
        s.KEY_MODEL: frame.model,
        s.KEY_LAYOUT: frame.layout.name,
        s.KEY_NUM_KEYPOINTS: frame.layout.num_keypoints,
        s.KEY_PEOPLE: [
            {
                s.KEY_ID: person.track_id,
                s.KEY_SCORE: person.score,
                s.KEY_BOX: list(person.box),
                s.KEY_KEYPOINTS: person.keypoints.ravel().tolist(),
            }
            for person in frame.people
        ],
    }


class FrameStats:
    """Frame rate and sequence gaps of the accepted frames."""

    def __init__(self) -> None:
        """Start with nothing seen."""
        self.rate_hz = 0.0
        self._last: tuple[int, int, float] | None = None  # stream, sequence, time

    def update(self, part: WirePart, now_s: float) -> int | None:
        """Account for a datagram; return the sequence gap when it starts a newer frame."""
        stream, sequence = part.header.stream, part.header.sequence
        if self._last is None or self._last[0] != stream:
            self._last = (stream, sequence, now_s)
            return 0
        _, last_sequence, last_s = self._last
        if not is_newer(sequence, last_sequence):
            return None
        if now_s > last_s:
            instant = 1.0 / (now_s - last_s)
            self.rate_hz += _RATE_SMOOTHING * (instant - self.rate_hz) if self.rate_hz else instant
        self._last = (stream, sequence, now_s)
        return sequence_gap(last_sequence, sequence)


def describe(part: WirePart, stats: FrameStats, gap: int | None) -> str:
    """Human-readable lines for one datagram."""
    header, frame = part.header, part.frame
    lines = [
        f"frame {header.sequence} part {part.part + 1}/{part.parts} "
        f"stamp {header.stamp_sec}.{header.stamp_nanosec:09d} '{header.frame_id}' "
        f"{frame.model}/{frame.layout.name} {frame.image_width}x{frame.image_height}: "
        f"{len(frame.people)} people, {stats.rate_hz:.1f} Hz"
        + (f", {gap} frames missing before it" if gap else "")
    ]
    for person in frame.people:
        best = person.keypoints[person.keypoints[:, 2].argmax()]
        lines.append(
            f"  id {person.track_id} score {person.score:.2f} box "
            + " ".join(f"{v:.1f}" for v in person.box)
            + f" best keypoint ({best[0]:.1f}, {best[1]:.1f}) score {best[2]:.2f}"
        )
    return "\n".join(lines)


class PortInUseError(OSError):
    """The UDP port is held by another socket; the message says what to do."""


class OncePerCause:
    """Count dropped datagrams by cause; report the first of each cause on stderr only."""

    def __init__(self) -> None:
        """Start with nothing dropped."""
        self.counts: Counter[str] = Counter()

    def drop(self, cause: str, words: str) -> None:
        """Count a datagram dropped for ``cause``; print ``words`` the first time."""
        self.counts[cause] += 1
        if self.counts[cause] == 1:
            print(f"warning: {words} (reported once, counted)", file=sys.stderr, flush=True)

    def summary(self) -> str:
        """One line: how many datagrams each cause dropped."""
        return ", ".join(f"{count} {cause}" for cause, count in sorted(self.counts.items()))


def open_socket(
    bind: str, port: int, group: str = "", interface: str = "0.0.0.0"
) -> socket.socket:
    """Bind a UDP socket, joining multicast ``group`` on ``interface`` when given.

    A unicast port is never shared (no ``SO_REUSEADDR``): another program on the
    port makes this fail with ``PortInUseError``. Several receivers of one
    multicast group on a host need address reuse, so it is set in that mode only.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        if group:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((bind, port))
        if group:
            membership = struct.pack("4s4s", socket.inet_aton(group), socket.inet_aton(interface))
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise PortInUseError(
                f"UDP port {port} is in use on {bind} (another program, maybe another "
                f"receiver, holds it); stop that program or use another --port (and the "
                f"bridge's port parameter)",
            ) from None
        raise
    return sock


def parse_sender(text: str) -> tuple[str, int | None]:
    """Turn ``HOST[:PORT]`` into an IPv4 address and an optional port; ``ValueError`` if bad."""
    host, _, port = text.partition(":")
    try:
        address = socket.getaddrinfo(host, None, socket.AF_INET, socket.SOCK_DGRAM)[0][4][0]
    except socket.gaierror as error:
        raise ValueError(f"--sender {text!r}: cannot resolve {host!r}: {error}") from None
    if port and not (port.isdigit() and 0 < int(port) < 65536):
        raise ValueError(f"--sender {text!r}: port must be 1..65535")
    return address, int(port) if port else None


def from_sender(remote: tuple[str, int], sender: tuple[str, int | None] | None) -> bool:
    """Whether a datagram from ``remote`` comes from the configured sender (any when none)."""
    if sender is None:
        return True
    host, port = sender
    return remote[0] == host and port in (None, remote[1])


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="UDP port (default: %(default)s)"
    )
    parser.add_argument(
        "--address",
        default=None,
        help="local address to listen on (default 127.0.0.1; 0.0.0.0 with --multicast-group); "
        "0.0.0.0 or an interface's address takes datagrams from other hosts",
    )
    parser.add_argument("--multicast-group", default="", help="join this IPv4 multicast group")
    parser.add_argument(
        "--multicast-interface", default="0.0.0.0", help="IPv4 address of the joining interface"
    )
    parser.add_argument(
        "--sender",
        default="",
        help="HOST[:PORT]: accept datagrams from this sender only; others are dropped, counted",
    )
    parser.add_argument("--json", action="store_true", help="print JSON lines")
    parser.add_argument("--count", type=int, default=0, help="exit after N datagrams (0: never)")
    args = parser.parse_args(argv)
    if args.address is None:
        args.address = "0.0.0.0" if args.multicast_group else "127.0.0.1"
    return args


def receive(
    sock: socket.socket,
    args: argparse.Namespace,
    sender: tuple[str, int | None] | None,
    dropped: OncePerCause,
) -> None:
    """Print accepted datagrams until ``--count`` of them were accepted (forever with 0)."""
    assembler, stats, accepted = FrameAssembler(), FrameStats(), 0
    while not args.count or accepted < args.count:
        data, remote = sock.recvfrom(s.MAX_UDP_PAYLOAD_BYTES + 1)
        if not from_sender(remote, sender):
            dropped.drop(
                "from another sender",
                f"dropped a datagram from {remote[0]}:{remote[1]}, not --sender {args.sender}",
            )
            continue
        try:
            part = decode_datagram(data)
        except WireFormatError as error:
            report = {"error": str(error)} if args.json else f"bad datagram: {error}"
            print(json.dumps(report) if args.json else report, flush=True)
            continue
        verdict = assembler.offer(part)
        if verdict is PartVerdict.STALE and not args.json:
            print(f"dropped a datagram of frame {part.header.sequence}: older", flush=True)
        if verdict is not PartVerdict.ACCEPTED:
            dropped.drop(verdict.name.lower().replace("_", " "), verdict.value)
            continue
        accepted += 1
        gap = stats.update(part, time.monotonic())
        text = (
            json.dumps(part_to_json(part), allow_nan=False)
            if args.json
            else describe(part, stats, gap)
        )
        print(text, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Receive and print until interrupted (or ``--count`` datagrams were accepted)."""
    args = parse_args(argv)
    try:
        sender = parse_sender(args.sender) if args.sender else None
        sock = open_socket(args.address, args.port, args.multicast_group, args.multicast_interface)
    except (ValueError, OSError) as error:
        print(f"udp_receiver: {error}", file=sys.stderr, flush=True)
        return 2
    only = f", accepting datagrams from {args.sender} only" if sender else ""
    port = sock.getsockname()[1]
    print(f"listening on {args.address}:{port}{only}", file=sys.stderr, flush=True)
    dropped = OncePerCause()
    try:
        receive(sock, args, sender, dropped)
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
        if dropped.counts:
            print(f"dropped datagrams: {dropped.summary()}", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
