"""Baseline for the OpenPose decoder benchmark: the same algorithm as straightforward Python loops.

Not used by the package. It is what ``core/openpose`` would be written as
without vectorising: peaks found one heatmap at a time and refined one peak
at a time, every candidate limb scored pair by pair and sample by sample,
people assembled by scanning a list. Same thresholds, same refinement, same
bilinear sampling and greedy matching, so it returns the same people (the
benchmark checks that) and only the speed differs.
"""

from __future__ import annotations

import math

import numpy as np

from pose_estimation_ros.core.openpose.constants import (
    LIMB_PAF_CHANNELS,
    LIMBS,
    NUM_KEYPOINTS,
    NUM_TREE_LIMBS,
)
from pose_estimation_ros.core.openpose.paf_grouping import GroupingParams

Peak = tuple[float, float, float]  # x, y in cells, score


def baseline_find_peaks(heatmaps: np.ndarray, threshold: float) -> list[list[Peak]]:
    """Peaks of each heatmap in turn, each refined with the log-parabola vertex."""
    peaks_by_part = []
    for heatmap in heatmaps:
        height, width = heatmap.shape
        peaks = []
        for row in range(height):
            for col in range(width):
                value = float(heatmap[row, col])
                if value > threshold and _is_peak(heatmap, row, col, value):
                    peaks.append(_refine(heatmap, row, col, value))
        peaks_by_part.append(peaks)
    return peaks_by_part


def _is_peak(heatmap: np.ndarray, row: int, col: int, value: float) -> bool:
    height, width = heatmap.shape
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            r, c = row + dy, col + dx
            if (dy == dx == 0) or not (0 <= r < height and 0 <= c < width):
                continue
            before = dy < 0 or (dy == 0 and dx < 0)
            if value < heatmap[r, c] or (before and value == heatmap[r, c]):
                return False
    return True


def _refine(heatmap: np.ndarray, row: int, col: int, value: float) -> Peak:
    height, width = heatmap.shape

    def log_at(r: int, c: int) -> float:
        r, c = min(max(r, 0), height - 1), min(max(c, 0), width - 1)
        return math.log(max(float(heatmap[r, c]), 1e-4))

    def vertex(before: float, centre: float, after: float) -> float:
        curvature = before - 2.0 * centre + after
        offset = 0.5 * (before - after) / curvature if curvature < 0 else 0.0
        return min(max(offset, -0.5), 0.5)

    centre = log_at(row, col)
    dx = vertex(log_at(row, col - 1), centre, log_at(row, col + 1))
    dy = vertex(log_at(row - 1, col), centre, log_at(row + 1, col))
    return col + dx, row + dy, value


def _bilinear(field: np.ndarray, x: float, y: float) -> float:
    height, width = field.shape
    x, y = min(max(x, 0.0), width - 1.0), min(max(y, 0.0), height - 1.0)
    x0, y0 = min(int(x), max(width - 2, 0)), min(int(y), max(height - 2, 0))
    x1, y1 = min(x0 + 1, width - 1), min(y0 + 1, height - 1)
    fx, fy = x - x0, y - y0
    top = field[y0, x0] * (1 - fx) + field[y0, x1] * fx
    bottom = field[y1, x0] * (1 - fx) + field[y1, x1] * fx
    return float(top * (1 - fy) + bottom * fy)


def _score_pair(
    paf_x: np.ndarray, paf_y: np.ndarray, a: Peak, b: Peak, params: GroupingParams
) -> float | None:
    """Score one pair as a limb; None when it is not one."""
    vx, vy = b[0] - a[0], b[1] - a[1]
    length = math.hypot(vx, vy)
    if length == 0:
        return None
    ux, uy = vx / length, vy / length
    total, passed = 0.0, 0
    for k in range(params.num_samples):
        t = k / (params.num_samples - 1)
        x, y = a[0] + t * vx, a[1] + t * vy
        sample = _bilinear(paf_x, x, y) * ux + _bilinear(paf_y, x, y) * uy
        total += sample
        passed += sample > params.sample_threshold
    score = total / params.num_samples + min(0.5 * paf_x.shape[0] / length - 1.0, 0.0)
    if passed / params.num_samples >= params.min_fraction and score > 0:
        return score
    return None


def baseline_group_people(
    peaks_by_part: list[list[Peak]], pafs: np.ndarray, params: GroupingParams
) -> tuple[np.ndarray, np.ndarray]:
    """Score, match and assemble limb by limb; same output as ``paf_grouping.group_people``."""
    people: list[list[Peak | None]] = []
    for limb, ((part_a, part_b), (cx, cy)) in enumerate(zip(LIMBS, LIMB_PAF_CHANNELS)):
        candidates = []
        for i, a in enumerate(peaks_by_part[part_a]):
            for j, b in enumerate(peaks_by_part[part_b]):
                score = _score_pair(pafs[cx], pafs[cy], a, b, params)
                if score is not None:
                    candidates.append((score, i, j))
        candidates.sort(key=lambda candidate: -candidate[0])
        used_a, used_b = set(), set()
        for _, i, j in candidates:
            if i in used_a or j in used_b:
                continue
            used_a.add(i)
            used_b.add(j)
            a, b = peaks_by_part[part_a][i], peaks_by_part[part_b][j]
            owner = next((p for p in people if p[part_a] is a), None)
            if limb >= NUM_TREE_LIMBS:
                taken = any(p[part_b] is b for p in people)
                if owner is not None and owner[part_b] is None and not taken:
                    owner[part_b] = b
            elif owner is not None:
                owner[part_b] = b
            else:
                person: list[Peak | None] = [None] * len(peaks_by_part)
                person[part_a], person[part_b] = a, b
                people.append(person)
    return _to_arrays([p for p in people if sum(k is not None for k in p) >= params.min_parts])


def _to_arrays(people: list[list[Peak | None]]) -> tuple[np.ndarray, np.ndarray]:
    keypoints = np.zeros((len(people), NUM_KEYPOINTS, 3), dtype=np.float32)
    scores = np.zeros(len(people), dtype=np.float32)
    for index, person in enumerate(people):
        found = [k for k in person if k is not None]
        centre_x = sum(k[0] for k in found) / len(found)
        centre_y = sum(k[1] for k in found) / len(found)
        for part, peak in enumerate(person):
            if peak is None:
                keypoints[index, part] = (centre_x, centre_y, 0.0)
            else:
                keypoints[index, part] = (peak[0], peak[1], min(max(peak[2], 0.0), 1.0))
        scores[index] = keypoints[index, :, 2].sum() / len(person)
    order = np.argsort(-scores, kind="stable")
    return keypoints[order], scores[order]
