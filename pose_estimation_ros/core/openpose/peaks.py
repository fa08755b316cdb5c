"""Keypoint candidates: per-part non-maximum suppression on heatmaps, refined to sub-cell.

Coordinates here are heatmap cells in index units: cell ``(row, col)`` has its
centre at ``x = col, y = row``. The networks were trained with each cell
centred on the input pixels it covers, so ``input_px = STRIDE * (x + 0.5)``
(see ``sizing.py``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

_LOG_FLOOR = 1e-4  # heatmap values below this are taken as this before the log


class Peaks(NamedTuple):
    """All keypoint candidates of one image, sorted by part; a peak's id is its row."""

    part: np.ndarray  # (N,) int, keypoint index
    xy: np.ndarray  # (N, 2) float, sub-cell position in heatmap cells
    score: np.ndarray  # (N,) float, heatmap value at the peak cell


def find_peaks(heatmaps: np.ndarray, threshold: float) -> Peaks:
    """Find local maxima above ``threshold`` in every ``(K, H, W)`` heatmap at once.

    A cell is a peak when it is above the threshold, strictly greater than
    its 8 neighbours before it in raster order and not smaller than the ones
    after it (so a plateau yields one peak, not several). Each peak is then
    moved to the vertex of the parabola through the logarithms of the cell
    and its two neighbours, per axis: exact for a Gaussian blob, which is
    what the networks were trained to output, and bounded to half a cell.
    """
    maps = np.asarray(heatmaps, dtype=np.float32)
    _, height, width = maps.shape
    padded = np.pad(maps, ((0, 0), (1, 1), (1, 1)), mode="constant", constant_values=-np.inf)
    is_peak = maps > threshold
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if dy == dx == 0:
                continue
            rows, cols = slice(1 + dy, 1 + dy + height), slice(1 + dx, 1 + dx + width)
            neighbour = padded[:, rows, cols]
            before = dy < 0 or (dy == 0 and dx < 0)
            is_peak &= (maps > neighbour) if before else (maps >= neighbour)
    part, row, col = np.nonzero(is_peak)
    edge = np.pad(maps, ((0, 0), (1, 1), (1, 1)), mode="edge")
    logs = np.log(np.maximum(edge, _LOG_FLOOR))
    centre = logs[part, row + 1, col + 1]
    dx = _vertex_offset(logs[part, row + 1, col], centre, logs[part, row + 1, col + 2])
    dy = _vertex_offset(logs[part, row, col + 1], centre, logs[part, row + 2, col + 1])
    xy = np.stack([col + dx, row + dy], axis=1).astype(np.float32)
    return Peaks(part=part, xy=xy.reshape(-1, 2), score=maps[part, row, col])


def _vertex_offset(before: np.ndarray, centre: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Offset of the parabola's vertex through (-1, before), (0, centre), (1, after)."""
    curvature = before - 2.0 * centre + after
    safe = np.where(curvature < 0, curvature, -1.0)
    offset = np.where(curvature < 0, 0.5 * (before - after) / safe, 0.0)
    return np.clip(offset, -0.5, 0.5)
