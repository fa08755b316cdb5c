"""The TF Hub MoveNet tutorial's cropping algorithm, ported to numpy (no TensorFlow).

Source: "MoveNet: Ultra fast and accurate pose detection model", TensorFlow
Hub tutorial (tensorflow.org/hub/tutorials/movenet, section "Cropping
Algorithm"), Apache-2.0. Re-written here, not copied; names and numbers follow
it so each function can be checked against the original:

* ``init_crop_region``: the whole image padded to a centred square.
* ``torso_visible``: a hip and a shoulder each scored above 0.2.
* ``determine_torso_and_body_range``: largest x and y distance from the hip
  centre to the four torso keypoints (whatever their score) and to every
  keypoint scored at least 0.2.
* ``determine_crop_region``: a square centred on the hips, half side
  ``max(1.9 x torso range, 1.2 x body range)``, at most the farthest image
  edge from the centre; the initial region when the torso is not visible or
  the square would exceed half the longer image side.
* ``crop_and_resize``: ``tf.image.crop_and_resize`` (bilinear, corners on
  pixel centres, zeros outside the image).

Keypoints are the tutorial's ``(17, 3)`` rows of ``y, x, score``, normalised
to the image; regions are normalised too (``height``/``width`` relative to
the image's).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pose_estimation_ros.core.skeletons import COCO17

MIN_CROP_KEYPOINT_SCORE = 0.2
TORSO_EXPANSION = 1.9
BODY_EXPANSION = 1.2
TORSO_JOINTS = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")
_Y, _X, _SCORE = 0, 1, 2


@dataclass(frozen=True)
class CropRegion:
    """The tutorial's crop region dict: a box normalised to the image, may reach outside it."""

    y_min: float
    x_min: float
    y_max: float
    x_max: float
    height: float
    width: float


def init_crop_region(image_height: int, image_width: int) -> CropRegion:
    """Whole image padded to a square, centred along its shorter side."""
    if image_width > image_height:
        box_height, box_width = image_width / image_height, 1.0
        y_min, x_min = (image_height / 2 - image_width / 2) / image_height, 0.0
    else:
        box_height, box_width = 1.0, image_height / image_width
        y_min, x_min = 0.0, (image_width / 2 - image_height / 2) / image_width
    return CropRegion(y_min, x_min, y_min + box_height, x_min + box_width, box_height, box_width)


def _score(keypoints: np.ndarray, name: str) -> float:
    return float(keypoints[COCO17.index(name), _SCORE])


def torso_visible(keypoints: np.ndarray) -> bool:
    """Tell whether a hip and a shoulder are each scored above ``MIN_CROP_KEYPOINT_SCORE``."""
    hip = max(_score(keypoints, "left_hip"), _score(keypoints, "right_hip"))
    shoulder = max(_score(keypoints, "left_shoulder"), _score(keypoints, "right_shoulder"))
    return hip > MIN_CROP_KEYPOINT_SCORE and shoulder > MIN_CROP_KEYPOINT_SCORE


def determine_torso_and_body_range(
    keypoints: np.ndarray, target_yx: np.ndarray, center_y: float, center_x: float
) -> tuple[float, float, float, float]:
    """Return ``(torso y, torso x, body y, body x)`` ranges from the centre, in pixels.

    ``target_yx`` is ``(17, 2)`` y, x in pixels; ``keypoints`` gives the scores.
    """
    torso = [COCO17.index(name) for name in TORSO_JOINTS]
    body = [i for i in range(len(target_yx)) if keypoints[i, _SCORE] >= MIN_CROP_KEYPOINT_SCORE]

    def ranges(indices: list[int]) -> tuple[float, float]:
        dy = [abs(center_y - float(target_yx[i, 0])) for i in indices]
        dx = [abs(center_x - float(target_yx[i, 1])) for i in indices]
        return max(dy, default=0.0), max(dx, default=0.0)

    return (*ranges(torso), *ranges(body))


def determine_crop_region(
    keypoints: np.ndarray, image_height: int, image_width: int
) -> CropRegion:
    """Region for the next pass from this pass's keypoints (normalised ``y, x, score``)."""
    if not torso_visible(keypoints):
        return init_crop_region(image_height, image_width)
    target_yx = keypoints[:, :2].astype(np.float64) * (image_height, image_width)
    hips = [COCO17.index("left_hip"), COCO17.index("right_hip")]
    center_y = float(target_yx[hips, 0].mean())
    center_x = float(target_yx[hips, 1].mean())
    torso_y, torso_x, body_y, body_x = determine_torso_and_body_range(
        keypoints, target_yx, center_y, center_x
    )
    half = max(torso_x * TORSO_EXPANSION, torso_y * TORSO_EXPANSION)
    half = max(half, body_y * BODY_EXPANSION, body_x * BODY_EXPANSION)
    half = min(half, max(center_x, image_width - center_x, center_y, image_height - center_y))
    if half > max(image_width, image_height) / 2:
        return init_crop_region(image_height, image_width)
    top, left, length = center_y - half, center_x - half, 2 * half
    return CropRegion(
        top / image_height,
        left / image_width,
        (top + length) / image_height,
        (left + length) / image_width,
        length / image_height,
        length / image_width,
    )


def _sample_positions(start: float, end: float, size: int, count: int) -> np.ndarray:
    """Source coordinates of ``count`` samples from ``start`` to ``end`` (normalised), as TF."""
    if count == 1:
        return np.array([0.5 * (start + end) * (size - 1)])
    return start * (size - 1) + np.arange(count) * ((end - start) * (size - 1) / (count - 1))


def crop_and_resize(image: np.ndarray, region: CropRegion, crop_size: int) -> np.ndarray:
    """Bilinear ``crop_size`` square of ``region`` from an HxWxC image; float32, zeros outside."""
    height, width = image.shape[:2]
    ys = _sample_positions(region.y_min, region.y_max, height, crop_size)
    xs = _sample_positions(region.x_min, region.x_max, width, crop_size)
    valid_y = (ys >= 0) & (ys <= height - 1)
    valid_x = (xs >= 0) & (xs <= width - 1)
    ys, xs = np.clip(ys, 0, height - 1), np.clip(xs, 0, width - 1)
    top, left = np.floor(ys).astype(int), np.floor(xs).astype(int)
    bottom, right = np.ceil(ys).astype(int), np.ceil(xs).astype(int)
    wy = (ys - top)[:, None, None]
    wx = (xs - left)[None, :, None]
    source = image.reshape(height, width, -1)

    def at(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        return source[np.ix_(rows, cols)].astype(np.float32)

    upper = at(top, left) * (1 - wx) + at(top, right) * wx
    lower = at(bottom, left) * (1 - wx) + at(bottom, right) * wx
    crop = upper * (1 - wy) + lower * wy
    crop[~valid_y] = 0.0
    crop[:, ~valid_x] = 0.0
    return crop.reshape((crop_size, crop_size) + image.shape[2:]).astype(np.float32)


def to_image_coordinates(keypoints: np.ndarray, region: CropRegion) -> np.ndarray:
    """Map ``(17, 3)`` y, x, score normalised to the crop onto the image (as ``run_inference``)."""
    mapped = np.array(keypoints, dtype=np.float64)
    mapped[:, _Y] = region.y_min + region.height * mapped[:, _Y]
    mapped[:, _X] = region.x_min + region.width * mapped[:, _X]
    return mapped
