"""Group keypoint candidates into people with part affinity fields (Cao et al., CVPR 2017).

1. Limb candidates: for each limb (part a -> part b), every pair of an ``a``
   peak and a ``b`` peak is scored by the line integral of the limb's PAF
   along the segment between them, approximated with ``num_samples`` evenly
   spaced samples (bilinearly interpolated, as
   sampling a field upsampled to the image would give): the mean of ``PAF . unit(b - a)``, plus the
   distance prior ``min(0, 0.5 * map_height / length - 1)`` that penalises
   limbs longer than half the image. A pair is kept when at least
   ``min_fraction`` of the samples exceed ``sample_threshold`` and the score
   is positive.
2. Matching: per limb, pairs are accepted greedily by decreasing score, each
   peak used at most once (one-to-one).
3. People: limbs are visited in breadth-first order from the neck, so each
   limb's parent part was placed before it: a connection whose ``a`` peak
   already belongs to a person adds its ``b`` peak to that person; any other
   connection starts a new person. The two redundant shoulder-to-ear limbs
   only fill in an ear the person lacks.

Everything is vectorised over the candidates of one limb; the only Python
loops are over the 19 limbs and the greedy matching of each.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pose_estimation_ros.core.openpose.constants import (
    LIMB_PAF_CHANNELS,
    LIMBS,
    NUM_KEYPOINTS,
    NUM_TREE_LIMBS,
)
from pose_estimation_ros.core.openpose.peaks import Peaks

MISSING = -1


@dataclass(frozen=True)
class GroupingParams:
    """Thresholds of the limb scoring and the people filter."""

    num_samples: int = 10  # points sampled along each candidate limb
    sample_threshold: float = 0.05  # a sample counts when PAF . direction exceeds this
    min_fraction: float = 0.8  # fraction of samples that must count
    min_parts: int = 4  # people with fewer keypoints are dropped


@dataclass(frozen=True)
class Connections:
    """Accepted connections of one limb: peak ids of both ends and the limb score."""

    peak_a: np.ndarray  # (M,) int
    peak_b: np.ndarray  # (M,) int
    score: np.ndarray  # (M,) float


def score_limb(
    paf_x: np.ndarray,
    paf_y: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    params: GroupingParams,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Score all (start, end) pairs of one limb; return ``(i, j, score)`` of the valid pairs.

    ``starts`` (A, 2) and ``ends`` (B, 2) are peak positions in cells;
    ``paf_x``/``paf_y`` the limb's (H, W) field. ``i``/``j`` index ``starts``/``ends``.
    """
    height, width = paf_x.shape
    vectors = ends[None, :, :] - starts[:, None, :]  # (A, B, 2)
    lengths = np.linalg.norm(vectors, axis=2)
    units = vectors / np.maximum(lengths, 1e-6)[..., None]
    steps = np.linspace(0.0, 1.0, params.num_samples, dtype=np.float32)
    points = starts[:, None, None, :] + steps[None, None, :, None] * vectors[:, :, None, :]
    field_x, field_y = sample_bilinear(paf_x, points), sample_bilinear(paf_y, points)
    samples = field_x * units[:, :, None, 0] + field_y * units[:, :, None, 1]
    fraction = (samples > params.sample_threshold).mean(axis=2)
    prior = np.minimum(0.5 * height / np.maximum(lengths, 1e-6) - 1.0, 0.0)
    scores = samples.mean(axis=2) + prior
    valid = (fraction >= params.min_fraction) & (scores > 0) & (lengths > 0)
    i, j = np.nonzero(valid)
    return i, j, scores[i, j]


