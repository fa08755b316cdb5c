"""Frames a reader never saw, from gaps in sequence numbers: replaced while busy, or lost.

Sequence numbers are per publisher: two cameras on one topic number their
frames apart, so gaps are counted per publisher (a bounded number of them).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field

MAX_PUBLISHERS = 16  # publishers followed at once; the longest unheard is forgotten first
FORGET_AFTER_S = 10.0  # a publisher unheard this long is forgotten (it starts anew if it returns)


class SequenceGaps:
    """Numbers missing between consecutive sequence numbers of one publisher."""

    def __init__(self) -> None:
        """Start with no sequence seen."""
        self._last: int | None = None

    def missed(self, sequence: int | None) -> int:
        """Numbers skipped since the previous call.

        0 for the first number, an unknown one (``None``: the middleware does not
        number messages) and a restarted sequence (not above the previous one).
        """
        if sequence is None:
            return 0
        last, self._last = self._last, sequence
        if last is None or sequence <= last:
            return 0
        return sequence - last - 1


def lost_while_idle(missed: int, stamp_gap_s: float, idle_s: float) -> int:
    """How many of ``missed`` frames were lost on the way rather than replaced.

    A reader that keeps only the newest frame misses frames by design while it
    is busy: they are replaced. ``missed`` frames were captured evenly between
    the previous frame taken and this one (``stamp_gap_s`` apart in capture
    time) and so arrived one frame interval apart before this one, when the
    reader had been idle for ``idle_s``. A missed frame that arrived more than
    one interval after the reader became idle would have been taken: it was
    lost (the interval is the margin for a late executor, so a loss is never
    counted that was not one). Unusable stamps (not increasing) count no loss.
    """
    if missed <= 0 or stamp_gap_s <= 0 or idle_s <= 0:
        return 0
    interval_s = stamp_gap_s / (missed + 1)
    # The frame j intervals before this one was lost when j * interval < idle_s - interval.
    return min(missed, max(0, math.ceil(idle_s / interval_s) - 2))


@dataclass
class _Publisher:
    """What is known of one publisher: its sequence, last source stamp, when last heard."""

    sequence: SequenceGaps = field(default_factory=SequenceGaps)
    last_source_ns: int | None = None
    heard_ns: int = 0


class ReaderGaps:
    """Frames a newest-frame-only reader missed, split into replaced and lost, per publisher.

    Fed with each frame's publisher (any hashable id, such as its GID; ``None``
    when unknown), publication sequence number, the publisher's source
    timestamp and the frame's reception time (ns, both system clock as the
    middleware reports them), and told when the reader became idle again. At
    most ``max_publishers`` are followed, each until unheard for
    ``forget_after_s``; a publisher forgotten and heard again starts anew, as
    one that joined late (what it sent before is not counted).
    """

    def __init__(
        self, max_publishers: int = MAX_PUBLISHERS, forget_after_s: float = FORGET_AFTER_S
    ) -> None:
        """Start with no frame seen, idle."""
        self._max_publishers = max_publishers
        self._forget_after_ns = round(forget_after_s * 1e9)
        self._publishers: OrderedDict[Hashable, _Publisher] = OrderedDict()  # oldest heard first
        self._idle_since_ns: int | None = None

    @property
    def publishers(self) -> int:
        """Return how many publishers are followed now."""
        return len(self._publishers)

    def missed(
        self,
        sequence: int | None,
        source_ns: int | None,
        received_ns: int,
        publisher: Hashable = None,
    ) -> tuple[int, int]:
        """Return ``(replaced, lost)``: ``publisher``'s frames since the previous one taken."""
        state = self._heard(publisher, received_ns)
        missed = state.sequence.missed(sequence)
        last_source_ns, state.last_source_ns = state.last_source_ns, source_ns
        if not missed or None in (source_ns, last_source_ns, self._idle_since_ns):
            return missed, 0
        lost = lost_while_idle(
            missed, (source_ns - last_source_ns) * 1e-9, (received_ns - self._idle_since_ns) * 1e-9
        )
        return missed - lost, lost

    def idle(self, now_ns: int) -> None:
        """Note that the reader finished its frame at ``now_ns`` and waits for the next one."""
        self._idle_since_ns = now_ns

    def _heard(self, publisher: Hashable, now_ns: int) -> _Publisher:
        """Return ``publisher``'s state, now the most recently heard; forget stale ones."""
        state = self._publishers.pop(publisher, None) or _Publisher()
        state.heard_ns = now_ns
        oldest_kept = now_ns - self._forget_after_ns
        while self._publishers and (
            len(self._publishers) >= self._max_publishers
            or next(iter(self._publishers.values())).heard_ns < oldest_kept
        ):
            self._publishers.popitem(last=False)
        self._publishers[publisher] = state
        return state
