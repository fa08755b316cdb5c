"""Wrapping sequence numbers (RFC 1982 serial number arithmetic) and receiver-side filters.

Sequence numbers count frames modulo 2**32. ``a`` is newer than ``b`` when
``(a - b) mod 2**32`` is in ``1 .. 2**31 - 1``, so 0 is newer than
4294967295 and a receiver keeps working across the wrap.
"""

from __future__ import annotations

from pose_estimation_ros.core.types import PoseFrame
from pose_estimation_ros.core.wire.schema import UINT32_LIMIT, WireHeader, WirePart

_HALF_RANGE = UINT32_LIMIT // 2


def next_sequence(sequence: int) -> int:
    """Sequence number following ``sequence``, wrapping to 0 after 2**32 - 1."""
    return (sequence + 1) % UINT32_LIMIT


def is_newer(candidate: int, reference: int) -> bool:
    """Whether ``candidate`` comes after ``reference`` (wrap-aware, RFC 1982)."""
    return 0 < (candidate - reference) % UINT32_LIMIT < _HALF_RANGE


def sequence_gap(previous: int, current: int) -> int:
    """How many sequence numbers were skipped between ``previous`` and a newer ``current``."""
    return (current - previous) % UINT32_LIMIT - 1


class LatestFrameFilter:
    """Accept datagrams of the newest frame seen so far or newer; drop older ones.

    A datagram from another ``stream`` (the sender restarted) resets the filter.
    """

    def __init__(self) -> None:
        """Start with no frame seen."""
        self.reset()

    def reset(self) -> None:
        """Forget the newest frame seen."""
        self._stream: int | None = None
        self._newest = 0

    def accept(self, header: WireHeader) -> bool:
        """Whether a datagram with this header is to be used (and remember it if newer)."""
        if header.stream != self._stream or is_newer(header.sequence, self._newest):
            self._stream, self._newest = header.stream, header.sequence
            return True
        return header.sequence == self._newest


class FrameAssembler:
    """Join the parts of the newest frame; parts of older frames are dropped."""

    def __init__(self) -> None:
        """Start with no frame seen."""
        self._filter = LatestFrameFilter()
        self._header: WireHeader | None = None
        self._parts: dict[int, WirePart] = {}
        self._complete = False

    def add(self, part: WirePart) -> tuple[WireHeader, PoseFrame] | None:
        """Take one decoded datagram; return the whole frame once its last missing part came."""
        if not self._filter.accept(part.header):
            return None
        if part.header != self._header:
            self._header, self._parts, self._complete = part.header, {}, False
        self._parts.setdefault(part.part, part)
        if self._complete or len(self._parts) != part.parts:
            return None
        self._complete = True
        ordered = [self._parts[i] for i in sorted(self._parts)]
        first = ordered[0].frame
        people = [person for p in ordered for person in p.frame.people]
        frame = PoseFrame(first.model, first.layout, first.image_width, first.image_height, people)
        return part.header, frame
