"""One Euro smoothing of people's keypoints, one filter per track id, for any layout.

Coordinates are filtered normalised to the image size (x / width,
y / height), so the same parameters suit any resolution; scores pass
unchanged. Untracked people (``track_id`` -1) share one filter, which suits a
single-person model.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from pose_estimation_ros.core.filters.one_euro import OneEuroFilter
from pose_estimation_ros.core.types import Person


class KeypointSmoother:
    """Smooths keypoints per track with One Euro filters."""

    def __init__(self, min_cutoff: float, beta: float, derivate_cutoff: float) -> None:
        """Use these One Euro parameters (cutoffs in Hz, beta per normalised unit/s)."""
        OneEuroFilter(min_cutoff, beta, derivate_cutoff)  # validates the parameters
        self._params = (min_cutoff, beta, derivate_cutoff)
        self._filters: dict[int, OneEuroFilter] = {}

    def apply(
        self, people: list[Person], width: int, height: int, timestamp_s: float
    ) -> list[Person]:
        """Replace every person's keypoint x, y by their smoothed values (in place)."""
        scale = np.array([width, height], dtype=np.float64)
        for person in people:
            one_euro = self._filters.setdefault(person.track_id, OneEuroFilter(*self._params))
            smoothed = one_euro.apply(person.keypoints[:, :2] / scale, timestamp_s) * scale
            person.keypoints[:, :2] = smoothed
        return people

    def keep_only(self, track_ids: Iterable[int]) -> None:
        """Drop the filters of tracks that no longer exist."""
        keep = set(track_ids)
        self._filters = {i: f for i, f in self._filters.items() if i in keep}

    def reset(self) -> None:
        """Forget every filter."""
        self._filters.clear()
