"""Parameter specs: numbers typed either way, ranges, choices, several accepted types."""

import pytest
import rclpy
from rclpy.parameter import Parameter

from pose_estimation_ros.nodes.parameters import ParamSpec, coerce, declare_parameters

FPS = ParamSpec("fps", 30.0, "frames per second", min_value=0.0)
SOURCE = ParamSpec("source", "", "device index or path", types=(int, str))
BACKEND = ParamSpec("backend", "openvino", "runtime", choices=("openvino", "litert"))


def test_int_is_accepted_for_float_and_becomes_float():
    assert coerce(FPS, 10) == 10.0 and isinstance(coerce(FPS, 10), float)


def test_text_for_number_is_refused_with_the_name():
    with pytest.raises(ValueError, match="'fps' expects a number"):
        coerce(FPS, "fast")


def test_range_and_choices():
    with pytest.raises(ValueError, match=">= 0.0"):
        coerce(FPS, -1)
    with pytest.raises(ValueError, match="one of openvino, litert"):
        coerce(BACKEND, "onnx")


def test_source_keeps_int_or_str():
    assert coerce(SOURCE, 0) == 0 and coerce(SOURCE, "video.mp4") == "video.mp4"


def test_declared_on_a_node_with_overrides_and_live_validation(ros_context):
    overrides = [Parameter("fps", value=10), Parameter("source", value=2)]
    node = rclpy.create_node("params_test", context=ros_context, parameter_overrides=overrides)
    try:
        values = declare_parameters(node, [FPS, SOURCE, BACKEND])
        assert values == {"fps": 10.0, "source": 2, "backend": "openvino"}
        assert node.describe_parameter("fps").description == "frames per second"
        refused = node.set_parameters([Parameter("backend", value="onnx")])[0]
        assert not refused.successful and "one of" in refused.reason
        assert node.set_parameters([Parameter("fps", value=5)])[0].successful
    finally:
        node.destroy_node()
