"""Network input sizing that keeps the aspect ratio, and the exact map back to source pixels.

The image is scaled to the network's input height, pasted at the top-left
of an input whose width is the scaled width rounded up to a multiple of
``INPUT_WIDTH_STEP`` (16 px: the network, reshaped to that width, wastes at
most 15 columns), and the rest is padded with black. The network is compiled
once with a dynamic width (``estimator.py``); the 16-px steps and the width
cap below allow at most ``input_height / 4`` input shapes (64 for hpe-0001,
92 for tf-pose). An image wider than ``MAX_INPUT_ASPECT``
times its height would make the input (and the network's memory) grow
without bound, so the input width is capped at ``MAX_INPUT_ASPECT`` times
the input height: such an image is scaled by width instead and padded at the
bottom. Pixel coordinates use the message convention: origin at the
top-left corner, a pixel's centre at ``index + 0.5``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from pose_estimation_ros.core.openpose.constants import STRIDE

# Widest network input, in input heights: 4:1 holds 32:9 (two 16:9 cameras side by side) whole.
MAX_INPUT_ASPECT = 4
INPUT_WIDTH_STEP = 16  # px; input widths are multiples of it (and of the stride)


@dataclass(frozen=True)
class InputGeometry:
    """Where the source image lies in the network input."""

    input_height: int
    input_width: int
    scaled_height: int
    scaled_width: int
    source_height: int
    source_width: int

    @property
    def map_shape(self) -> tuple[int, int]:
        """Heatmap (rows, cols) the network outputs for this input."""
        return self.input_height // STRIDE, self.input_width // STRIDE


def max_input_width(input_height: int) -> int:
    """Return the widest input for ``input_height`` rows (a multiple of ``INPUT_WIDTH_STEP``)."""
    return MAX_INPUT_ASPECT * input_height


def fit_input(source_height: int, source_width: int, input_height: int) -> InputGeometry:
    """Scale the source to ``input_height`` rows; pad the width to a multiple of 16 px.

    A source wider than ``MAX_INPUT_ASPECT`` is scaled to ``max_input_width``
    columns instead, and padded at the bottom: the input never exceeds
    ``input_height x max_input_width``, whatever the aspect.
    """
    if input_height <= 0 or input_height % STRIDE:
        raise ValueError(f"input height {input_height} is not a positive multiple of {STRIDE}")
    if source_height <= 0 or source_width <= 0:
        raise ValueError(f"empty source image ({source_width}x{source_height})")
    widest = max_input_width(input_height)
    scaled_width = max(1, round(source_width * input_height / source_height))
    scaled_height = input_height
    if scaled_width > widest:
        scaled_width = widest
        scaled_height = min(input_height, max(1, round(source_height * widest / source_width)))
    input_width = math.ceil(scaled_width / INPUT_WIDTH_STEP) * INPUT_WIDTH_STEP
    return InputGeometry(
        input_height, input_width, scaled_height, scaled_width, source_height, source_width
    )


def make_input(image_bgr: np.ndarray, geometry: InputGeometry) -> np.ndarray:
    """Resize and pad ``image_bgr`` into an ``(input_height, input_width, 3)`` float32 array."""
    canvas = np.zeros((geometry.input_height, geometry.input_width, 3), dtype=np.float32)
    scaled = cv2.resize(
        image_bgr,
        (geometry.scaled_width, geometry.scaled_height),
        interpolation=(
            cv2.INTER_AREA
            if geometry.scaled_height < geometry.source_height
            or geometry.scaled_width < geometry.source_width
            else cv2.INTER_LINEAR
        ),
    )
    canvas[: geometry.scaled_height, : geometry.scaled_width] = scaled
    return canvas


def cells_to_source(xy_cells: np.ndarray, geometry: InputGeometry) -> np.ndarray:
    """Map ``(..., 2)`` positions in heatmap cells (cell centre = index) to source pixels.

    Cell ``c`` covers input pixels ``[STRIDE * c, STRIDE * (c + 1))``, so its
    centre is input pixel ``STRIDE * (c + 0.5)``; the source pixel follows
    from the per-axis scale of the resize (padding is right and bottom only,
    so the same holds for a source scaled by width).
    """
    scale = np.array(
        [
            geometry.source_width / geometry.scaled_width,
            geometry.source_height / geometry.scaled_height,
        ],
        dtype=np.float32,
    )
    return (STRIDE * (np.asarray(xy_cells, dtype=np.float32) + 0.5)) * scale
