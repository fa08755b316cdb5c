"""Inference workers for several cameras: threads that take frames from ``StreamSlots``.

Each worker takes the next camera's newest frame, runs ``handle(camera,
frame)`` on it and frees the camera for its next frame. With as many workers
as the model has inference streams (OpenVINO infer requests), frames of
different cameras run at once while one camera's frames stay in order. The
workers also measure the shared load: the share of their time spent busy.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from pose_estimation_ros.core.stream_slots import StreamSlots

Item = TypeVar("Item")
POLL_S = 0.5  # a worker re-checks for a stop this often while nothing comes


class StreamWorkers(Generic[Item]):
    """``count`` threads running ``handle`` on the frames ``slots`` hands out."""

    def __init__(
        self,
        slots: StreamSlots[Item],
        handle: Callable[[Hashable, Item], None],
        count: int,
        name: str = "inference",
    ) -> None:
        """Start ``count`` daemon threads (named ``name-1``...)."""
        if count < 1:
            raise ValueError(f"need at least one worker, got {count}")
        self._slots, self._handle = slots, handle
        self._stopping = threading.Event()
        self._busy_s = 0.0
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._work, name=f"{name}-{i + 1}", daemon=True)
            for i in range(count)
        ]
        for thread in self._threads:
            thread.start()

    @property
    def count(self) -> int:
        """Return the number of workers."""
        return len(self._threads)

    def take_busy_s(self) -> float:
        """Return the worker-seconds spent handling frames since the last call."""
        with self._lock:
            busy, self._busy_s = self._busy_s, 0.0
        return busy

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop taking frames and wait (up to ``timeout_s``) for the frames being handled."""
        self._stopping.set()
        self._slots.close()
        deadline = time.monotonic() + timeout_s
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def _work(self) -> None:
        while not self._stopping.is_set():
            taken = self._slots.take(POLL_S)
            if taken is None:
                continue
            camera, item = taken
            started = time.perf_counter()
            try:
                self._handle(camera, item)
            finally:
                self._slots.done(camera)
                with self._lock:
                    self._busy_s += time.perf_counter() - started
