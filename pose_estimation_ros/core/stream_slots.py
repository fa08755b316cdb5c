"""The newest waiting frame of each camera, handed to inference workers fairly.

One pose node serves several cameras with one model. Each camera has one
slot: a frame that arrives while an older one still waits replaces it (the
older is dropped, and ``offer`` returns it so the caller counts it), so a
camera never queues stale frames. Workers ``take`` a waiting frame from the
camera after the one served last (round robin), never from a camera whose
previous frame is still being processed (per-camera state such as tracks
is updated in frame order), and call ``done`` when they finish it. A camera
that floods holds one slot like the others and gets its turn like them; a
camera that stalls has nothing waiting and is skipped.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Hashable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")


class StreamSlots(Generic[Item]):
    """One waiting item per stream; ``take`` serves the streams in turn."""

    def __init__(self, streams: Sequence[Hashable]) -> None:
        """Start with every stream's slot empty and idle."""
        if len(set(streams)) != len(streams) or not streams:
            raise ValueError(f"need distinct stream names, got {list(streams)}")
        self.streams = tuple(streams)
        self._waiting: dict[Hashable, Item] = {}
        self._busy: set[Hashable] = set()
        self._next = 0  # index of the stream served first by the next take
        self._closed = False
        self._condition = threading.Condition()

    def offer(self, stream: Hashable, item: Item) -> Item | None:
        """Put ``item`` in ``stream``'s slot; return the item it replaced, if one waited."""
        with self._condition:
            replaced = self._waiting.get(stream)
            self._waiting[stream] = item
            self._condition.notify()
            return replaced

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
                    return chosen, self._waiting.pop(chosen)
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
            if stream in self._waiting and stream not in self._busy:
                return stream
        return None
