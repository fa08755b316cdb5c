"""Image buffers to NumPy without cv_bridge: every encoding, row padding, zero copy, bad input."""

import cv2
import numpy as np
import pytest

from pose_estimation_ros.core.capture.encoding import ENCODINGS as PUBLISHED
from pose_estimation_ros.core.image_encoding import (
    ENCODINGS,
    ImageEncodingError,
    image_view,
    to_bgr,
)

WIDTH, HEIGHT, PAD = 5, 4, 3
BGR = np.arange(HEIGHT * WIDTH * 3, dtype=np.uint8).reshape(HEIGHT, WIDTH, 3)


def _padded_buffer(pixels: np.ndarray) -> tuple[bytes, int]:
    """Rows of ``pixels`` followed by PAD junk bytes each, as a camera driver may send."""
    rows = pixels.reshape(HEIGHT, -1)
    step = rows.shape[1] + PAD
    padded = np.full((HEIGHT, step), 255, dtype=np.uint8)
    padded[:, : rows.shape[1]] = rows
    return padded.tobytes(), step


@pytest.mark.parametrize(
    "encoding, pixels",
    [
        ("bgr8", BGR),
        ("rgb8", BGR[:, :, ::-1]),
        ("bgra8", np.dstack([BGR, np.full((HEIGHT, WIDTH), 7, np.uint8)])),
        ("rgba8", np.dstack([BGR[:, :, ::-1], np.full((HEIGHT, WIDTH), 7, np.uint8)])),
    ],
)
def test_colour_encodings_honour_step_and_give_bgr(encoding, pixels):
    data, step = _padded_buffer(pixels)
    view = image_view(data, encoding, WIDTH, HEIGHT, step)
    np.testing.assert_array_equal(view, pixels)
    np.testing.assert_array_equal(to_bgr(view, encoding), BGR)


def test_mono8_becomes_grey_bgr():
    grey = BGR[:, :, 0]
    data, step = _padded_buffer(grey)
    bgr = to_bgr(image_view(data, "mono8", WIDTH, HEIGHT, step), "mono8")
    np.testing.assert_array_equal(bgr, np.dstack([grey, grey, grey]))


def test_bgr8_is_a_zero_copy_view():
    data = bytearray(BGR.tobytes())
    view = image_view(data, "bgr8", WIDTH, HEIGHT, WIDTH * 3)
    bgr = to_bgr(view, "bgr8")
    assert np.shares_memory(bgr, np.frombuffer(data, np.uint8))
    assert not bgr.flags.writeable


@pytest.mark.parametrize(
    "kwargs, cause",
    [
        (dict(encoding="yuv422"), "unsupported_encoding"),
        (dict(encoding="16UC1"), "unsupported_encoding"),
        (dict(width=0), "empty"),
        (dict(height=0, data=b""), "empty"),
        (dict(data=BGR.tobytes()[:-1]), "truncated"),
        (dict(step=WIDTH * 3 - 1), "bad_step"),
    ],
)
def test_bad_buffers_are_refused_with_their_cause(kwargs, cause):
    args = dict(data=BGR.tobytes(), encoding="bgr8", width=WIDTH, height=HEIGHT, step=WIDTH * 3)
    args.update(kwargs)
    with pytest.raises(ImageEncodingError) as error:
        image_view(**args)
    assert error.value.cause == cause
    assert str(error.value)


@pytest.mark.parametrize("name", [n for n, e in ENCODINGS.items() if e.channels > 1])
def test_each_colour_encoding_converts_from_bgr_and_back(name):
    conversion = ENCODINGS[name].from_bgr
    encoded = BGR if conversion is None else cv2.cvtColor(BGR, conversion)
    assert encoded.shape == (HEIGHT, WIDTH, ENCODINGS[name].channels)
    np.testing.assert_array_equal(to_bgr(encoded, name), BGR)


def test_the_camera_publishes_from_the_one_table():
    assert set(PUBLISHED) <= set(ENCODINGS)
    assert all(PUBLISHED[name] is ENCODINGS[name] for name in PUBLISHED)
