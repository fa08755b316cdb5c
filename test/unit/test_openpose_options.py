"""OpenPose options: defaults, validation, and the models the factory knows."""

import pytest

from pose_estimation_ros.core.estimator import MODELS
from pose_estimation_ros.core.openpose.estimator import NETWORKS
from pose_estimation_ros.core.openpose.options import make_options


def test_defaults_infer_in_f32_and_publish_openpose18():
    options = make_options({})
    assert options.inference_precision == "f32"
    assert options.layout == "openpose18"
    assert options.grouping.min_parts == options.min_parts


@pytest.mark.parametrize(
    "options, message",
    [
        ({"peak_treshold": 0.1}, "unknown OpenPose options"),
        ({"layout": "body25"}, "coco17, openpose18"),
        ({"backend": "litert"}, "openvino"),
        ({"input_height": 250}, "multiple of 8"),
        ({"input_height": 1032}, "must be <= 1024"),
        ({"max_people": 0}, "max_people"),
        ({"paf_min_fraction": 1.5}, "paf_min_fraction must be <= 1.0"),
    ],
)
def test_bad_options_are_rejected_by_name(options, message):
    with pytest.raises(ValueError, match=message):
        make_options(options)


def test_the_tallest_input_height_is_accepted():
    assert make_options({"input_height": 1024}).input_height == 1024


def test_every_openpose_network_is_a_registered_model():
    for model in NETWORKS:
        assert MODELS[model].estimator == "pose_estimation_ros.core.openpose.estimator"
