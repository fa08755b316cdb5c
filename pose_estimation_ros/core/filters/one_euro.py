"""One Euro filter over arrays: smooths jitter at low speed, follows fast motion.

Casiez et al., CHI 2012; element-wise like tfjs ``one_euro_filter.ts`` (and
MediaPipe's), with timestamps passed in seconds. Each element of the array
(e.g. every keypoint's x and y) is filtered independently, so the filter works
for any keypoint layout.
"""

from __future__ import annotations

import math

import numpy as np

from pose_estimation_ros.core.filters.low_pass import LowPassFilter


class OneEuroFilter:
    """Adaptive low-pass: cutoff = ``min_cutoff + beta * |speed|`` per element."""

    def __init__(
        self,
        min_cutoff: float = 1.0,
        beta: float = 0.0,
        derivate_cutoff: float = 1.0,
        frequency: float = 30.0,
    ) -> None:
        """Set cutoffs in Hz; ``frequency`` is used until two timestamps give the real one."""
        for name, value in (
            ("min_cutoff", min_cutoff),
            ("derivate_cutoff", derivate_cutoff),
            ("frequency", frequency),
        ):
            if value <= 0:
                raise ValueError(f"One Euro {name} must be > 0, got {value}")
        if beta < 0:
            raise ValueError(f"One Euro beta must be >= 0, got {beta}")
        self.min_cutoff = min_cutoff
        self.beta = beta
        self.derivate_cutoff = derivate_cutoff
        self._initial_frequency = frequency
        self._frequency = frequency
        self._last_timestamp_s: float | None = None
        self._x = LowPassFilter(1.0)
        self._dx = LowPassFilter(1.0)

    def _alpha(self, cutoff: float | np.ndarray) -> float | np.ndarray:
        return 1.0 / (1.0 + self._frequency / (2.0 * math.pi * cutoff))

    def apply(self, value: np.ndarray, timestamp_s: float) -> np.ndarray:
        """Filter ``value`` seen at ``timestamp_s``; a non-increasing time passes it through."""
        value = np.asarray(value, dtype=np.float64)
        if self._last_timestamp_s is not None:
            if timestamp_s <= self._last_timestamp_s:
                return value.copy()
            self._frequency = 1.0 / (timestamp_s - self._last_timestamp_s)
        self._last_timestamp_s = timestamp_s
        last = self._x.last_raw
        if last is None or last.shape != value.shape:
            speed = np.zeros_like(value)
        else:
            speed = (value - last) * self._frequency
        smoothed_speed = self._dx.apply_with_alpha(speed, self._alpha(self.derivate_cutoff))
        cutoff = self.min_cutoff + self.beta * np.abs(smoothed_speed)
        return self._x.apply_with_alpha(value, self._alpha(cutoff))

    def reset(self) -> None:
        """Forget history; the next value passes through unchanged."""
        self._frequency = self._initial_frequency
        self._last_timestamp_s = None
        self._x.reset()
        self._dx.reset()
