"""Square crop regions in source pixels: full frame padded (centred), or around the last pose.

The smart crop follows the MoveNet tutorial (and tfjs ``crop_utils.ts``): the
next crop is a square centred on the hips, reaching 1.9x the torso and 1.2x
the body extent of the confident keypoints, clamped to the image; when the
torso is not visible, or the square would exceed the image, the full frame
padded to a square is used instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from pose_estimation_ros.core.movenet import constants as C
from pose_estimation_ros.core.skeletons import COCO17

_TORSO = [COCO17.index(name) for name in C.TORSO_KEYPOINTS]
_HIPS = [COCO17.index("left_hip"), COCO17.index("right_hip")]
_SHOULDERS = [COCO17.index("left_shoulder"), COCO17.index("right_shoulder")]


@dataclass(frozen=True)
class CropRegion:
    """A square of the source image, in its pixels; it may reach outside the image."""

    x_min: float
    y_min: float
    size: float

    def as_array(self) -> np.ndarray:
        """Return ``[x_min, y_min, size]`` (for filtering)."""
        return np.array([self.x_min, self.y_min, self.size], dtype=np.float64)

    @classmethod
    def from_array(cls, values: np.ndarray) -> CropRegion:
        """Build from ``[x_min, y_min, size]``."""
        return cls(float(values[0]), float(values[1]), float(values[2]))


def full_frame_region(width: int, height: int) -> CropRegion:
    """Return the whole frame padded to a square, the padding split evenly on both sides."""
    size = float(max(width, height))
    return CropRegion((width - size) / 2.0, (height - size) / 2.0, size)


def snap(region: CropRegion) -> CropRegion:
    """Round a region to whole pixels (what ``crop_and_resize`` samples exactly)."""
    return CropRegion(
        float(round(region.x_min)), float(round(region.y_min)), float(max(1, round(region.size)))
    )


def crop_and_resize(image: np.ndarray, region: CropRegion, output_size: int) -> np.ndarray:
    """Cut the ``snap``-ped ``region`` out of ``image`` (zeros outside it), resize to a square.

    Area interpolation: shrinking averages every source pixel (no aliasing),
    which keeps MoveNet within upstream's accuracy. Channels are kept as they are.
    """
    region = snap(region)
    x0, y0, size = int(region.x_min), int(region.y_min), int(region.size)
    height, width = image.shape[:2]
    left, top = max(x0, 0), max(y0, 0)
    right, bottom = min(x0 + size, width), min(y0 + size, height)
    if (left, top, right, bottom) == (x0, y0, x0 + size, y0 + size):
        square = image[top:bottom, left:right]
    else:
        square = np.zeros((size, size) + image.shape[2:], dtype=image.dtype)
        if right > left and bottom > top:
            rows, cols = slice(top - y0, bottom - y0), slice(left - x0, right - x0)
            square[rows, cols] = image[top:bottom, left:right]
    return cv2.resize(square, (output_size, output_size), interpolation=cv2.INTER_AREA)


def to_source_pixels(points_xy: np.ndarray, region: CropRegion) -> np.ndarray:
    """Map ``(N, 2)`` x, y normalised to the crop onto source-image pixels."""
    return points_xy * region.size + (region.x_min, region.y_min)


def torso_visible(keypoints: np.ndarray, min_score: float = C.MIN_CROP_KEYPOINT_SCORE) -> bool:
    """Tell whether a hip and a shoulder are both scored above ``min_score``."""
    scores = keypoints[:, 2].tolist()
    return (
        max(scores[i] for i in _HIPS) > min_score
        and max(scores[i] for i in _SHOULDERS) > min_score
    )


def next_crop_region(
    keypoints: np.ndarray,
    width: int,
    height: int,
    min_score: float = C.MIN_CROP_KEYPOINT_SCORE,
) -> CropRegion:
    """Crop for the next frame from this frame's ``(17, 3)`` x, y, score keypoints in pixels.

    Plain Python over the 17 keypoints (see ``decode.pose_score``).
    """
    if not torso_visible(keypoints, min_score):
        return full_frame_region(width, height)
    rows = keypoints.tolist()
    center_x = (rows[_HIPS[0]][0] + rows[_HIPS[1]][0]) / 2.0
    center_y = (rows[_HIPS[0]][1] + rows[_HIPS[1]][1]) / 2.0

    def reach(points: list[list[float]]) -> float:
        """Largest distance along x or y from the centre."""
        return max((max(abs(x - center_x), abs(y - center_y)) for x, y, _ in points), default=0.0)

    torso_range = reach([rows[i] for i in _TORSO])
    body_range = reach([row for row in rows if row[2] >= min_score])
    half = max(torso_range * C.TORSO_EXPANSION, body_range * C.BODY_EXPANSION)
    half = min(half, max(center_x, width - center_x, center_y, height - center_y))
    if half > max(width, height) / 2.0:
        return full_frame_region(width, height)
    return CropRegion(center_x - half, center_y - half, 2.0 * half)
