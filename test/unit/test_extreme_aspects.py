"""Thin, wide, tall and tiny images give every model a bounded network input (real weights)."""

import numpy as np
import pytest

from pose_estimation_ros.core.estimator import create_estimator
from pose_estimation_ros.core.image_bounds import MAX_IMAGE_SIDE
from pose_estimation_ros.core.movenet.estimator import multipose_input_size

pytestmark = pytest.mark.slow

SHAPES = [(1, 640), (1, MAX_IMAGE_SIDE), (MAX_IMAGE_SIDE, 1), (1, 1), (7, 2000), (480, 640)]
# The largest network input each model may be given (rows, columns), whatever the image.
BOUNDS = {
    "openpose_hpe0001": (256, 1024),
    "openpose_tfpose_mobilenet_v2_small": (368, 1472),
    "movenet_lightning": (192, 192),
}  # MultiPose's weights are not among the test assets: its sizing is checked on its own.


@pytest.fixture(scope="module", params=sorted(BOUNDS))
def pipeline(request):
    return create_estimator(request.param)


def _input_rows_cols(pipeline, tensor: np.ndarray) -> tuple[int, int]:
    channels_first = tensor.shape[1] == 3 and pipeline.model.startswith("openpose")
    return tensor.shape[2:4] if channels_first else tensor.shape[1:3]


@pytest.mark.parametrize("shape", SHAPES, ids=[f"{h}x{w}" for h, w in SHAPES])
def test_the_network_input_is_bounded_and_people_stay_in_the_image(pipeline, shape):
    image = np.full(shape + (3,), 100, np.uint8)
    tensor, _ = pipeline.preprocess(image)
    rows, cols = _input_rows_cols(pipeline, tensor)
    max_rows, max_cols = BOUNDS[pipeline.model]
    assert rows <= max_rows and cols <= max_cols, (shape, tensor.shape)
    people = pipeline.estimate(image, 1.0)
    for person in people:
        xs, ys = person.keypoints[:, 0], person.keypoints[:, 1]
        assert (xs >= 0).all() and (xs <= shape[1]).all() and (ys >= 0).all()
        assert (ys <= shape[0]).all()


def test_the_reported_thin_image_gets_the_capped_openpose_input():
    """The fault report's repro: a 640x1 image once became a 256 x 163,840 input."""
    pipeline = create_estimator("openpose_hpe0001")
    image = np.full((1, 640, 3), 100, np.uint8)
    tensor, geometry = pipeline.preprocess(image)
    assert tensor.shape[1:] == (3, 256, 1024)  # batch 2 on a fresh frame: with its mirror
    assert (geometry.scaled_height, geometry.scaled_width) == (2, 1024)
    assert pipeline.estimate(image, 1.0) == []


@pytest.mark.parametrize("shape", SHAPES, ids=[f"{h}x{w}" for h, w in SHAPES])
def test_multipose_input_is_at_most_256_square_with_the_aspect_kept(shape):
    height, width = shape
    resized_w, resized_h, padded_w, padded_h = multipose_input_size(width, height)
    assert max(resized_w, resized_h) == 256 and min(resized_w, resized_h) >= 1
    assert resized_w <= padded_w <= 256 and resized_h <= padded_h <= 256
    assert padded_w % 32 == padded_h % 32 == 0
    scale = 256 / max(width, height)  # the aspect is kept to a pixel (a side is at least 1)
    assert abs(resized_w - width * scale) <= 1 and abs(resized_h - height * scale) <= 1
