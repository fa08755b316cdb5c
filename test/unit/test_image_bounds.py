"""Image size bounds: just inside each is accepted, just past each is refused with its cause."""

import cv2
import numpy as np
import pytest

from pose_estimation_ros.core.compressed import decode_to_bgr
from pose_estimation_ros.core.compressed_header import declared_size
from pose_estimation_ros.core.image_bounds import (
    MAX_IMAGE_PIXELS,
    MAX_IMAGE_SIDE,
    check_image_size,
)
from pose_estimation_ros.core.image_encoding import ImageEncodingError


@pytest.mark.parametrize(
    "width, height",
    [(1, 1), (MAX_IMAGE_SIDE, 1), (1, MAX_IMAGE_SIDE), (4096, 2160), (2160, 4096), (3840, 2160)],
)
def test_sizes_within_the_bounds_are_accepted(width, height):
    check_image_size(width, height, "bgr8")


@pytest.mark.parametrize(
    "width, height, cause",
    [
        (0, 1, "empty"),
        (1, 0, "empty"),
        (MAX_IMAGE_SIDE + 1, 1, "too_wide"),
        (1, MAX_IMAGE_SIDE + 1, "too_tall"),
        (4096, 2161, "too_many_pixels"),
        (2161, 4096, "too_many_pixels"),
    ],
)
def test_sizes_just_past_a_bound_are_refused_with_its_cause(width, height, cause):
    with pytest.raises(ImageEncodingError) as error:
        check_image_size(width, height, "rgb8")
    assert error.value.problem == (cause, "rgb8")
    assert f"{width}x{height}" in str(error.value)
    assert MAX_IMAGE_PIXELS == 4096 * 2160


def _encoded(extension: str, image: np.ndarray) -> bytes:
    ok, data = cv2.imencode(extension, image)
    assert ok
    return data.tobytes()


@pytest.mark.parametrize("extension", [".png", ".jpg"])
@pytest.mark.parametrize("shape", [(3, 700), (480, 640), (17, 1)])
def test_the_declared_size_is_the_encoded_images(extension, shape):
    data = _encoded(extension, np.full(shape + (3,), 90, np.uint8))
    assert declared_size(data) == (shape[1], shape[0])


def _jpeg_declaring(width: int, height: int) -> bytes:
    """Return a small real JPEG whose frame header is rewritten to declare another size."""
    data = bytearray(_encoded(".jpg", np.zeros((8, 8, 3), np.uint8)))
    start = data.index(b"\xff\xc0")
    data[start + 5:start + 9] = height.to_bytes(2, "big") + width.to_bytes(2, "big")
    return bytes(data)


def test_a_compressed_image_declaring_too_many_pixels_is_refused_before_decoding():
    data = _jpeg_declaring(65500, 65500)  # 12 GB if decoded
    assert declared_size(data) == (65500, 65500) and len(data) < 1000
    with pytest.raises(ImageEncodingError) as error:
        decode_to_bgr(data, "jpeg")
    assert error.value.problem == ("too_wide", "jpeg")


def test_a_compressed_image_at_the_bounds_is_decoded():
    image = decode_to_bgr(_encoded(".png", np.zeros((1, MAX_IMAGE_SIDE, 3), np.uint8)), "png")
    assert image.shape == (1, MAX_IMAGE_SIDE, 3)
    with pytest.raises(ImageEncodingError) as error:
        decode_to_bgr(_encoded(".png", np.zeros((1, MAX_IMAGE_SIDE + 1, 3), np.uint8)), "png")
    assert error.value.cause == "too_wide"


@pytest.mark.parametrize(
    "data",
    [b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xda\x00\x08", b"\xff\xd8\xff\xe0\x00\x01", b"BM"],
    ids=["empty", "png_without_ihdr", "scan_before_frame", "short_segment", "bmp"],
)
def test_bytes_without_a_readable_size_declare_none(data):
    assert declared_size(data) is None
