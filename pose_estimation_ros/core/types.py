"""Plain data types shared by the core, the nodes and the wire format."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pose_estimation_ros.core.skeletons import Layout

UNTRACKED = -1


@dataclass
class Person:
    """One person in source-image pixels.

    ``keypoints`` is a float32 array of shape ``(num_keypoints, 3)`` holding
    ``x, y, score`` per keypoint in the layout's order; x and y are pixels of
    the source image (origin top-left, y down), score is in 0..1.
    ``box`` is ``(x_min, y_min, x_max, y_max)`` in the same pixels.
    """

    keypoints: np.ndarray
    score: float
    box: tuple[float, float, float, float]
    track_id: int = UNTRACKED


@dataclass
class PoseFrame:
    """All people found in one image, with what a consumer needs to read them."""

    model: str
    layout: Layout
    image_width: int
    image_height: int
    people: list[Person] = field(default_factory=list)

    def __post_init__(self) -> None:
        """Reject people whose keypoint arrays do not match the layout."""
        for person in self.people:
            expected = (self.layout.num_keypoints, 3)
            if person.keypoints.shape != expected:
                raise ValueError(
                    f"person keypoints have shape {person.keypoints.shape}, "
                    f"layout {self.layout.name} needs {expected}"
                )


def box_around(keypoints: np.ndarray, min_score: float = 0.0) -> tuple[float, float, float, float]:
    """Smallest box holding the keypoints scored above ``min_score`` (all of them if none are)."""
    rows = keypoints.tolist()  # plain Python: a few dozen values, numpy calls would cost more
    points = [row for row in rows if row[2] > min_score] or rows
    xs = [row[0] for row in points]
    ys = [row[1] for row in points]
    return min(xs), min(ys), max(xs), max(ys)
