"""The MoveNet tutorial's crop algorithm, ported: hand-computed regions and crops."""

from dataclasses import astuple

import numpy as np
import pytest

from pose_estimation_ros.core.skeletons import COCO17
from pose_estimation_ros.evaluation import tutorial_crop as tc
from pose_estimation_ros.evaluation.tutorial_resize import pad_geometry, resize_with_pad


def yx_keypoints(points: dict[str, tuple[float, float, float]], height: int, width: int):
    """Tutorial keypoints (y, x, score normalised) from pixel ``(y, x, score)`` per name."""
    keypoints = np.zeros((17, 3))
    for name, (y, x, score) in points.items():
        keypoints[COCO17.index(name)] = (y / height, x / width, score)
    return keypoints


# A 200 x 100 image: hips at y 60 either side of x 100, shoulders at y 30, nose at y 20.
PERSON = {
    "left_hip": (60.0, 90.0, 0.9),
    "right_hip": (60.0, 110.0, 0.9),
    "left_shoulder": (30.0, 85.0, 0.9),
    "right_shoulder": (30.0, 115.0, 0.9),
    "nose": (20.0, 100.0, 0.5),
}


def test_init_region_pads_the_shorter_side_evenly():
    assert tc.init_crop_region(100, 200) == tc.CropRegion(-0.5, 0.0, 1.5, 1.0, 2.0, 1.0)
    assert tc.init_crop_region(200, 100) == tc.CropRegion(0.0, -0.5, 1.0, 1.5, 1.0, 2.0)


def test_torso_visible_needs_a_hip_and_a_shoulder_above_0_2():
    keypoints = yx_keypoints(PERSON, 100, 200)
    assert tc.torso_visible(keypoints)
    keypoints[COCO17.index("left_shoulder"), 2] = 0.2  # not above
    assert tc.torso_visible(keypoints)  # the right shoulder still is
    keypoints[COCO17.index("right_shoulder"), 2] = 0.1
    assert not tc.torso_visible(keypoints)


def test_ranges_skip_unconfident_keypoints_but_not_the_torso():
    keypoints = yx_keypoints(PERSON, 100, 200)  # other keypoints: (0, 0), score 0
    target = keypoints[:, :2] * (100, 200)
    ranges = tc.determine_torso_and_body_range(keypoints, target, 60.0, 100.0)
    assert ranges == pytest.approx((30.0, 15.0, 40.0, 15.0))


def test_crop_region_by_hand():
    # Half side max(1.9 * 30, 1.9 * 15, 1.2 * 40, 1.2 * 15) = 57 <= farthest edge 100 and
    # <= 200 / 2: a 114 px square from (y 3, x 43).
    region = tc.determine_crop_region(yx_keypoints(PERSON, 100, 200), 100, 200)
    expected = (3 / 100, 43 / 200, 117 / 100, 157 / 200, 114 / 100, 114 / 200)
    assert astuple(region) == pytest.approx(expected)


def test_crop_region_falls_back_to_the_initial_one():
    no_hips = {**PERSON, "left_hip": (60.0, 90.0, 0.1), "right_hip": (60.0, 110.0, 0.0)}
    hidden = yx_keypoints(no_hips, 100, 200)
    assert tc.determine_crop_region(hidden, 100, 200) == tc.init_crop_region(100, 200)
    # Hips centred at x 20, a confident ankle 90 px below them: half side 1.2 * 90 = 108,
    # within the farthest edge (180 px) but over half the longer side (100 px).
    left = {
        "left_hip": (60.0, 10.0, 0.9),
        "right_hip": (60.0, 30.0, 0.9),
        "left_shoulder": (30.0, 5.0, 0.9),
        "right_shoulder": (30.0, 35.0, 0.9),
        "left_ankle": (150.0, 20.0, 0.9),
    }
    far = yx_keypoints(left, 100, 200)
    assert tc.determine_crop_region(far, 100, 200) == tc.init_crop_region(100, 200)


def test_crop_half_side_is_clamped_to_the_farthest_edge():
    # The centred person with a confident ankle 90 px below the hips: 108 clamped to 100.
    far = yx_keypoints({**PERSON, "left_ankle": (150.0, 100.0, 0.9)}, 100, 200)
    region = tc.determine_crop_region(far, 100, 200)
    assert astuple(region) == pytest.approx((-0.4, 0.0, 1.6, 1.0, 2.0, 1.0))


def test_crop_and_resize_samples_pixel_centres_bilinearly_with_zeros_outside():
    image = np.arange(9, dtype=np.uint8).reshape(3, 3, 1) * 10  # rows 0 10 20 / 30 40 50 / ...
    whole = tc.CropRegion(0.0, 0.0, 1.0, 1.0, 1.0, 1.0)
    np.testing.assert_array_equal(tc.crop_and_resize(image, whole, 3), image)
    quarter = tc.CropRegion(0.0, 0.0, 0.25, 0.25, 0.25, 0.25)  # samples at 0 and 0.5 px
    np.testing.assert_allclose(tc.crop_and_resize(image, quarter, 2)[..., 0], [[0, 5], [15, 20]])
    above = tc.CropRegion(-1.0, 0.0, 1.0, 1.0, 2.0, 1.0)  # rows at y -2 (outside), 0, 2 px
    crop = tc.crop_and_resize(image, above, 3)[..., 0]
    np.testing.assert_allclose(crop, [[0, 0, 0], [0, 10, 20], [60, 70, 80]])


def test_keypoints_map_from_the_crop_to_the_image():
    region = tc.CropRegion(0.1, 0.2, 0.6, 0.7, 0.5, 0.5)
    mapped = tc.to_image_coordinates(np.array([[0.5, 0.5, 0.8]] * 17), region)
    np.testing.assert_allclose(mapped[0], [0.35, 0.45, 0.8])


def test_resize_with_pad_centres_the_image_like_tensorflow():
    # 300 x 200 into 192: ratio 1.5625, resized 192 x 128, 32 rows of padding above.
    pad = pad_geometry(300, 200, 192)
    assert (pad.left, pad.top, pad.width, pad.height) == (0, 32, 192, 128)
    square, _ = resize_with_pad(np.full((200, 300, 3), 100, np.uint8), 192)
    assert (square[:32] == 0).all() and (square[160:] == 0).all()
    np.testing.assert_allclose(square[32:160], 100)
