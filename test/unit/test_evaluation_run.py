"""``make eval`` end to end: the pipeline and the baselines on a few COCO images, and a folder."""

import json
import math
from pathlib import Path

import cv2
import numpy as np
import pytest

from pose_estimation_ros.evaluation.cli import main
from pose_estimation_ros.evaluation.coco_score import load_ground_truth

COCO_DEV = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "coco_dev"


@pytest.mark.slow
def test_first_five_coco_images_give_results_pycocotools_accepts(tmp_path, capsys):
    annotations = COCO_DEV / "single_dev.json"
    output = tmp_path / "results.json"
    args = ["--images", str(COCO_DEV / "images"), "--annotations", str(annotations)]
    assert main(args + ["--limit", "5", "--baselines", "--output", str(output)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    name, value = lines[-1].split()
    assert name == "AP" and 0.0 <= float(value) <= 1.0 and math.isfinite(float(value))
    runs = {line.split()[0]: line for line in lines if " images 5 " in line}
    assert set(runs) == {"pipeline", "single_pass", "two_pass"}
    first_five = sorted(image["id"] for image in json.loads(annotations.read_text())["images"])[:5]
    ground_truth = load_ground_truth(annotations)
    baselines = [tmp_path / f"results.{name}.json" for name in ("single_pass", "two_pass")]
    for path in [output, *baselines]:
        results = json.loads(path.read_text())
        assert results and {r["image_id"] for r in results} <= set(first_five)
        assert all(r["category_id"] == 1 and len(r["keypoints"]) == 51 for r in results)
        ground_truth.loadRes(results)  # pycocotools accepts them


def test_a_folder_without_annotations_gives_results_only(tmp_path, capsys, asset_dir):
    images = tmp_path / "images"
    images.mkdir()
    noise = np.random.default_rng(0).integers(0, 255, (120, 160, 3), dtype=np.uint8)
    cv2.imwrite(str(images / "a.png"), noise)
    person = cv2.imread(str(asset_dir / "media" / "tfjs" / "pose.jpg"))
    cv2.imwrite(str(images / "b.png"), person)  # ids by name order: a 0, b 1
    output = tmp_path / "out.json"
    args = ["--images", str(images), "--model", "openpose_hpe0001", "--output", str(output)]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "openpose_hpe0001" in printed and " images 2 " in printed
    assert "AP" not in printed
    results = json.loads(output.read_text())
    assert 1 in {r["image_id"] for r in results} <= {0, 1}
    assert all(len(r["keypoints"]) == 51 and 0 < r["score"] for r in results)


def test_an_unknown_parameter_is_refused(capsys):
    assert main(["--images", str(COCO_DEV / "images"), "--param", "smothing=false"]) == 1
    assert "pose_node has no parameter 'smothing'" in capsys.readouterr().err
