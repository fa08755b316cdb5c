"""Frames published and not yet answered by their consumer, at most a set number of them."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class InFlightWindow:
    """Stamps of published frames still waiting for an answer (a result with the same stamp).

    The publisher calls ``sent`` for each frame and ``wait_for_room`` before
    reading the next; the consumer side calls ``answered`` with the stamp of
    each result, which also settles every earlier frame (the consumer skipped
    those). A frame unanswered for ``timeout_s`` is given up on, so a consumer
    that dropped a frame or restarted cannot stall the publisher. ``limit`` 0
    never waits.
    """

    def __init__(
        self,
        limit: int,
        timeout_s: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """Allow ``limit`` unanswered frames; give up on one after ``timeout_s``."""
        if limit < 0 or timeout_s <= 0:
            raise ValueError(f"need limit >= 0 and timeout_s > 0, got {limit}, {timeout_s}")
        self.limit = limit
        self._timeout_s = timeout_s
        self._monotonic = monotonic
        self._pending: dict[int, float] = {}  # stamp (ns) -> when it was sent
        self._condition = threading.Condition()
        self._closed = False
        self.given_up = 0

    def sent(self, stamp_ns: int) -> None:
        """Record a published frame."""
        if self.limit:
            with self._condition:
                self._pending[stamp_ns] = self._monotonic()

    def answered(self, stamp_ns: int) -> None:
        """Settle the frame stamped ``stamp_ns`` and every frame sent before it."""
        with self._condition:
            self._pending = {s: t for s, t in self._pending.items() if s > stamp_ns}
            self._condition.notify_all()

    def full(self) -> bool:
        """Whether ``limit`` frames are unanswered (after giving up on timed-out ones)."""
        with self._condition:
            self._give_up_timed_out()
            return bool(self.limit) and len(self._pending) >= self.limit

    def wait_for_room(self) -> bool:
        """Block until fewer than ``limit`` frames are unanswered; ``False`` once closed."""
        with self._condition:
            while not self._closed:
                self._give_up_timed_out()
                if not self.limit or len(self._pending) < self.limit:
                    return True
                oldest_s = min(self._pending.values())
                self._condition.wait(oldest_s + self._timeout_s - self._monotonic())
            return False

    def close(self) -> None:
        """Wake a waiting ``wait_for_room`` for good."""
        with self._condition:
            self._closed = True
            self._condition.notify_all()

    def _give_up_timed_out(self) -> None:
        deadline_s = self._monotonic() - self._timeout_s
        late = [stamp for stamp, sent_s in self._pending.items() if sent_s <= deadline_s]
        for stamp in late:
            del self._pending[stamp]
        self.given_up += len(late)
