"""Group keypoint candidates into people with part affinity fields (Cao et al., CVPR 2017).

1. Limb candidates: every pair of peaks whose parts a limb joins (part a ->
   part b) is scored by the line integral of that limb's PAF along the
   segment between them, approximated with ``num_samples`` evenly spaced
   samples (bilinearly interpolated, as sampling a field upsampled to the
   image would give): the mean of ``PAF . unit(b - a)``, plus the distance
   prior ``min(0, 0.5 * map_height / length - 1)`` that penalises limbs
   longer than half the image. A pair is kept when at least
   ``min_fraction`` of the samples exceed ``sample_threshold`` and the score
   is positive.
2. Matching: per limb, pairs are accepted greedily by decreasing score, each
   peak used at most once per limb (one-to-one).
3. People: limbs are visited in breadth-first order from the neck, so each
   limb's parent part was placed before it: a connection whose ``a`` peak
   already belongs to a person adds its ``b`` peak to that person; any other
   connection starts a new person. The two redundant shoulder-to-ear limbs
   only fill in an ear the person lacks.

Steps 1 and 2 run on the pairs of all limbs at once (one batch of array
operations per image); the Python loops left are over the accepted pairs in
the greedy matching and over the 19 limbs when assembling people.
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

# LIMB_OF[part_a, part_b]: the limb from part_a to part_b, MISSING if none.
LIMB_OF = np.full((NUM_KEYPOINTS, NUM_KEYPOINTS), MISSING, dtype=np.intp)
for _limb, (_a, _b) in enumerate(LIMBS):
    LIMB_OF[_a, _b] = _limb
_PAF_X = np.array([x for x, _ in LIMB_PAF_CHANNELS], dtype=np.intp)
_PAF_Y = np.array([y for _, y in LIMB_PAF_CHANNELS], dtype=np.intp)


@dataclass(frozen=True)
class GroupingParams:
    """Thresholds of the limb scoring and the people filter.

    The defaults below are the only definition of these thresholds: the
    OpenPose options ``paf_*`` and ``min_parts`` (``options.OpenPoseOptions``)
    take their defaults from here.
    """

    num_samples: int = 10  # points sampled along each candidate limb
    sample_threshold: float = 0.05  # a sample counts when PAF . direction exceeds this
    min_fraction: float = 0.8  # fraction of samples that must count
    min_parts: int = 4  # people with fewer keypoints are dropped


@dataclass(frozen=True)
class Connections:
    """Limb connections: the limb, the peak ids of both ends and the limb score."""

    limb: np.ndarray  # (M,) int, index into LIMBS
    peak_a: np.ndarray  # (M,) int
    peak_b: np.ndarray  # (M,) int
    score: np.ndarray  # (M,) float

    def select(self, rows: np.ndarray) -> Connections:
        """Keep only the connections at ``rows`` (an index or boolean array)."""
        return Connections(self.limb[rows], self.peak_a[rows], self.peak_b[rows], self.score[rows])


def candidate_pairs(peaks: Peaks) -> Connections:
    """Every pair of peaks that some limb joins, in limb order, score 0."""
    limb = LIMB_OF[peaks.part[:, None], peaks.part[None, :]]
    peak_a, peak_b = np.nonzero(limb != MISSING)
    limb = limb[peak_a, peak_b]
    order = np.argsort(limb, kind="stable")
    return Connections(limb[order], peak_a[order], peak_b[order], np.zeros(len(order)))


def score_pairs(
    pafs: np.ndarray, xy: np.ndarray, pairs: Connections, params: GroupingParams
) -> Connections:
    """Score ``pairs`` by their PAF line integrals; return those that pass, with their scores.

    ``pafs`` is ``(38, H, W)``; ``xy`` the ``(N, 2)`` peak positions in cells.
    """
    height = pafs.shape[1]
    starts = xy[pairs.peak_a]
    vectors = xy[pairs.peak_b] - starts  # (M, 2)
    lengths = np.linalg.norm(vectors, axis=1)
    units = vectors / np.maximum(lengths, 1e-6)[:, None]
    steps = np.linspace(0.0, 1.0, params.num_samples, dtype=np.float32)
    points = starts[:, None, :] + steps[None, :, None] * vectors[:, None, :]  # (M, S, 2)
    field_x = sample_bilinear(pafs, _PAF_X[pairs.limb], points)
    field_y = sample_bilinear(pafs, _PAF_Y[pairs.limb], points)
    samples = field_x * units[:, None, 0] + field_y * units[:, None, 1]
    fraction = (samples > params.sample_threshold).mean(axis=1)
    prior = np.minimum(0.5 * height / np.maximum(lengths, 1e-6) - 1.0, 0.0)
    scores = samples.mean(axis=1) + prior
    valid = (fraction >= params.min_fraction) & (scores > 0) & (lengths > 0)
    return Connections(pairs.limb[valid], pairs.peak_a[valid], pairs.peak_b[valid], scores[valid])


def sample_bilinear(fields: np.ndarray, channels: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Interpolate ``fields[channels[m]]`` at ``points[m, s]`` (x, y in cells, clamped)."""
    _, height, width = fields.shape
    x = np.clip(points[..., 0], 0, width - 1)
    y = np.clip(points[..., 1], 0, height - 1)
    x0 = np.clip(x.astype(np.intp), 0, max(width - 2, 0))
    y0 = np.clip(y.astype(np.intp), 0, max(height - 2, 0))
    x1, y1 = np.minimum(x0 + 1, width - 1), np.minimum(y0 + 1, height - 1)
    fx, fy = x - x0, y - y0
    c = channels[:, None]
    top = fields[c, y0, x0] * (1 - fx) + fields[c, y0, x1] * fx
    bottom = fields[c, y1, x0] * (1 - fx) + fields[c, y1, x1] * fx
    return top * (1 - fy) + bottom * fy


