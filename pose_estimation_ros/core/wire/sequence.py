"""Wrapping sequence numbers (RFC 1982 serial number arithmetic) and receiver-side filters.

Sequence numbers count frames modulo 2**32. ``a`` is newer than ``b`` when
``(a - b) mod 2**32`` is in ``1 .. 2**31 - 1``, so 0 is newer than
4294967295 and a receiver keeps working across the wrap.
"""

from __future__ import annotations

import enum
from collections import Counter

from pose_estimation_ros.core.types import PoseFrame
from pose_estimation_ros.core.wire.schema import (
    MAX_FRAME_BYTES,
    MAX_PEOPLE_PER_FRAME,
    UINT32_LIMIT,
    WireHeader,
    WirePart,
)

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


class PartVerdict(enum.Enum):
    """What a ``FrameAssembler`` did with one datagram; the value says why in words."""

    ACCEPTED = "accepted"
    STALE = "a datagram of an older frame than the newest one was dropped"
    DUPLICATE = "a part that arrived already was dropped (duplicates add no people)"
    INCONSISTENT = "a part that disagrees with its frame's header or part count was dropped"
    TOO_MANY_PEOPLE = (
        f"a part was dropped: its frame would hold more than {MAX_PEOPLE_PER_FRAME} people"
    )
    TOO_MANY_BYTES = (
        f"a part was dropped: its frame's datagrams would take more than {MAX_FRAME_BYTES} bytes"
    )


class FrameAssembler:
    """Join the parts of the newest frame; parts of older frames are dropped.

    One frame is joined at a time, holding at most ``MAX_PEOPLE_PER_FRAME``
    people in datagrams of at most ``MAX_FRAME_BYTES`` together; a part index
    that arrived already is ignored. ``counts`` says what became of each datagram.
    """

    def __init__(self) -> None:
        """Start with no frame seen."""
        self._filter = LatestFrameFilter()
        self._header: WireHeader | None = None
        self._parts: dict[int, WirePart] = {}
        self._complete = False
        self.counts: Counter[PartVerdict] = Counter()

    def _begin(self, part: WirePart) -> None:
        self._header, self._parts, self._complete = part.header, {}, False

    def _judge(self, part: WirePart) -> PartVerdict:
        if not self._filter.accept(part.header):
            return PartVerdict.STALE
        header = self._header
        if header is None or (header.stream, header.sequence) != (
            part.header.stream,
            part.header.sequence,
        ):
            self._begin(part)
        held = list(self._parts.values())
        if part.header != self._header or any(p.parts != part.parts for p in held[:1]):
            return PartVerdict.INCONSISTENT
        if part.part in self._parts:
            return PartVerdict.DUPLICATE
        if sum(len(p.frame.people) for p in held) + len(part.frame.people) > MAX_PEOPLE_PER_FRAME:
            return PartVerdict.TOO_MANY_PEOPLE
        if sum(p.datagram_bytes for p in held) + part.datagram_bytes > MAX_FRAME_BYTES:
            return PartVerdict.TOO_MANY_BYTES
        self._parts[part.part] = part
        return PartVerdict.ACCEPTED

    def offer(self, part: WirePart) -> PartVerdict:
        """Hold ``part`` when it belongs to the newest frame and fits the bounds; say why not."""
        verdict = self._judge(part)
        self.counts[verdict] += 1
        return verdict

    def add(self, part: WirePart) -> tuple[WireHeader, PoseFrame] | None:
        """Take one decoded datagram; return the whole frame once its last missing part came."""
        if self.offer(part) is not PartVerdict.ACCEPTED:
            return None
        if self._complete or len(self._parts) != part.parts:
            return None
        self._complete = True
        ordered = [self._parts[i] for i in sorted(self._parts)]
        first = ordered[0].frame
        people = [person for p in ordered for person in p.frame.people]
        frame = PoseFrame(first.model, first.layout, first.image_width, first.image_height, people)
        return part.header, frame
