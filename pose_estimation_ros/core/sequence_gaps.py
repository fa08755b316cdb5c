"""Frames a reader never saw, from gaps in sequence numbers: replaced while busy, or lost."""

from __future__ import annotations

import math


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


class ReaderGaps:
    """Frames a newest-frame-only reader missed, split into replaced and lost.

    Fed with each frame's publication sequence number, its publisher's source
    timestamp and its reception time (ns, both system clock as the middleware
    reports them), and told when the reader became idle again.
    """

    def __init__(self) -> None:
        """Start with no frame seen, idle."""
        self._sequence = SequenceGaps()
        self._last_source_ns: int | None = None
        self._idle_since_ns: int | None = None

    def missed(
        self, sequence: int | None, source_ns: int | None, received_ns: int
    ) -> tuple[int, int]:
        """Return ``(replaced, lost)``: frames between the previous frame taken and this one."""
        missed = self._sequence.missed(sequence)
        last_source_ns, self._last_source_ns = self._last_source_ns, source_ns
        if not missed or None in (source_ns, last_source_ns, self._idle_since_ns):
            return missed, 0
        lost = lost_while_idle(
            missed, (source_ns - last_source_ns) * 1e-9, (received_ns - self._idle_since_ns) * 1e-9
        )
        return missed - lost, lost

    def idle(self, now_ns: int) -> None:
        """Note that the reader finished its frame at ``now_ns`` and waits for the next one."""
        self._idle_since_ns = now_ns
