"""Pure figures for the benchmarks: percentiles, medians, steady rates, ratios."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def summary_ms(values_ms: Sequence[float]) -> dict[str, float]:
    """Count, mean, p50 and p95 of ``values_ms`` (NaN figures when empty)."""
    if not values_ms:
        return {"count": 0, "mean": math.nan, "p50": math.nan, "p95": math.nan}
    values = np.asarray(values_ms, dtype=float)
    return {
        "count": int(values.size),
        "mean": float(values.mean()),
        "p50": float(np.percentile(values, 50)),
        "p95": float(np.percentile(values, 95)),
    }


def steady_rate(times_s: Sequence[float], skip: int) -> float:
    """Events per second between the ``skip``-th event and the last; NaN under two events."""
    window = sorted(times_s)[skip:]
    if len(window) < 2 or window[-1] == window[0]:
        return math.nan
    return (len(window) - 1) / (window[-1] - window[0])


def ratio(ours: float, baseline: float) -> float:
    """``ours / baseline``; NaN when the baseline is zero or either is NaN."""
    if not baseline or math.isnan(baseline) or math.isnan(ours):
        return math.nan
    return ours / baseline


def median_field(records: Sequence[dict[str, str]], key: str, skip: int = 0) -> float:
    """Median of a numeric field over ``records[skip:]`` (fields that are not numbers ignored)."""
    values = []
    for record in records[skip:]:
        try:
            values.append(float(record[key]))
        except (KeyError, ValueError):
            continue
    return float(np.median(values)) if values else math.nan