def sample_bilinear(field: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Bilinearly interpolate an (H, W) field at ``(..., 2)`` (x, y) cell positions, clamped."""
    height, width = field.shape
    x = np.clip(points[..., 0], 0, width - 1)
    y = np.clip(points[..., 1], 0, height - 1)
    x0 = np.minimum(x.astype(np.intp), width - 2) if width > 1 else np.zeros(x.shape, np.intp)
    y0 = np.minimum(y.astype(np.intp), height - 2) if height > 1 else np.zeros(y.shape, np.intp)
    x1, y1 = np.minimum(x0 + 1, width - 1), np.minimum(y0 + 1, height - 1)
    fx, fy = x - x0, y - y0
    top = field[y0, x0] * (1 - fx) + field[y0, x1] * fx
    bottom = field[y1, x0] * (1 - fx) + field[y1, x1] * fx
    return top * (1 - fy) + bottom * fy


def match_greedy(i: np.ndarray, j: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Indices of the pairs kept by greedy one-to-one matching in decreasing score order."""
    order = np.argsort(-score, kind="stable")
    used_i: set[int] = set()
    used_j: set[int] = set()
    kept = []
    for k in order:
        a, b = int(i[k]), int(j[k])
        if a not in used_i and b not in used_j:
            used_i.add(a)
            used_j.add(b)
            kept.append(k)
    return np.asarray(kept, dtype=np.intp)


def connect_limbs(peaks: Peaks, pafs: np.ndarray, params: GroupingParams) -> list[Connections]:
    """Score and match every limb; one ``Connections`` per entry of ``LIMBS``."""
    ids_by_part = [np.flatnonzero(peaks.part == k) for k in range(NUM_KEYPOINTS)]
    connections = []
    for (part_a, part_b), (channel_x, channel_y) in zip(LIMBS, LIMB_PAF_CHANNELS):
        ids_a, ids_b = ids_by_part[part_a], ids_by_part[part_b]
        i, j, score = score_limb(
            pafs[channel_x], pafs[channel_y], peaks.xy[ids_a], peaks.xy[ids_b], params
        )
        kept = match_greedy(i, j, score)
        connections.append(Connections(ids_a[i[kept]], ids_b[j[kept]], score[kept]))
    return connections


def assemble_people(connections: list[Connections], num_peaks: int) -> np.ndarray:
    """Assemble limb connections into people: ``(P, NUM_KEYPOINTS)`` peak ids, ``MISSING`` if none.

    ``connections`` follows ``LIMBS`` (tree limbs in breadth-first order, then
    the redundant ones).
    """
    owner = np.full(num_peaks, MISSING, dtype=np.intp)  # person of each peak
    people = np.full((0, NUM_KEYPOINTS), MISSING, dtype=np.intp)
    for limb, ((part_a, part_b), found) in enumerate(zip(LIMBS, connections)):
        person = owner[found.peak_a]
        if limb >= NUM_TREE_LIMBS:
            fill = person != MISSING
            fill[fill] = people[person[fill], part_b] == MISSING
            fill &= owner[found.peak_b] == MISSING
            people[person[fill], part_b] = found.peak_b[fill]
            owner[found.peak_b[fill]] = person[fill]
            continue
        known = person != MISSING
        people[person[known], part_b] = found.peak_b[known]
        owner[found.peak_b[known]] = person[known]
        new = np.flatnonzero(~known)
        rows = np.full((len(new), NUM_KEYPOINTS), MISSING, dtype=np.intp)
        rows[:, part_a] = found.peak_a[new]
        rows[:, part_b] = found.peak_b[new]
        new_ids = len(people) + np.arange(len(new))
        owner[found.peak_a[new]] = new_ids
        owner[found.peak_b[new]] = new_ids
        people = np.concatenate([people, rows])
    return people


def group_people(
    peaks: Peaks, pafs: np.ndarray, params: GroupingParams
) -> tuple[np.ndarray, np.ndarray]:
    """Group peaks into people; return keypoints ``(P, NUM_KEYPOINTS, 3)`` and scores ``(P,)``.

    Keypoints are ``x, y`` in heatmap cells and the peak's heatmap score;
    a missing keypoint has score 0 and sits at the mean of the person's
    found keypoints. The person score is the sum of its keypoint scores
    divided by ``NUM_KEYPOINTS`` (in 0..1, higher for more complete and more
    confident people). People with fewer than ``params.min_parts`` keypoints
    are dropped; the rest are sorted by decreasing score.
    """
    people = assemble_people(connect_limbs(peaks, pafs, params), len(peaks.part))
    people = people[(people != MISSING).sum(axis=1) >= params.min_parts]
    found = people != MISSING
    safe = np.where(found, people, 0)
    keypoints = np.zeros((len(people), NUM_KEYPOINTS, 3), dtype=np.float32)
    keypoints[..., :2] = peaks.xy[safe]
    keypoints[..., 2] = np.where(found, np.clip(peaks.score[safe], 0.0, 1.0), 0.0)
    centres = (keypoints[..., :2] * found[..., None]).sum(axis=1) / found.sum(axis=1)[:, None]
    keypoints[..., :2] = np.where(found[..., None], keypoints[..., :2], centres[:, None, :])
    scores = keypoints[..., 2].sum(axis=1) / NUM_KEYPOINTS
    order = np.argsort(-scores, kind="stable")
    return keypoints[order], scores[order]
