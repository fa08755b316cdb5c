"""The newest waiting frames of each camera, handed to inference workers fairly.

One pose node serves several cameras with one model. Each camera has a slot
of ``depth`` frames: a frame that arrives while the slot is full pushes out
the oldest waiting one (it is dropped, and ``offer`` returns it so the caller
counts it), so a camera is never more than ``depth`` frames behind; depth 1
always serves its newest frame, depth 2 rides out one slow turn (a busy CPU)
without losing a frame, as the single camera's queue depth of 2 does.
Workers ``take`` the oldest waiting frame of the camera after the one
served last (round robin), never from a camera whose previous frame is
still being processed (per-camera state such as tracks is updated in frame
order), and call ``done`` when they finish it. A camera
that floods holds one slot like the others and gets its turn like them; a
camera that stalls has nothing waiting and is skipped.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Hashable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")


class StreamSlots(Generic[Item]):
    """Up to ``depth`` waiting items per stream; ``take`` serves the streams in turn."""

    def __init__(self, streams: Sequence[Hashable], depth: int = 1) -> None:
        """Start with every stream's slot empty and idle."""
        if len(set(streams)) != len(streams) or not streams:
            raise ValueError(f"need distinct stream names, got {list(streams)}")
        if depth < 1:
            raise ValueError(f"depth must be at least 1, got {depth}")
        self.streams = tuple(streams)
        self._waiting: dict[Hashable, deque[Item]] = {s: deque() for s in self.streams}
        self._depth = depth
        self._busy: set[Hashable] = set()
        self._next = 0  # index of the stream served first by the next take
        self._closed = False
        self._condition = threading.Condition()

    def offer(self, stream: Hashable, item: Item) -> Item | None:
        """Put ``item`` in ``stream``'s slot; return the oldest item it pushed out, if full."""
        with self._condition:
            waiting = self._waiting[stream]
            pushed_out = waiting.popleft() if len(waiting) == self._depth else None
            waiting.append(item)
            self._condition.notify()
            return pushed_out

    def take(self, timeout_s: float | None = None) -> tuple[Hashable, Item] | None:
        """Wait for a waiting item of an idle stream; mark that stream busy.

        ``None`` after ``timeout_s`` with nothing to take, or once closed.
        """
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        with self._condition:
            while not self._closed:
                chosen = self._next_ready()
                if chosen is not None:
                    self._busy.add(chosen)
                    self._next = (self.streams.index(chosen) + 1) % len(self.streams)
                    return chosen, self._waiting[chosen].popleft()
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return None
                self._condition.wait(left)
            return None

    def done(self, stream: Hashable) -> None:
        """Mark ``stream`` idle again: its next frame may be taken."""
        with self._condition:
            self._busy.discard(stream)
            self._condition.notify_all()

    def close(self) -> None:
        """Wake every waiting worker; ``take`` returns ``None`` from now on."""
        with self._condition:
            self._closed = True
            self._condition.notify_all()

    def _next_ready(self) -> Hashable | None:
        count = len(self.streams)
        for step in range(count):
            stream = self.streams[(self._next + step) % count]
            if self._waiting[stream] and stream not in self._busy:
                return stream
        return None
