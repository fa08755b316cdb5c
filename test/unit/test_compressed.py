"""JPEG/PNG images as image_transport's compressed transport: format strings, codec, refusals."""

import cv2
import numpy as np
import pytest

from pose_estimation_ros.core.assets import resolve
from pose_estimation_ros.core.compressed import (
    compressed_format,
    decode_to_bgr,
    encode_jpeg,
    format_codec,
)
from pose_estimation_ros.core.image_encoding import ImageEncodingError


@pytest.fixture(scope="module")
def frame() -> np.ndarray:
    """Give the first frame of vtest.avi (768x576 BGR): a real camera image."""
    capture = cv2.VideoCapture(str(resolve("vtest_video")))
    ok, image = capture.read()
    capture.release()
    assert ok and image.shape == (576, 768, 3)
    return image


@pytest.mark.parametrize(
    "encoding, expected",
    [
        ("bgr8", "bgr8; jpeg compressed bgr8"),
        ("rgb8", "rgb8; jpeg compressed bgr8"),  # colour is compressed as bgr8
        ("mono8", "mono8; jpeg compressed "),  # grey as it is, no target named
    ],
)
def test_format_strings_are_image_transports(encoding, expected):
    assert compressed_format(encoding) == expected
    assert format_codec(expected) == "jpeg"


@pytest.mark.parametrize(
    "format_, codec",
    [
        ("jpeg", "jpeg"),
        ("JPG", "jpeg"),
        ("png", "png"),
        ("bgr8; png compressed bgr8", "png"),
        ("", ""),
    ],
)
def test_other_publishers_formats_are_read(format_, codec):
    assert format_codec(format_) == codec


@pytest.mark.parametrize("format_", ["16UC1; compressedDepth png", "bgr8; theora", "rgb8"])
def test_unsupported_formats_are_refused(format_):
    with pytest.raises(ImageEncodingError) as error:
        format_codec(format_)
    assert error.value.cause == "unsupported_format" and repr(format_) in str(error.value)


def test_jpeg_round_trip_is_close_to_the_frame(frame):
    data = encode_jpeg(frame, 90)
    assert data[:2] == b"\xff\xd8"  # JPEG start of image
    decoded = decode_to_bgr(data, compressed_format("bgr8"))
    assert decoded.shape == frame.shape and decoded.dtype == np.uint8
    error = np.abs(decoded.astype(int) - frame.astype(int))
    assert error.mean() < 3.0, error.mean()
    assert cv2.PSNR(decoded, frame) > 35.0


def test_grey_jpeg_decodes_to_grey_bgr(frame):
    grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    decoded = decode_to_bgr(encode_jpeg(grey, 95), compressed_format("mono8"))
    assert decoded.shape == frame.shape
    assert np.array_equal(decoded[..., 0], decoded[..., 2])
    assert np.abs(decoded[..., 0].astype(int) - grey).mean() < 2.0


def test_png_is_lossless(frame):
    ok, png = cv2.imencode(".png", frame)
    assert ok
    np.testing.assert_array_equal(decode_to_bgr(png.tobytes(), "bgr8; png compressed bgr8"), frame)


def test_size_falls_and_error_grows_as_quality_falls(frame):
    qualities = (100, 90, 75, 50, 25, 5)
    sizes = [len(encode_jpeg(frame, q)) for q in qualities]
    assert sizes == sorted(sizes, reverse=True) and len(set(sizes)) == len(sizes), sizes
    psnr = [cv2.PSNR(decode_to_bgr(encode_jpeg(frame, q)), frame) for q in qualities]
    assert psnr == sorted(psnr, reverse=True), psnr
    assert sizes[1] < frame.nbytes / 10  # q90: under a tenth of the raw frame


@pytest.mark.parametrize("quality", [0, 101])
def test_quality_out_of_range_is_refused(frame, quality):
    with pytest.raises(ValueError, match="1..100"):
        encode_jpeg(frame, quality)


def _png(image: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".png", image)
    assert ok
    return data.tobytes()


@pytest.mark.parametrize(
    "data, cause",
    [
        (b"", "empty"),
        (b"no image at all", "undecodable"),
        (b"\xff\xd8\xff\xe0" + bytes(100), "undecodable"),  # a JPEG header, then nothing
        (_png(np.zeros((4, 5, 4), np.uint8)), "unsupported_pixels"),  # PNG with alpha
        (_png(np.zeros((4, 5), np.uint16)), "unsupported_pixels"),  # 16-bit grey PNG
    ],
    ids=["empty", "garbage", "truncated_jpeg", "png_with_alpha", "png_16_bit"],
)
def test_bad_bytes_are_refused_with_their_cause(data, cause):
    with pytest.raises(ImageEncodingError) as error:
        decode_to_bgr(data, "bgr8; png compressed bgr8")
    assert error.value.cause == cause, str(error.value)


def test_truncated_jpeg_keeps_its_size_or_is_refused(frame):
    """Half a JPEG: OpenCV either refuses it or decodes a full-size frame (grey where missing)."""
    data = encode_jpeg(frame, 90)
    try:
        decoded = decode_to_bgr(data[: len(data) // 2], "jpeg")
    except ImageEncodingError as error:
        assert error.cause == "undecodable"
    else:
        assert decoded.shape == frame.shape


def test_camera_message_reads_back_through_the_pose_nodes_reader(frame):
    """``jpeg_msg`` (camera_node) -> rclpy's serializer -> ``read_compressed`` (pose_node)."""
    from rclpy.serialization import serialize_message
    from std_msgs.msg import Header

    from pose_estimation_ros.nodes.image_transports import TRANSPORTS, jpeg_msg

    header = Header(frame_id="camera_optical_frame")
    header.stamp.sec, header.stamp.nanosec = 12, 345
    sent = jpeg_msg(header, frame, "rgb8", 90)  # rgb8 frames are compressed from BGR, as bgr8
    transport = TRANSPORTS["compressed"]
    assert transport.topic() == "image_raw/compressed" and TRANSPORTS["raw"].topic() == "image_raw"
    msg, image = transport.read(serialize_message(sent))
    assert msg.header == header and msg.format == "rgb8; jpeg compressed bgr8"
    assert cv2.PSNR(image, frame) > 35.0
    with pytest.raises(ImageEncodingError) as error:
        transport.read(serialize_message(sent)[:40])
    assert error.value.cause == "malformed"
