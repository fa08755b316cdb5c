"""Render OpenPose network outputs (heatmaps and PAFs) from known skeletons, for the tests.

Rendered the way the networks were trained (Cao et al.): per keypoint, the
maximum over people of a Gaussian of ``sigma`` cells; per limb, the unit
vector from parent to child on every cell within ``limb_width`` cells of the
segment, averaged where people overlap. Positions are heatmap cells with the
cell centre at its index.
"""

from __future__ import annotations

import numpy as np

from pose_estimation_ros.core.openpose.constants import (
    LIMB_PAF_CHANNELS,
    LIMBS,
    NUM_HEATMAPS,
    NUM_KEYPOINTS,
    NUM_PAF_CHANNELS,
)

# An upright person facing the camera, one unit tall (head top at 0, soles at 1),
# in OPENPOSE18 order: its right side is on the image's left.
TEMPLATE = np.array(
    [
        (0.00, 0.08),
        (0.00, 0.20),
        (-0.13, 0.21),
        (-0.17, 0.36),
        (-0.19, 0.50),
        (0.13, 0.21),
        (0.17, 0.36),
        (0.19, 0.50),
        (-0.07, 0.52),
        (-0.08, 0.74),
        (-0.08, 0.95),
        (0.07, 0.52),
        (0.08, 0.74),
        (0.08, 0.95),
        (-0.03, 0.06),
        (0.03, 0.06),
        (-0.07, 0.07),
        (0.07, 0.07),
    ],
    dtype=np.float32,
)


def place(x: float, y: float, height: float) -> np.ndarray:
    """Keypoints ``(18, 2)`` of the template with its head top at ``(x, y)``, ``height`` tall."""
    return TEMPLATE * height + np.array([x, y], dtype=np.float32)


def render(
    people: list[np.ndarray],
    visible: list[np.ndarray],
    map_shape: tuple[int, int],
    sigma: float = 1.0,
    limb_width: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(heatmaps (19, H, W), pafs (38, H, W))`` for people with visible-part masks."""
    height, width = map_shape
    rows, cols = np.mgrid[0:height, 0:width].astype(np.float32)
    heatmaps = np.zeros((NUM_HEATMAPS, height, width), dtype=np.float32)
    pafs = np.zeros((NUM_PAF_CHANNELS, height, width), dtype=np.float32)
    counts = np.zeros((len(LIMBS), height, width), dtype=np.float32)
    for keypoints, shown in zip(people, visible):
        for part in np.flatnonzero(shown):
            x, y = keypoints[part]
            blob = np.exp(-((cols - x) ** 2 + (rows - y) ** 2) / (2 * sigma**2))
            heatmaps[part] = np.maximum(heatmaps[part], blob)
        for limb, ((a, b), (cx, cy)) in enumerate(zip(LIMBS, LIMB_PAF_CHANNELS)):
            if not (shown[a] and shown[b]):
                continue
            start, direction = keypoints[a], keypoints[b] - keypoints[a]
            length = float(np.linalg.norm(direction))
            unit = direction / length
            along = (cols - start[0]) * unit[0] + (rows - start[1]) * unit[1]
            across = np.abs((cols - start[0]) * unit[1] - (rows - start[1]) * unit[0])
            on_limb = (along >= 0) & (along <= length) & (across <= limb_width)
            pafs[cx][on_limb] += unit[0]
            pafs[cy][on_limb] += unit[1]
            counts[limb][on_limb] += 1
    for limb, (cx, cy) in enumerate(LIMB_PAF_CHANNELS):
        pafs[[cx, cy]] /= np.maximum(counts[limb], 1)
    heatmaps[NUM_KEYPOINTS] = 1.0 - heatmaps[:NUM_KEYPOINTS].max(axis=0)
    return heatmaps, pafs
