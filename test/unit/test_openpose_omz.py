"""Open Model Zoo's OpenPose (openvino-model-api 0.2.5.4), the eval baseline and bench reference.

On the same hpe-0001 outputs for upstream's image1.png, OMZ's
``OpenPoseDecoder`` (fed as the decoder benchmark feeds it) and ours find
the same person at the same places, within OMZ's quarter-cell refinement;
OMZ's model wrapper, run as the eval baseline runs it, finds the person where
upstream's ground truth has it, and ``make eval --baselines`` scores it beside
the pipeline in one run.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from pose_estimation_ros.bench.omz_decoder_bench import NMS_KERNEL, OmzPostprocess
from pose_estimation_ros.core.assets import resolve
from pose_estimation_ros.core.openpose.constants import STRIDE
from pose_estimation_ros.core.openpose.estimator import build
from pose_estimation_ros.core.openpose.options import make_options
from pose_estimation_ros.core.skeletons import COCO17, OPENPOSE18
from pose_estimation_ros.evaluation.baselines import BASELINES, OMZ_BASELINE, baseline_names
from pose_estimation_ros.evaluation.cli import main
from pose_estimation_ros.evaluation.coco_score import load_ground_truth
from pose_estimation_ros.evaluation.omz_import import alias_openvino_runtime
from pose_estimation_ros.evaluation.omz_openpose import OmzOpenPose

COCO_DEV = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "coco_dev"
QUARTER_CELL_PX = 0.5 * STRIDE + 0.5  # OMZ moves a peak by a quarter cell towards the side


def test_old_openvino_runtime_paths_name_the_modern_modules():
    import openvino

    alias_openvino_runtime()
    assert importlib.import_module("openvino.runtime").Core is openvino.Core
    assert importlib.import_module("openvino.runtime.opset8").max_pool is openvino.opset8.max_pool


def test_the_omz_baseline_is_for_the_ir_model_only():
    assert baseline_names("openpose_hpe0001") == (OMZ_BASELINE,)
    assert baseline_names("movenet_lightning") == BASELINES


@pytest.fixture
def image1(asset_dir) -> tuple[np.ndarray, np.ndarray]:
    """Upstream's image1.png and its ground truth (COCO-17 pixels)."""
    truth = np.loadtxt(
        asset_dir / "media" / "tf_examples" / "pose_landmark_truth.csv", delimiter=",", skiprows=1
    ).reshape(-1, COCO17.num_keypoints, 2)[0]
    return cv2.imread(str(asset_dir / "media" / "tf_examples" / "image1.png")), truth


@pytest.mark.slow
def test_omz_and_our_decoder_find_the_same_person_on_the_same_outputs(image1):
    image, truth = image1
    estimator = build("openpose_hpe0001", {"flip_average": False})
    tensor, geometry = estimator.preprocess(image)
    heatmaps, pafs = estimator.infer(tensor)
    pooled = np.stack([cv2.dilate(channel, NMS_KERNEL) for channel in heatmaps])
    scaled = (geometry.scaled_width, geometry.scaled_height)
    scale = (np.array([image.shape[1], image.shape[0]]) / scaled).astype(np.float32)
    poses, scores = OmzPostprocess()(heatmaps, pooled, pafs, scale)
    omz = poses[np.argmax(scores)]
    ours = estimator.decode((heatmaps, pafs), geometry, image.shape[1], image.shape[0])[0]
    ours = ours.keypoints[[OPENPOSE18.index(name) for name in COCO17.keypoint_names]]
    both = (omz[:, 2] > 0) & (ours[:, 2] > 0)
    assert both.sum() >= 15
    gap = np.linalg.norm(omz[both, :2] - ours[both, :2], axis=1)
    assert np.median(gap) <= QUARTER_CELL_PX * scale.max(), gap  # refinements differ
    assert np.median(np.linalg.norm(ours[both, :2] - truth[both], axis=1)) <= 8.0


@pytest.mark.slow
def test_omz_wrapper_finds_the_person_of_image1(image1):
    image, truth = image1
    omz = OmzOpenPose("openpose_hpe0001", str(resolve("openpose_hpe0001")), make_options({}))
    people = omz.estimate(image, 0.0)
    best = max(people, key=lambda person: person.score)
    errors = np.linalg.norm(best.keypoints[:, :2] - truth, axis=1)
    assert np.median(errors) <= 8.0, errors


@pytest.mark.slow
def test_eval_baselines_for_hpe0001_score_omz_in_the_same_run(tmp_path, capsys):
    annotations = COCO_DEV / "multi_dev.json"
    output = tmp_path / "results.json"
    args = ["--images", str(COCO_DEV / "images"), "--annotations", str(annotations)]
    args += ["--model", "openpose_hpe0001", "--limit", "3", "--baselines", "--output", str(output)]
    assert main(args) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    runs = {line.split()[0]: line for line in lines if " images 3 " in line}
    assert set(runs) == {"pipeline", OMZ_BASELINE}
    omz = json.loads((tmp_path / f"results.{OMZ_BASELINE}.json").read_text())
    assert omz and all(len(result["keypoints"]) == 51 for result in omz)
    load_ground_truth(annotations).loadRes(omz)  # pycocotools accepts them