def match_greedy(candidates: Connections) -> Connections:
    """Keep pairs greedily by decreasing score, each peak at most once per limb; sort by limb."""
    ordered = candidates.select(np.lexsort((-candidates.score, candidates.limb)))
    used: set[tuple[int, int, int]] = set()  # (limb, end, peak)
    kept = []
    ends = zip(ordered.limb.tolist(), ordered.peak_a.tolist(), ordered.peak_b.tolist())
    for row, (limb, a, b) in enumerate(ends):
        if (limb, 0, a) not in used and (limb, 1, b) not in used:
            used.update(((limb, 0, a), (limb, 1, b)))
            kept.append(row)
    return ordered.select(np.asarray(kept, dtype=np.intp))


def assemble_people(connections: Connections, num_peaks: int) -> np.ndarray:
    """Assemble connections into people: ``(P, NUM_KEYPOINTS)`` peak ids, ``MISSING`` if none.

    ``connections`` must be sorted by limb (tree limbs in breadth-first
    order, then the redundant ones), as ``match_greedy`` leaves them.
    """
    owner = np.full(num_peaks, MISSING, dtype=np.intp)  # person of each peak
    people = np.full((0, NUM_KEYPOINTS), MISSING, dtype=np.intp)
    bounds = np.searchsorted(connections.limb, np.arange(len(LIMBS) + 1))
    for limb, (part_a, part_b) in enumerate(LIMBS):
        if bounds[limb] == bounds[limb + 1]:
            continue
        rows = slice(bounds[limb], bounds[limb + 1])
        peak_a, peak_b = connections.peak_a[rows], connections.peak_b[rows]
        person = owner[peak_a]
        if limb >= NUM_TREE_LIMBS:
            fill = person != MISSING
            fill[fill] = people[person[fill], part_b] == MISSING
            fill &= owner[peak_b] == MISSING
            people[person[fill], part_b] = peak_b[fill]
            owner[peak_b[fill]] = person[fill]
            continue
        known = person != MISSING
        people[person[known], part_b] = peak_b[known]
        owner[peak_b[known]] = person[known]
        new = np.flatnonzero(~known)
        started = np.full((len(new), NUM_KEYPOINTS), MISSING, dtype=np.intp)
        started[:, part_a] = peak_a[new]
        started[:, part_b] = peak_b[new]
        new_ids = len(people) + np.arange(len(new))
        owner[peak_a[new]] = new_ids
        owner[peak_b[new]] = new_ids
        people = np.concatenate([people, started])
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
    connections = match_greedy(score_pairs(pafs, peaks.xy, candidate_pairs(peaks), params))
    people = assemble_people(connections, len(peaks.part))
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
