"""Tracker by bounding-box overlap (IoU), as tfjs pose-detection's ``bounding_box_tracker.ts``."""

from __future__ import annotations

from pose_estimation_ros.core.tracking.tracker import Track, Tracker
from pose_estimation_ros.core.types import Person


class BoxTracker(Tracker):
    """Links people by the intersection over union of their boxes."""

    def similarity(self, person: Person, track: Track) -> float:
        """Return the IoU of the detection's box and the track's last box."""
        ax0, ay0, ax1, ay1 = person.box
        bx0, by0, bx1, by1 = track.person.box
        overlap_w = max(0.0, min(ax1, bx1) - max(ax0, bx0))
        overlap_h = max(0.0, min(ay1, by1) - max(ay0, by0))
        intersection = overlap_w * overlap_h
        union = (ax1 - ax0) * (ay1 - ay0) + (bx1 - bx0) * (by1 - by0) - intersection
        return intersection / union if union > 0 else 0.0
