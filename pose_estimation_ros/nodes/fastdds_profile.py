"""Read the frame-carrying buffers out of a Fast DDS XML profiles file.

Only what decides whether a 1.3 MB frame fits: the default participant's
shared-memory segment and UDP receive buffer, from its user transports and,
unless turned off, Fast DDS's built-in ones (512 kB segment, the OS's socket
buffer). Everything else in the file is Fast DDS's business.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path

BUILTIN_SEGMENT_BYTES = 512 * 1024  # Fast DDS's default shared-memory segment
OS_DEFAULT_SOCKET_BUFFER = Path("/proc/sys/net/core/rmem_default")
_UNITS = {"": 1, "B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}


class ProfileError(ValueError):
    """A profiles file that cannot be read."""


@dataclass
class ProfileTransports:
    """The frame buffers of a profile's default participant, in bytes (largest of each kind)."""

    segments: list[int] = field(default_factory=list)
    udp_receive_buffers: list[int] = field(default_factory=list)

    def buffer_sizes(self) -> dict[str, int]:
        """Return ``{what: bytes}`` for each kind of transport the participant has."""
        sizes = {}
        if self.segments:
            sizes["its shared-memory segment"] = max(self.segments)
        if self.udp_receive_buffers:
            sizes["its UDP receive buffer (frames from other machines)"] = max(
                self.udp_receive_buffers
            )
        return sizes


def read_transports(path: Path) -> ProfileTransports:
    """Transports of the default participant profile in ``path`` (built-in ones without one)."""
    try:
        root = ElementTree.parse(path).getroot()
    except (OSError, ElementTree.ParseError) as error:
        raise ProfileError(f"cannot be read: {error}") from None
    _strip_namespaces(root)
    participant = next(
        (p for p in root.iter("participant") if p.get("is_default_profile") == "true"), None
    )
    rtps = participant.find("rtps") if participant is not None else None
    if rtps is None:
        return _builtin(None)
    transports = ProfileTransports()
    descriptors = {d.findtext("transport_id"): d for d in root.iter("transport_descriptor")}
    for transport_id in rtps.iterfind("userTransports/transport_id"):
        descriptor = descriptors.get(transport_id.text)
        if descriptor is None:
            raise ProfileError(f"user transport {transport_id.text!r} has no descriptor")
        kind = (descriptor.findtext("type") or "").strip()
        if kind == "SHM":
            segment = _size(descriptor.findtext("segment_size"), BUILTIN_SEGMENT_BYTES)
            transports.segments.append(segment)
        elif kind in ("UDPv4", "UDPv6"):
            transports.udp_receive_buffers.append(
                _size(descriptor.findtext("receiveBufferSize"), _os_socket_buffer())
            )
    if (rtps.findtext("useBuiltinTransports") or "true").strip().lower() != "false":
        builtin = _builtin(rtps.find("builtinTransports"))
        transports.segments += builtin.segments
        transports.udp_receive_buffers += builtin.udp_receive_buffers
    return transports


def _builtin(element: ElementTree.Element | None) -> ProfileTransports:
    """Fast DDS's built-in transports, sized by a ``<builtinTransports sockets_size>``."""
    sockets = element.get("sockets_size") if element is not None else None
    return ProfileTransports(
        segments=[_size(sockets, BUILTIN_SEGMENT_BYTES)],
        udp_receive_buffers=[_size(sockets, _os_socket_buffer())],
    )


def _size(text: str | None, default: int) -> int:
    """Bytes from ``"16777216"`` or ``"16MB"``; ``default`` when unset or 0 (Fast DDS's rule)."""
    if text is None or not text.strip():
        return default
    match = re.fullmatch(r"\s*(\d+)\s*([KMG]?B?)\s*", text.upper())
    if match is None:
        raise ProfileError(f"size {text!r} is not a number of bytes")
    value = int(match.group(1)) * _UNITS[match.group(2)]
    return value or default


def _os_socket_buffer() -> int:
    try:
        return int(OS_DEFAULT_SOCKET_BUFFER.read_text())
    except (OSError, ValueError):
        return 212_992  # Linux's usual default


def _strip_namespaces(root: ElementTree.Element) -> None:
    """Drop ``{http://www.eprosima.com}`` so that tags read as written."""
    for element in root.iter():
        element.tag = element.tag.rpartition("}")[2]
