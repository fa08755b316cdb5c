"""``tf.image.resize_with_pad`` in numpy and OpenCV: the MoveNet tutorial's single-image input.

The tutorial's first pass resizes the whole image to the model's square
input, aspect kept, and pads it centred with zeros. As TensorFlow does, the
resized sides are rounded down, the padding before the image is the floor of
half the slack, and resizing is bilinear on pixel centres without
antialiasing (OpenCV's ``INTER_LINEAR`` on float pixels).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Padding:
    """Where the image lies in the padded square: offsets and resized size, in input pixels."""

    left: int
    top: int
    width: int
    height: int


def pad_geometry(image_width: int, image_height: int, size: int) -> Padding:
    """Resized size and centred offsets of an image fitted into a ``size`` square."""
    ratio = max(image_width / size, image_height / size)
    resized_w, resized_h = image_width / ratio, image_height / ratio
    return Padding(
        max(0, math.floor((size - resized_w) / 2)),
        max(0, math.floor((size - resized_h) / 2)),
        math.floor(resized_w),
        math.floor(resized_h),
    )


def resize_with_pad(image: np.ndarray, size: int) -> tuple[np.ndarray, Padding]:
    """Float32 ``size`` square holding the resized image, zeros around it; and where it lies."""
    height, width = image.shape[:2]
    pad = pad_geometry(width, height, size)
    resized = cv2.resize(
        image.astype(np.float32), (pad.width, pad.height), interpolation=cv2.INTER_LINEAR
    )
    square = np.zeros((size, size) + image.shape[2:], dtype=np.float32)
    rows, cols = slice(pad.top, pad.top + pad.height), slice(pad.left, pad.left + pad.width)
    square[rows, cols] = resized
    return square, pad


def unpad_points(
    points_xy: np.ndarray, pad: Padding, size: int, width: int, height: int
) -> np.ndarray:
    """Map ``(N, 2)`` x, y normalised to the padded square back to source-image pixels."""
    scale = np.array([width / pad.width, height / pad.height])
    return (np.asarray(points_xy, dtype=np.float64) * size - (pad.left, pad.top)) * scale
