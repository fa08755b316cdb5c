"""Draw people on a BGR image: joints and skeleton lines coloured by track id."""

from __future__ import annotations

import colorsys

import cv2
import numpy as np

from pose_estimation_ros.core.skeletons import Layout
from pose_estimation_ros.core.types import Person


def track_colour(track_id: int) -> tuple[float, float, float]:
    """Distinct, stable RGB colour (0..1) for a track id (golden-ratio hues)."""
    hue = (max(track_id, 0) * 0.618033988749895) % 1.0
    return colorsys.hsv_to_rgb(hue, 0.85, 1.0)


def draw_people(
    image_bgr: np.ndarray, people: list[Person], layout: Layout, score_threshold: float
) -> np.ndarray:
    """Return a copy of the image with every keypoint and edge above ``score_threshold``."""
    canvas = image_bgr.copy()
    for person in people:
        red, green, blue = track_colour(person.track_id)
        colour = (int(blue * 255), int(green * 255), int(red * 255))
        points = np.round(person.keypoints[:, :2]).astype(int)
        visible = person.keypoints[:, 2] >= score_threshold
        for a, b in layout.edges:
            if visible[a] and visible[b]:
                cv2.line(canvas, tuple(points[a]), tuple(points[b]), colour, 2, cv2.LINE_AA)
        for point in points[visible]:
            cv2.circle(canvas, tuple(point), 4, colour, -1, cv2.LINE_AA)
    return canvas
