"""Decode MoveNet output tensors into keypoints normalised to the model input."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pose_estimation_ros.core.movenet import constants as C


@dataclass
class RawPose:
    """One decoded person: ``(17, 3)`` x, y, score normalised to the input; box; score."""

    keypoints: np.ndarray
    score: float
    box: tuple[float, float, float, float] | None = None


def _check_shape(output: np.ndarray, expected: tuple[int | None, ...], what: str) -> None:
    if output.shape == expected:  # the usual case, cheaply
        return
    ok = output.ndim == len(expected) and all(
        want is None or got == want for got, want in zip(output.shape, expected)
    )
    if not ok:
        shown = tuple("N" if d is None else d for d in expected)
        raise ValueError(f"{what} output has shape {output.shape}, expected {shown}")


_XY_SCORE = np.array([C.KEYPOINT_X, C.KEYPOINT_Y, C.KEYPOINT_SCORE])


def _yx_to_xy(values: np.ndarray) -> np.ndarray:
    """Reorder ``(..., 3)`` y, x, score into x, y, score as a new float32 array."""
    return values[..., _XY_SCORE].astype(np.float32, copy=False)


def pose_score(keypoints: np.ndarray, min_score: float = C.MIN_CROP_KEYPOINT_SCORE) -> float:
    """Mean score of the keypoints above ``min_score`` (0 when none are), as tfjs scores poses.

    Plain Python over the 17 values: on arrays this small numpy's per-call
    overhead is most of the cost (this and the other per-keypoint helpers run
    on every frame, right after inference, when caches are cold).
    """
    confident = [score for score in keypoints[:, 2].tolist() if score > min_score]
    return sum(confident) / len(confident) if confident else 0.0


def decode_singlepose(output: np.ndarray) -> RawPose:
    """Decode a SinglePose ``[1, 1, 17, 3]`` output."""
    _check_shape(output, C.SINGLEPOSE_OUTPUT_SHAPE, "MoveNet SinglePose")
    keypoints = _yx_to_xy(output[0, 0])
    return RawPose(keypoints, pose_score(keypoints))


def decode_multipose(output: np.ndarray, min_person_score: float) -> list[RawPose]:
    """Decode a MultiPose ``[1, N, 56]`` output: people scored at least ``min_person_score``."""
    _check_shape(output, (1, None, C.MULTIPOSE_INSTANCE_SIZE), "MoveNet MultiPose")
    people = []
    for instance in output[0]:
        score = float(instance[C.MULTIPOSE_SCORE_INDEX])
        if score < min_person_score:
            continue
        keypoints = _yx_to_xy(instance[: C.MULTIPOSE_BOX_START].reshape(C.NUM_KEYPOINTS, 3))
        box = instance[slice(C.MULTIPOSE_BOX_START, C.MULTIPOSE_SCORE_INDEX)]
        y_min, x_min, y_max, x_max = (float(v) for v in box)
        people.append(RawPose(keypoints, score, (x_min, y_min, x_max, y_max)))
    people.sort(key=lambda pose: pose.score, reverse=True)
    return people
