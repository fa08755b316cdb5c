"""People as COCO keypoint results: ``{image_id, category_id, keypoints, score}``, COCO-17 order.

Keypoints are mapped to COCO-17 by name from the estimator's layout
(``core.skeletons``), so OpenPose's 18-point layout loses only its neck.
Each keypoint is written ``x, y, v`` with ``v`` the keypoint's score:
pycocotools reads only ``x`` and ``y`` of a detection (``COCOeval.computeOks``;
``v`` is used from the ground truth alone), so ``v`` never changes a score.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pose_estimation_ros.core.skeletons import COCO17, Layout
from pose_estimation_ros.core.types import PoseFrame

PERSON_CATEGORY_ID = 1


def coco17_indices(layout: Layout) -> list[int]:
    """Locate each COCO-17 keypoint in ``layout``, in COCO order; ``ValueError`` if absent."""
    missing = [name for name in COCO17.keypoint_names if name not in layout.keypoint_names]
    if missing:
        raise ValueError(f"layout {layout.name} lacks COCO keypoints {missing}")
    return [layout.index(name) for name in COCO17.keypoint_names]


def to_coco17(keypoints: np.ndarray, layout: Layout) -> np.ndarray:
    """Reorder a ``(N, 3)`` x, y, score array of ``layout`` into COCO-17's ``(17, 3)``."""
    return np.asarray(keypoints)[coco17_indices(layout)]


def frame_results(image_id: int, frame: PoseFrame, decimals: int = 2) -> list[dict[str, Any]]:
    """Build one COCO result per person of ``frame``, scored with the model's person score."""
    indices = coco17_indices(frame.layout)
    results = []
    for person in frame.people:
        points = person.keypoints[indices].astype(float)
        results.append(
            {
                "image_id": int(image_id),
                "category_id": PERSON_CATEGORY_ID,
                "keypoints": [round(v, decimals) for v in points.reshape(-1).tolist()],
                "score": round(float(person.score), 5),
            }
        )
    return results
