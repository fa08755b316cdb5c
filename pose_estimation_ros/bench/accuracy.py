"""MoveNet Lightning against upstream's keypoints, for the accuracy test and ``make bench``.

Still images: ``tf_examples/pose_landmark_truth.csv`` from TensorFlow's
pose-estimation example (a single pass over the full frame padded to a
centred square). Video: tfjs-models' expected Lightning keypoints for
``pose_1.mp4``, with smart crop and smoothing on, scored as the share of
frames whose worst keypoint is within upstream's 60 px.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from pose_estimation_ros.core.assets import AssetError, search_dirs
from pose_estimation_ros.core.estimator import PoseEstimator, create_estimator
from pose_estimation_ros.core.skeletons import COCO17

STILL_IMAGES = ("image1.png", "image2.jpeg")
STILL_TOLERANCE_PX = 21.0
VIDEO_TOLERANCE_PX = 60.0
VIDEO_FPS = 30.0
STILL_ONLY = dict(smart_crop=False, smoothing=False, tracking=False)


def media_root() -> Path:
    """First asset directory holding the tf_examples and tfjs media (the asset search path)."""
    for directory in search_dirs():
        if (directory / "media" / "tfjs" / "pose_1.json").is_file():
            return directory
    raise AssetError(f"no media/tfjs/pose_1.json under {[str(d) for d in search_dirs()]}")


def still_cases(asset_dir: Path) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    """Each still image's name, BGR pixels and true (17, 2) keypoints."""
    media = asset_dir / "media" / "tf_examples"
    with open(media / "pose_landmark_truth.csv") as f:
        rows = list(csv.reader(f))[1:]
    for name, row in zip(STILL_IMAGES, rows):
        yield name, cv2.imread(str(media / name)), np.array(row, dtype=float).reshape(17, 2)


def keypoint_errors(keypoints: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Pixel distance of each keypoint (x, y, ...) from its true (x, y)."""
    return np.linalg.norm(keypoints[:, :2] - truth, axis=1)


def video_worst_errors(asset_dir: Path, estimator: PoseEstimator) -> list[float]:
    """Per frame of pose_1.mp4, the worst keypoint's error (inf when nobody is found)."""
    media = asset_dir / "media" / "tfjs"
    expected = json.loads((media / "pose_1.json").read_text())
    capture = cv2.VideoCapture(str(media / "pose_1.mp4"))
    worst: list[float] = []
    while (read := capture.read())[0] and len(worst) < len(expected):
        index = len(worst)
        people = estimator.estimate(read[1], index / VIDEO_FPS)
        names = COCO17.keypoint_names
        truth = np.array([[expected[index][n]["x"], expected[index][n]["y"]] for n in names])
        worst.append(
            float(keypoint_errors(people[0].keypoints, truth).max()) if people else np.inf
        )
    capture.release()
    if len(worst) != len(expected):
        raise ValueError(f"pose_1.mp4 gave {len(worst)} frames, pose_1.json has {len(expected)}")
    return worst


def fraction_within(worst_errors: list[float], tolerance_px: float) -> float:
    """Share of frames whose worst keypoint error is at most ``tolerance_px``."""
    return float(np.mean(np.asarray(worst_errors) <= tolerance_px)) if worst_errors else 0.0


def movenet_accuracy(asset_dir: Path, backend: str = "openvino") -> dict[str, object]:
    """Compute the accuracy block: still-image errors and the video's share within 60 px."""
    still = {}
    for name, image, truth in still_cases(asset_dir):
        estimator = create_estimator("movenet_lightning", backend=backend, **STILL_ONLY)
        people = estimator.estimate(image, 0.0)
        errors = keypoint_errors(people[0].keypoints, truth) if people else np.full(17, np.inf)
        still[name] = {"max_px": float(errors.max()), "median_px": float(np.median(errors))}
    video = create_estimator("movenet_lightning", backend=backend, smart_crop=True, smoothing=True)
    worst = video_worst_errors(asset_dir, video)
    return {
        "model": "movenet_lightning",
        "backend": backend,
        "still_images": still,
        "still_tolerance_px": STILL_TOLERANCE_PX,
        "video": "pose_1.mp4",
        "video_frames": len(worst),
        "video_within_60px_percent": 100.0 * fraction_within(worst, VIDEO_TOLERANCE_PX),
    }
