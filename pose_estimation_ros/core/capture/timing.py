"""Pacing of frame reads (at a rate, or on a recording's schedule) and reconnect backoff."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


class Pacer:
    """Keep a steady frame rate on an absolute schedule; ``fps`` 0 means no pacing.

    ``wait`` sleeps until the next frame is due (for sources read on demand:
    files, images); ``due`` tells whether a frame that just arrived should be
    kept (for live sources that deliver at their own pace). A stall longer than
    one period restarts the schedule instead of bursting to catch up.
    """

    def __init__(self, fps: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        """Pace at ``fps`` frames per second, reading time from ``monotonic``."""
        self.period_s = 1.0 / fps if fps > 0 else 0.0
        self._monotonic = monotonic
        self._next_s: float | None = None

    def wait(self, sleep: Callable[[float], object]) -> None:
        """Sleep (through ``sleep``, which may return early on shutdown) until the next tick."""
        if not self.period_s:
            return
        now = self._monotonic()
        if self._next_s is None or now - self._next_s > self.period_s:
            self._next_s = now
        elif self._next_s > now:
            sleep(self._next_s - now)
        self._next_s += self.period_s

    def due(self) -> bool:
        """Return whether a frame arriving now falls on or after the next tick (and take it)."""
        if not self.period_s:
            return True
        now = self._monotonic()
        if self._next_s is not None and now < self._next_s:
            return False
        late = self._next_s is None or now - self._next_s > self.period_s
        self._next_s = (now if late else self._next_s) + self.period_s
        return True


@dataclass
class RecordedTiming:
    """A recording's schedule and stamps, kept up to date by its source as frames are read."""

    # When the next frame is due, s after the pass's first frame: its recorded time (the
    # recording's log time) minus the first's, divided by the replay rate; None: none left.
    next_offset_s: float | None = None
    # The header stamp recorded with the frame last read; None: stamp frames at capture.
    stamp_ns: int | None = None


class ReplayPacer:
    """Keep the gaps of a recording's schedule (``RecordedTiming.next_offset_s``).

    Like ``Pacer.wait``: each frame is due on an absolute schedule, and a stall
    longer than the gap before a frame restarts the schedule at that frame
    instead of bursting to catch up. At the end of the recording (no next
    offset) the schedule starts again from now: a looping recording's next
    pass keeps its own gaps.
    """

    def __init__(
        self, timing: RecordedTiming, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        """Pace by ``timing``'s offsets, reading time from ``monotonic``."""
        self._timing = timing
        self._monotonic = monotonic
        self._start_s: float | None = None  # when offset 0 is (was) due
        self._last_offset_s = 0.0

    def wait(self, sleep: Callable[[float], object]) -> None:
        """Sleep (through ``sleep``, which may return early on shutdown) until the next frame."""
        offset_s = self._timing.next_offset_s
        now = self._monotonic()
        if offset_s is None:
            self._start_s, self._last_offset_s = now, 0.0
            return
        gap_s, self._last_offset_s = offset_s - self._last_offset_s, offset_s
        due_s = None if self._start_s is None else self._start_s + offset_s
        if due_s is None or now - due_s > gap_s:
            self._start_s = now - offset_s
        elif due_s > now:
            sleep(due_s - now)


class Backoff:
    """Exponentially growing delays between reconnect attempts, capped, reset on success."""

    def __init__(self, initial_s: float = 0.5, maximum_s: float = 5.0, factor: float = 2.0):
        """Start at ``initial_s``, times ``factor`` per attempt, never above ``maximum_s``."""
        self.initial_s, self.maximum_s, self.factor = initial_s, maximum_s, factor
        self._next_s = initial_s

    def next_delay(self) -> float:
        """Return the delay before the next attempt and grow the following one."""
        delay = self._next_s
        self._next_s = min(delay * self.factor, self.maximum_s)
        return delay

    def reset(self) -> None:
        """Start again from the initial delay (the source delivered a frame)."""
        self._next_s = self.initial_s
