"""The numpy ports of the tutorial's TensorFlow image ops give TensorFlow's pixels."""

import numpy as np

from pose_estimation_ros.evaluation import tutorial_crop as tc
from pose_estimation_ros.evaluation.tutorial_resize import resize_with_pad

IMAGE = np.random.default_rng(3).integers(0, 256, (37, 53, 3), dtype=np.uint8)


def test_crop_and_resize_matches_tensorflow(tensorflow):
    regions = [
        tc.init_crop_region(37, 53),  # reaches above and below the image
        tc.CropRegion(0.1, 0.2, 0.7, 0.6, 0.6, 0.4),  # inside
        tc.CropRegion(-0.3, 0.5, 0.9, 1.4, 1.2, 0.9),  # over two edges
    ]
    for region in regions:
        box = [[region.y_min, region.x_min, region.y_max, region.x_max]]
        expected = tensorflow.image.crop_and_resize(IMAGE[np.newaxis], box, [0], [24, 24])[0]
        np.testing.assert_allclose(tc.crop_and_resize(IMAGE, region, 24), expected, atol=1e-3)


def test_resize_with_pad_matches_tensorflow(tensorflow):
    for image in (IMAGE, IMAGE.transpose(1, 0, 2).copy()):
        expected = tensorflow.image.resize_with_pad(image, 32, 32).numpy()
        np.testing.assert_allclose(resize_with_pad(image, 32)[0], expected, atol=1e-3)
