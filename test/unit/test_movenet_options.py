"""MoveNet options: defaults, refused keys and values, weights asset per model and precision."""

import pytest

from pose_estimation_ros.core.movenet.options import MoveNetOptions, asset_name, make_options


def test_defaults_and_overrides():
    assert make_options({}) == MoveNetOptions()
    assert make_options({"backend": "litert", "smart_crop": False}).backend == "litert"


@pytest.mark.parametrize(
    "options, message",
    [
        ({"smart_cropping": True}, "unknown MoveNet options ['smart_cropping']"),
        ({"backend": "onnx"}, "MoveNet backend must be one of openvino, litert, tensorflow"),
        ({"precision": "fp32"}, "MoveNet precision must be one of int8, fp16"),
        ({"smoothing": False}, "unknown MoveNet options ['smoothing']"),  # core.pose_pipeline's
        ({"threads": -1}, "threads must be >= 0"),
    ],
)
def test_bad_options_are_refused_by_name(options, message):
    with pytest.raises(ValueError) as error:
        make_options(options)
    assert message in str(error.value)


def test_asset_per_model_and_precision():
    assert asset_name("movenet_lightning", "int8") == "movenet_lightning_int8"
    assert asset_name("movenet_thunder", "fp16") == "movenet_thunder_fp16"
    assert asset_name("movenet_multipose", "int8") == "movenet_multipose_fp16"  # its only file
