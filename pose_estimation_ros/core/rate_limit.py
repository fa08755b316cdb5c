"""Limit how often something happens, on timestamps the caller passes in."""

from __future__ import annotations


class RateLimiter:
    """Allow an event when at least ``1 / max_rate_hz`` seconds passed since the last allowed one.

    ``max_rate_hz`` 0 allows everything.
    """

    def __init__(self, max_rate_hz: float) -> None:
        """Set the rate; ``ValueError`` when negative."""
        if max_rate_hz < 0:
            raise ValueError(f"max rate must be >= 0 Hz, got {max_rate_hz}")
        self._interval_s = 1.0 / max_rate_hz if max_rate_hz > 0 else 0.0
        self._last_s: float | None = None

    def allow(self, now_s: float) -> bool:
        """Whether an event at ``now_s`` (seconds, monotonic) is allowed; remember it if so."""
        if self._last_s is not None and now_s - self._last_s < self._interval_s:
            return False
        self._last_s = now_s
        return True
