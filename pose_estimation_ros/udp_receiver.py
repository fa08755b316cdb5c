"""Receive wire format v1 pose datagrams and print them (no ROS needed).

    udp_receiver --port 4900                 # people, rate and sequence gaps, human-readable
    udp_receiver --port 4900 --json          # one JSON object per accepted datagram
    udp_receiver --multicast-group 239.255.49.1

Datagrams older than the newest frame seen are dropped (wrap-aware); a
malformed datagram is reported and skipped.
"""

from __future__ import annotations

import argparse
import json
import socket
import struct
import sys
import time
from typing import Any

from pose_estimation_ros.core.wire import (
    LatestFrameFilter,
    WireFormatError,
    WirePart,
    decode_datagram,
    is_newer,
    sequence_gap,
)
from pose_estimation_ros.core.wire.schema import MAX_UDP_PAYLOAD_BYTES

_RATE_SMOOTHING = 0.1  # weight of the newest frame interval in the rate estimate


def part_to_json(part: WirePart) -> dict[str, Any]:
    """Return a datagram as the JSON object every receiver CLI prints (same keys as the wire)."""
    header, frame = part.header, part.frame
    return {
        "seq": header.sequence,
        "stream": header.stream,
        "part": part.part,
        "parts": part.parts,
        "stamp_sec": header.stamp_sec,
        "stamp_nanosec": header.stamp_nanosec,
        "frame_id": header.frame_id,
        "width": frame.image_width,
        "height": frame.image_height,
        "model": frame.model,
        "layout": frame.layout.name,
        "num_keypoints": frame.layout.num_keypoints,
        "people": [
            {
                "id": person.track_id,
                "score": person.score,
                "box": list(person.box),
                "keypoints": person.keypoints.ravel().tolist(),
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


def open_socket(bind: str, port: int, group: str, interface: str) -> socket.socket:
    """Bind a UDP socket, joining multicast ``group`` on ``interface`` when given."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((bind, port))
    if group:
        membership = struct.pack("4s4s", socket.inet_aton(group), socket.inet_aton(interface))
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
    return sock


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=4900, help="UDP port (default 4900)")
    parser.add_argument("--address", default="0.0.0.0", help="local address to listen on")
    parser.add_argument("--multicast-group", default="", help="join this IPv4 multicast group")
    parser.add_argument(
        "--multicast-interface", default="0.0.0.0", help="IPv4 address of the joining interface"
    )
    parser.add_argument("--json", action="store_true", help="print JSON lines")
    parser.add_argument("--count", type=int, default=0, help="exit after N datagrams (0: never)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Receive and print until interrupted (or ``--count`` datagrams were accepted)."""
    args = parse_args(argv)
    sock = open_socket(args.address, args.port, args.multicast_group, args.multicast_interface)
    print(f"listening on {args.address}:{args.port}", file=sys.stderr, flush=True)
    latest, stats, accepted = LatestFrameFilter(), FrameStats(), 0
    try:
        while not args.count or accepted < args.count:
            data = sock.recv(MAX_UDP_PAYLOAD_BYTES + 1)
            try:
                part = decode_datagram(data)
            except WireFormatError as error:
                report = {"error": str(error)} if args.json else f"bad datagram: {error}"
                print(json.dumps(report) if args.json else report, flush=True)
                continue
            if not latest.accept(part.header):
                if not args.json:
                    print(f"dropped a datagram of frame {part.header.sequence}: older", flush=True)
                continue
            accepted += 1
            gap = stats.update(part, time.monotonic())
            text = json.dumps(part_to_json(part)) if args.json else describe(part, stats, gap)
            print(text, flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
