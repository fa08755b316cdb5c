"""Pacing of frame reads and backoff between reconnect attempts."""

from __future__ import annotations

import time
from collections.abc import Callable


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
