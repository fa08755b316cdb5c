"""An optional recorder of per-stage times, so a benchmark times the very code that runs.

Code with stages (``PosePipeline.estimate``, ``nodes.pose_frame_handler``)
takes a ``StageTimes`` (default ``None``) and wraps each stage in
``stage(times, name)``: with no recorder that is a no-op context.
"""

from __future__ import annotations

import time
from collections import defaultdict
from contextlib import AbstractContextManager, nullcontext
from types import TracebackType

_UNTIMED = nullcontext()


class StageTimes:
    """Milliseconds per named stage, one entry each time the stage ran."""

    def __init__(self) -> None:
        """Start with no stage recorded."""
        self.ms: dict[str, list[float]] = defaultdict(list)

    def span(self, name: str) -> _Span:
        """Return a context that adds its duration to stage ``name``."""
        return _Span(self.ms[name])


class _Span:
    """One timed run of a stage: appends its milliseconds to the stage's list on exit."""

    def __init__(self, times_ms: list[float]) -> None:
        self._times_ms = times_ms
        self._start = 0.0

    def __enter__(self) -> None:
        self._start = time.perf_counter()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._times_ms.append((time.perf_counter() - self._start) * 1e3)


def stage(times: StageTimes | None, name: str) -> AbstractContextManager[None]:
    """Time stage ``name`` into ``times``; nothing when ``times`` is ``None``."""
    return _UNTIMED if times is None else times.span(name)
