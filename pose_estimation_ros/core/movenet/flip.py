"""Flip averaging: read a crop and its mirror image, average the two poses.

A pose found on the horizontally mirrored crop has its x mirrored (``1 - x``
in crop-normalised units) and its sides swapped (the mirror's left wrist is
the person's right wrist); once mapped back, it is a second, partly
independent estimate of the same pose, and their score-weighted mean is
steadier than either (test-time augmentation, as in most published pose
evaluations).
"""

from __future__ import annotations

import numpy as np

_MIN_WEIGHT = 1e-3  # added to each score weight: two unscored estimates count equally


def unmirror(keypoints: np.ndarray, order: list[int]) -> np.ndarray:
    """Map ``(N, 3)`` x, y, score normalised to a mirrored crop onto the crop itself."""
    mapped = keypoints[order].copy()
    mapped[:, 0] = 1.0 - mapped[:, 0]
    return mapped


def average_poses(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Merge two ``(N, 3)`` estimates of one pose, keypoint by keypoint.

    Positions are weighted by their scores (the more confident estimate counts
    more; equal weights when both are 0); the score is the mean of the two.
    """
    first, second = first.astype(np.float32), second.astype(np.float32)
    weight_first = first[:, 2:3] + _MIN_WEIGHT
    weight_second = second[:, 2:3] + _MIN_WEIGHT
    merged = np.empty_like(first)
    merged[:, :2] = (first[:, :2] * weight_first + second[:, :2] * weight_second) / (
        weight_first + weight_second
    )
    merged[:, 2] = (first[:, 2] + second[:, 2]) / 2.0
    return merged
