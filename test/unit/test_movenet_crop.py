"""MoveNet crop regions: centred square padding, exact crops, mapping back, smart crop."""

import numpy as np
import pytest

from pose_estimation_ros.core.movenet.crop import (
    CropRegion,
    crop_and_resize,
    full_frame_region,
    next_crop_region,
    to_source_pixels,
)
from pose_estimation_ros.core.skeletons import COCO17


def test_full_frame_pads_evenly_on_both_sides():
    assert full_frame_region(640, 480) == CropRegion(0.0, -80.0, 640.0)
    assert full_frame_region(384, 640) == CropRegion(-128.0, 0.0, 640.0)


def test_padded_crop_is_centred_and_black_outside_the_image():
    image = np.full((100, 200, 3), 200, dtype=np.uint8)
    square = crop_and_resize(image, full_frame_region(200, 100), 20)
    assert square.shape == (20, 20, 3)
    assert (square[:5] == 0).all() and (square[15:] == 0).all()
    assert (square[5:15] == 200).all()


def test_crop_inside_the_image_is_the_exact_pixels():
    image = np.random.default_rng(0).integers(0, 255, (50, 60, 3), dtype=np.uint8)
    square = crop_and_resize(image, CropRegion(10.0, 5.0, 32.0), 32)
    np.testing.assert_array_equal(square, image[5:37, 10:42])


def test_a_marked_pixel_maps_back_to_where_it_was():
    image = np.zeros((300, 500, 3), dtype=np.uint8)
    image[200:204, 120:124] = 255  # a 4x4 spot centred on (122, 202)
    region = full_frame_region(500, 300)
    square = crop_and_resize(image, region, 192)
    rows, cols = np.nonzero(square[:, :, 0])
    spot = np.array([[cols.mean() + 0.5, rows.mean() + 0.5]]) / 192
    np.testing.assert_allclose(to_source_pixels(spot, region), [[122.0, 202.0]], atol=1.5)


def _pose(center_x: float, center_y: float, half_w: float, half_h: float) -> np.ndarray:
    """Keypoints spread over a box around (center_x, center_y), hips at the centre."""
    rng = np.random.default_rng(1)
    keypoints = np.zeros((17, 3), dtype=np.float32)
    keypoints[:, 0] = center_x + rng.uniform(-half_w, half_w, 17)
    keypoints[:, 1] = center_y + rng.uniform(-half_h, half_h, 17)
    keypoints[:, 2] = 0.8
    for name in ("left_hip", "right_hip"):
        keypoints[COCO17.index(name), :2] = (center_x, center_y)
    return keypoints


def test_smart_crop_is_a_square_around_the_hips_holding_the_body():
    keypoints = _pose(300.0, 240.0, 40.0, 80.0)
    region = next_crop_region(keypoints, 640, 480)
    assert region.x_min + region.size / 2 == pytest.approx(300.0)
    assert region.y_min + region.size / 2 == pytest.approx(240.0)
    extent = np.abs(keypoints[:, :2] - [300.0, 240.0]).max()
    assert region.size / 2 >= 1.2 * extent - 1e-3
    assert region.size < 480


def test_full_frame_when_the_torso_is_not_visible():
    keypoints = _pose(300.0, 240.0, 40.0, 80.0)
    for name in ("left_shoulder", "right_shoulder"):
        keypoints[COCO17.index(name), 2] = 0.1
    assert next_crop_region(keypoints, 640, 480) == full_frame_region(640, 480)


def test_full_frame_when_the_body_fills_the_image():
    keypoints = _pose(320.0, 240.0, 300.0, 230.0)
    assert next_crop_region(keypoints, 640, 480) == full_frame_region(640, 480)
