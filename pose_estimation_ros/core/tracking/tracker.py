"""Tracker base class: fixed steps, similarity supplied by subclasses.

Follows tfjs pose-detection's ``calculators/tracker.ts``: drop tracks not seen
for ``max_age_s``, compute a detection x track similarity matrix, link each
detection (highest score first) to its most similar free track when the
similarity reaches ``min_similarity``, start new tracks (fresh ids) for the
rest, and keep at most ``max_tracks`` most recently seen tracks. Works on
``Person`` objects of any keypoint layout.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from pose_estimation_ros.core.types import Person


@dataclass
class Track:
    """A tracked person: id, the last person linked to it, and when that was."""

    track_id: int
    person: Person
    last_seen_s: float


class Tracker(ABC):
    """Assigns persistent ``track_id`` values to people across frames."""

    def __init__(
        self, max_age_s: float = 1.0, max_tracks: int = 18, min_similarity: float = 0.15
    ) -> None:
        """Release ids unseen for ``max_age_s``; link only at ``min_similarity`` or more."""
        if max_age_s <= 0 or max_tracks < 1:
            raise ValueError(
                f"need max_age_s > 0 and max_tracks >= 1, got {max_age_s}, {max_tracks}"
            )
        self.max_age_s = max_age_s
        self.max_tracks = max_tracks
        self.min_similarity = min_similarity
        self.tracks: list[Track] = []
        self._next_id = 1

    @abstractmethod
    def similarity(self, person: Person, track: Track) -> float:
        """Similarity in 0..1 between a detection and a track (larger is more alike)."""

    def apply(self, people: list[Person], timestamp_s: float) -> list[Person]:
        """Set ``track_id`` on every person (in place) and return them."""
        self.tracks = [t for t in self.tracks if timestamp_s - t.last_seen_s <= self.max_age_s]
        similarities = np.array(
            [[self.similarity(person, track) for track in self.tracks] for person in people]
        ).reshape(len(people), len(self.tracks))
        free = list(range(len(self.tracks)))
        for i in sorted(range(len(people)), key=lambda i: people[i].score, reverse=True):
            best = max(free, key=lambda j: similarities[i, j], default=None)
            if best is not None and similarities[i, best] >= self.min_similarity:
                free.remove(best)
                track = self.tracks[best]
                track.person, track.last_seen_s = people[i], timestamp_s
                people[i].track_id = track.track_id
            else:
                people[i].track_id = self._next_id
                self.tracks.append(Track(self._next_id, people[i], timestamp_s))
                self._next_id += 1
        self.tracks.sort(key=lambda t: t.last_seen_s, reverse=True)
        self.tracks = self.tracks[: self.max_tracks]
        return people

    def reset(self) -> None:
        """Forget every track (ids keep counting up, so old ids are never reused)."""
        self.tracks = []
