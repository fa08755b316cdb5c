"""core.scene_cut: video frames are one scene; unrelated photos, new sizes and time jumps cut."""

import cv2
import numpy as np
import pytest

from pose_estimation_ros.core.scene_cut import SceneCutDetector, thumbnail, thumbnail_difference

PHOTOS = ("tf_examples/image1.png", "tf_examples/image2.jpeg", "tfjs/pose.jpg")
SIZE = (480, 360)  # every photo resized to it: only their content differs


@pytest.fixture
def photos(asset_dir) -> list[np.ndarray]:
    return [cv2.resize(cv2.imread(str(asset_dir / "media" / p)), SIZE) for p in PHOTOS]


def test_consecutive_video_frames_are_never_a_cut(asset_dir):
    capture = cv2.VideoCapture(str(asset_dir / "media" / "tfjs" / "pose_1.mp4"))
    detector = SceneCutDetector()
    cuts = [detector.is_cut(capture.read()[1], index / 30.0) for index in range(60)]
    capture.release()
    assert not any(cuts)


def test_unrelated_photos_of_one_size_are_cuts(photos):
    detector = SceneCutDetector()
    assert [detector.is_cut(photo, index / 10.0) for index, photo in enumerate(photos)] == [
        False,  # the first frame: nothing to compare with
        True,
        True,
    ]


def test_a_new_size_or_a_jump_in_time_is_a_cut(photos):
    detector = SceneCutDetector(max_gap_s=1.0)
    image = photos[0]
    assert not detector.is_cut(image, 0.0)
    assert not detector.is_cut(image, 0.9)
    assert detector.is_cut(cv2.resize(image, (360, 480)), 1.0)
    assert detector.is_cut(image, 2.5)  # 1.5 s after the last frame
    assert detector.is_cut(image, 2.0)  # back in time (a replayed or restarted source)


def test_exposure_alone_is_not_a_cut(photos):
    darker = (photos[1] * 0.6).astype(np.uint8)
    assert thumbnail_difference(thumbnail(photos[1]), thumbnail(darker)) < 0.05
    detector = SceneCutDetector()
    detector.is_cut(photos[1], 0.0)
    assert not detector.is_cut(darker, 0.1)


def test_after_reset_the_next_frame_is_a_first_frame(photos):
    detector = SceneCutDetector()
    detector.is_cut(photos[0], 0.0)
    detector.reset()
    assert not detector.is_cut(photos[1], 0.1)


@pytest.mark.parametrize(
    "threshold, gap, error",
    [
        (0.0, 1.0, r"scene cut threshold must be > 0, got 0\.0"),
        (0.3, 0.0, r"scene cut max_gap_s must be > 0, got 0\.0"),
    ],
)
def test_bad_settings_are_refused(threshold, gap, error):
    with pytest.raises(ValueError, match=error):
        SceneCutDetector(threshold, gap)
