"""A one-item mailbox between a producer and a worker thread: newest item wins, never a queue."""

from __future__ import annotations

import threading
from typing import Generic, TypeVar

T = TypeVar("T")


class LatestSlot(Generic[T]):
    """Holds at most one item; ``put`` replaces an untaken item and counts it as dropped."""

    def __init__(self) -> None:
        """Start empty and open."""
        self._condition = threading.Condition()
        self._item: T | None = None
        self._closed = False
        self.dropped = 0

    def put(self, item: T) -> bool:
        """Store ``item``; return ``True`` when it replaced one nobody took (a dropped item)."""
        with self._condition:
            replaced = self._item is not None
            self.dropped += replaced
            self._item = item
            self._condition.notify()
            return replaced

    def take(self, timeout_s: float | None = None) -> T | None:
        """Wait for an item and remove it; ``None`` on timeout or once closed."""
        with self._condition:
            self._condition.wait_for(lambda: self._item is not None or self._closed, timeout_s)
            item, self._item = self._item, None
            return None if self._closed else item

    def close(self) -> None:
        """Wake every waiting ``take`` for good (it returns ``None``)."""
        with self._condition:
            self._closed = True
            self._condition.notify_all()
