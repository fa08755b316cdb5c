"""COCO results: COCO-17 order from any layout, the results format, pycocotools' scores."""

import json

import numpy as np
import pytest

from pose_estimation_ros.core.skeletons import COCO17, OPENPOSE18
from pose_estimation_ros.core.types import Person, PoseFrame
from pose_estimation_ros.evaluation.coco_results import coco17_indices, frame_results, to_coco17
from pose_estimation_ros.evaluation.coco_score import load_ground_truth, score_keypoints


def test_openpose18_maps_to_coco17_by_name_dropping_the_neck():
    indices = coco17_indices(OPENPOSE18)
    assert [OPENPOSE18.keypoint_names[i] for i in indices] == list(COCO17.keypoint_names)
    assert OPENPOSE18.index("neck") not in indices
    assert indices[:7] == [0, 15, 14, 17, 16, 5, 2]  # nose, eyes, ears, shoulders
    keypoints = np.arange(18 * 3, dtype=np.float32).reshape(18, 3)
    np.testing.assert_array_equal(to_coco17(keypoints, OPENPOSE18)[1], keypoints[15])
    assert coco17_indices(COCO17) == list(range(17))


def test_frame_results_are_coco_keypoint_results():
    keypoints = np.zeros((18, 3), np.float32)
    keypoints[OPENPOSE18.index("left_wrist")] = (12.5, 40.25, 0.75)
    person = Person(keypoints, 0.8, (0, 0, 1, 1))
    frame = PoseFrame("openpose_hpe0001", OPENPOSE18, 640, 480, [person])
    (result,) = frame_results(42, frame)
    assert set(result) == {"image_id", "category_id", "keypoints", "score"}
    assert (result["image_id"], result["category_id"], result["score"]) == (42, 1, 0.8)
    assert len(result["keypoints"]) == 17 * 3
    wrist = COCO17.index("left_wrist") * 3
    assert result["keypoints"][wrist:][:3] == [12.5, 40.25, 0.75]
    json.dumps(result)  # plain Python values only


def write_ground_truth(path, keypoints):
    """Write a one-image, one-person COCO keypoint file."""
    points = [round(v, 2) for row in keypoints for v in (row[0], row[1], 2)]
    xs, ys = keypoints[:, 0], keypoints[:, 1]
    box = [float(xs.min()), float(ys.min()), float(np.ptp(xs)), float(np.ptp(ys))]
    path.write_text(
        json.dumps(
            {
                "images": [{"id": 7, "file_name": "a.jpg", "width": 400, "height": 400}],
                "categories": [
                    {"id": 1, "name": "person", "keypoints": list(COCO17.keypoint_names)}
                ],
                "annotations": [
                    {
                        "id": 1,
                        "image_id": 7,
                        "category_id": 1,
                        "keypoints": points,
                        "num_keypoints": 17,
                        "area": box[2] * box[3],
                        "bbox": box,
                        "iscrowd": 0,
                    }
                ],
            }
        )
    )


def detection(keypoints, v):
    """Build a COCO result for the given (17, 2) keypoints, every keypoint's v set to ``v``."""
    return {
        "image_id": 7,
        "category_id": 1,
        "keypoints": [float(c) for row in keypoints for c in (row[0], row[1], v)],
        "score": 0.9,
    }


def test_pycocotools_scores_exact_poses_1_far_poses_0_and_ignores_v(tmp_path):
    truth = np.random.default_rng(1).uniform(100, 300, (17, 2))
    write_ground_truth(tmp_path / "gt.json", truth)
    ground_truth = load_ground_truth(tmp_path / "gt.json")
    exact = score_keypoints(ground_truth, [detection(truth, 1)])
    assert exact.ap == pytest.approx(1.0) and exact.stats["AR"] == pytest.approx(1.0)
    near = truth + 3.0
    scores = {v: score_keypoints(ground_truth, [detection(near, v)]).stats for v in (0, 1, 0.3)}
    assert scores[0] == scores[1] == scores[0.3]
    assert 0.0 < scores[1]["AP"] <= 1.0
    far = score_keypoints(ground_truth, [detection(truth + 150.0, 1)])
    assert far.ap == 0.0
    nobody = score_keypoints(ground_truth, [])
    assert nobody.ap == 0.0 and nobody.stats["AR"] == 0.0
