"""Tracker by keypoint similarity (OKS), as tfjs pose-detection's ``keypoint_tracker.ts``.

OKS needs a falloff per keypoint: the COCO
sigmas, looked up by keypoint name, so any layout built from those names (and
OpenPose's ``neck``) works.
"""

from __future__ import annotations

import numpy as np

from pose_estimation_ros.core.skeletons import Layout
from pose_estimation_ros.core.tracking.tracker import Track, Tracker
from pose_estimation_ros.core.types import Person

# COCO keypoint sigmas (tfjs DEFAULT_KEYPOINT_FALLOFF); the neck borrows the shoulders'.
KEYPOINT_FALLOFF = {
    "nose": 0.026,
    "left_eye": 0.025,
    "right_eye": 0.025,
    "left_ear": 0.035,
    "right_ear": 0.035,
    "left_shoulder": 0.079,
    "right_shoulder": 0.079,
    "neck": 0.079,
    "left_elbow": 0.072,
    "right_elbow": 0.072,
    "left_wrist": 0.062,
    "right_wrist": 0.062,
    "left_hip": 0.107,
    "right_hip": 0.107,
    "left_knee": 0.087,
    "right_knee": 0.087,
    "left_ankle": 0.089,
    "right_ankle": 0.089,
}


class KeypointTracker(Tracker):
    """Links people by Object Keypoint Similarity over keypoints both scored confidently."""

    def __init__(
        self,
        layout: Layout,
        keypoint_threshold: float = 0.3,
        min_keypoints: int = 4,
        max_age_s: float = 1.0,
        max_tracks: int = 18,
        min_similarity: float = 0.2,
    ) -> None:
        """Look up the layout's falloffs; ``ValueError`` for a keypoint with none."""
        super().__init__(max_age_s, max_tracks, min_similarity)
        unknown = [n for n in layout.keypoint_names if n not in KEYPOINT_FALLOFF]
        if unknown:
            raise ValueError(f"no OKS falloff for keypoints {unknown} of layout {layout.name}")
        self._falloff = np.array([KEYPOINT_FALLOFF[n] for n in layout.keypoint_names])
        self.keypoint_threshold = keypoint_threshold
        self.min_keypoints = min_keypoints

    def similarity(self, person: Person, track: Track) -> float:
        """OKS: mean of ``exp(-d^2 / (2 * area * (2 * falloff)^2))`` over shared keypoints."""
        ours, theirs = person.keypoints, track.person.keypoints
        valid = (ours[:, 2] >= self.keypoint_threshold) & (theirs[:, 2] >= self.keypoint_threshold)
        if valid.sum() < self.min_keypoints:
            return 0.0
        confident = theirs[theirs[:, 2] >= self.keypoint_threshold, :2]
        extent = confident.max(axis=0) - confident.min(axis=0)
        area = float(extent[0] * extent[1]) + 1e-6
        squared = ((ours[valid, :2] - theirs[valid, :2]) ** 2).sum(axis=1)
        spread = 2.0 * self._falloff[valid]
        return float(np.exp(-squared / (2.0 * area * spread**2)).mean())
