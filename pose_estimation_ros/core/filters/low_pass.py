"""Exponential low-pass filter over arrays (tfjs ``low_pass_filter.ts``, element-wise)."""

from __future__ import annotations

import numpy as np


class LowPassFilter:
    """``y = alpha * x + (1 - alpha) * y_prev``; the first value passes through unchanged."""

    def __init__(self, alpha: float) -> None:
        """Filter with weight ``alpha`` (0..1] on the newest value."""
        if not 0.0 < alpha <= 1.0:
            raise ValueError(f"low-pass alpha must be in (0, 1], got {alpha}")
        self.alpha = alpha
        self._raw: np.ndarray | None = None
        self._stored: np.ndarray | None = None

    @property
    def last_raw(self) -> np.ndarray | None:
        """The last unfiltered value, or ``None`` before the first."""
        return self._raw

    def apply(self, value: np.ndarray) -> np.ndarray:
        """Filter ``value`` with the filter's own alpha."""
        return self.apply_with_alpha(value, self.alpha)

    def apply_with_alpha(self, value: np.ndarray, alpha: float | np.ndarray) -> np.ndarray:
        """Filter ``value`` with a given alpha (scalar or one per element)."""
        value = np.asarray(value, dtype=np.float64)
        if self._stored is None or self._stored.shape != value.shape:
            result = value.copy()
        else:
            result = alpha * value + (1.0 - alpha) * self._stored
        self._raw = value.copy()
        self._stored = result
        return result.copy()

    def reset(self) -> None:
        """Forget the stored value."""
        self._raw = None
        self._stored = None
