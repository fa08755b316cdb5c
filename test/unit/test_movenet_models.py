"""Thunder and MultiPose code paths on model files the test builds with their exact signatures.

The real Thunder and MultiPose weights are over 4 MiB and cannot be had here,
so TensorFlow builds stand-in TFLite files with the same input and output
tensors (Thunder: uint8 ``[1,256,256,3]`` -> float32 ``[1,1,17,3]``;
MultiPose: uint8 ``[1,H,W,3]`` with H, W free -> float32 ``[1,6,56]``). Their
"pose" is the centroid of the bright pixels: every keypoint sits there, so a
bright spot in the source image must come back at its source pixel through
every crop, resize, padding and mapping step, on every runtime.
"""

from pathlib import Path

import numpy as np
import pytest

from pose_estimation_ros.core.estimator import create_estimator

BACKENDS = ["openvino", "litert", "tensorflow"]
STILL_ONLY = dict(smart_crop=False, smoothing=False, tracking=False)
SPOT_SCORE = 0.9
SPOT_BOX_HALF = 0.05  # MultiPose box half-size, normalised to the input


def _spot_keypoints(tf, image):
    """Centroid (y, x) of the image's brightness, normalised, with score: ``[17, 3]``."""
    grey = tf.reduce_mean(tf.cast(image[0], tf.float32), axis=-1)
    height, width = tf.shape(grey)[0], tf.shape(grey)[1]
    rows = (tf.cast(tf.range(height), tf.float32) + 0.5) / tf.cast(height, tf.float32)
    cols = (tf.cast(tf.range(width), tf.float32) + 0.5) / tf.cast(width, tf.float32)
    total = tf.reduce_sum(grey) + 1e-6
    y = tf.reduce_sum(grey * rows[:, tf.newaxis]) / total
    x = tf.reduce_sum(grey * cols[tf.newaxis, :]) / total
    return tf.tile(tf.stack([y, x, SPOT_SCORE])[tf.newaxis], [17, 1]), y, x


def _write_tflite(tf, function, spec, path: Path) -> Path:
    concrete = tf.function(function, input_signature=[spec]).get_concrete_function()
    converter = tf.lite.TFLiteConverter.from_concrete_functions([concrete])
    path.write_bytes(converter.convert())
    return path


@pytest.fixture(scope="module")
def thunder_file(tensorflow, tmp_path_factory):
    tf = tensorflow

    def thunder(image):
        keypoints, _, _ = _spot_keypoints(tf, image)
        return tf.reshape(keypoints, [1, 1, 17, 3])

    spec = tf.TensorSpec([1, 256, 256, 3], tf.uint8)
    return _write_tflite(tf, thunder, spec, tmp_path_factory.mktemp("thunder") / "t.tflite")


@pytest.fixture(scope="module")
def multipose_file(tensorflow, tmp_path_factory):
    tf = tensorflow

    def multipose(image):
        keypoints, y, x = _spot_keypoints(tf, image)
        half = SPOT_BOX_HALF
        box = tf.stack([y - half, x - half, y + half, x + half, SPOT_SCORE])
        first = tf.concat([tf.reshape(keypoints, [51]), box], axis=0)
        return tf.concat([first[tf.newaxis], tf.zeros([5, 56])], axis=0)[tf.newaxis]

    spec = tf.TensorSpec([1, None, None, 3], tf.uint8)
    return _write_tflite(tf, multipose, spec, tmp_path_factory.mktemp("multi") / "m.tflite")


def _image_with_spot(width: int, height: int, x: int, y: int) -> np.ndarray:
    image = np.zeros((height, width, 3), dtype=np.uint8)
    image[slice(y - 4, y + 4), slice(x - 4, x + 4)] = 255  # 8x8 spot centred on (x, y)
    return image


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_thunder_maps_keypoints_to_source_pixels(thunder_file, backend):
    estimator = create_estimator(
        "movenet_thunder", model_path=str(thunder_file), backend=backend, **STILL_ONLY
    )
    assert estimator.estimator.input_size == 256
    for width, height, x, y in ((640, 480, 500, 100), (300, 700, 40, 650)):
        people = estimator.estimate(_image_with_spot(width, height, x, y), 0.0)
        assert len(people) == 1
        np.testing.assert_allclose(people[0].keypoints[:, :2], [[x, y]] * 17, atol=1.5)
        np.testing.assert_allclose(people[0].keypoints[:, 2], SPOT_SCORE, atol=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_multipose_resizes_pads_and_maps_back(multipose_file, backend):
    estimator = create_estimator(
        "movenet_multipose", model_path=str(multipose_file), backend=backend, **STILL_ONLY
    )
    # 700x400 -> 256x146 resized, padded to 256x160: the padding must not shift keypoints.
    for width, height, x, y in ((700, 400, 600, 90), (400, 700, 90, 600), (640, 480, 320, 240)):
        people = estimator.estimate(_image_with_spot(width, height, x, y), 0.0)
        assert len(people) == 1, "the five zero-scored instances must be dropped"
        person = people[0]
        assert person.score == pytest.approx(SPOT_SCORE)
        np.testing.assert_allclose(person.keypoints[:, :2], [[x, y]] * 17, atol=2.0)
        x_min, y_min, x_max, y_max = person.box
        assert x_min < x < x_max and y_min < y < y_max


def test_a_model_of_the_wrong_size_is_refused(thunder_file):
    with pytest.raises(ValueError, match="256"):
        create_estimator("movenet_lightning", model_path=str(thunder_file), **STILL_ONLY)


@pytest.mark.slow
def test_thunder_as_a_saved_model_through_tensorflow_hub(tensorflow, tmp_path):
    """A SavedModel folder with TF Hub MoveNet's signature (int32 ``input``) loads via hub.load."""
    tf = tensorflow

    class Thunder(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([1, 256, 256, 3], tf.int32, name="input")])
        def serve(self, input):  # noqa: A002 (TF Hub MoveNet's input name)
            keypoints, _, _ = _spot_keypoints(tf, input)
            return {"output_0": tf.reshape(keypoints, [1, 1, 17, 3])}

    module = Thunder()
    tf.saved_model.save(module, str(tmp_path), signatures={"serving_default": module.serve})
    estimator = create_estimator(
        "movenet_thunder", model_path=str(tmp_path), backend="tensorflow", **STILL_ONLY
    )
    people = estimator.estimate(_image_with_spot(640, 480, 500, 100), 0.0)
    np.testing.assert_allclose(people[0].keypoints[:, :2], [[500, 100]] * 17, atol=1.5)
