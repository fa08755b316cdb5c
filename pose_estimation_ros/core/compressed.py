"""JPEG and PNG images as in ``sensor_msgs/CompressedImage`` (image_transport's "compressed").

``image_transport``'s compressed plugin names the compression in the message's
``format``: the raw image's encoding, then what was compressed, e.g.
``"bgr8; jpeg compressed bgr8"`` (colour images are compressed as bgr8) or
``"mono8; jpeg compressed "`` (grey images as they are). ``compressed_format``
builds that string; ``decode_to_bgr`` reads it back, and the bytes, into the
3-channel BGR image the estimators take. Each refusal is an
``ImageEncodingError`` whose ``cause`` names the kind of problem, like the raw
images' (``core.image_encoding``).
"""

from __future__ import annotations

import cv2
import numpy as np

from pose_estimation_ros.core.compressed_header import declared_size
from pose_estimation_ros.core.image_bounds import check_image_size
from pose_estimation_ros.core.image_encoding import ImageEncodingError

JPEG_QUALITY_RANGE = (1, 100)
CODECS = ("jpeg", "png")  # what a format may name; OpenCV tells them apart by their bytes
_CODEC_ALIASES = {"jpg": "jpeg"}
GREY_ENCODINGS = ("mono8",)  # compressed as they are; every other encoding as bgr8


def compressed_format(encoding: str, codec: str = "jpeg") -> str:
    """Return the format of an ``encoding`` image compressed with ``codec`` (image_transport)."""
    target = "" if encoding in GREY_ENCODINGS else "bgr8"
    return f"{encoding}; {codec} compressed {target}"


def format_codec(format_: str) -> str:
    """Return the codec a format names (``jpeg``, ``png``); ``ImageEncodingError`` for others.

    Takes image_transport's ``"<encoding>; <codec> compressed <target>"``, a bare
    ``"jpeg"``/``"png"`` as other publishers write, and ``""`` (unknown: ``""``).
    """
    compression = format_.split(";", 1)[-1].split()
    if not compression:
        return ""
    codec = _CODEC_ALIASES.get(compression[0].lower(), compression[0].lower())
    if codec not in CODECS or (len(compression) > 1 and compression[1] != "compressed"):
        raise ImageEncodingError(
            "unsupported_format",
            f"unsupported compressed image format {format_!r}; supported: "
            f"{', '.join(CODECS)} (image_transport's 'compressed' transport)",
            format_,
        )
    return codec


def encode_jpeg(image: np.ndarray, quality: int) -> bytes:
    """Encode a BGR ``(H, W, 3)`` or grey ``(H, W)`` uint8 image as JPEG, ``quality`` 1..100."""
    low, high = JPEG_QUALITY_RANGE
    if not low <= quality <= high:
        raise ValueError(f"JPEG quality must be in {low}..{high}, got {quality}")
    ok, encoded = cv2.imencode(".jpg", image, (cv2.IMWRITE_JPEG_QUALITY, int(quality)))
    if not ok:
        raise ValueError(f"OpenCV could not encode a {image.shape} {image.dtype} image as JPEG")
    return encoded.tobytes()


def decode_to_bgr(data: bytes | bytearray | memoryview, format_: str = "") -> np.ndarray:
    """Decode compressed ``data`` whose ``format`` is ``format_`` to a BGR uint8 image.

    Grey images become grey BGR. Refused (``ImageEncodingError``): empty data
    (cause ``empty``), a format naming another codec or ``compressedDepth``
    (``unsupported_format``), bytes that are no PNG or JPEG OpenCV can decode
    (``undecodable``), a declared size out of ``core.image_bounds`` (its causes,
    checked before decoding), and images that are not 8-bit grey or colour,
    such as a PNG with alpha or 16-bit samples (``unsupported_pixels``).
    """
    format_codec(format_)
    buffer = np.frombuffer(data, dtype=np.uint8)
    if buffer.size == 0:
        raise ImageEncodingError("empty", f"empty compressed image (format {format_!r})", format_)
    size = declared_size(data)
    if size is not None:
        check_image_size(*size, format_)
    image = None if size is None else cv2.imdecode(buffer, cv2.IMREAD_UNCHANGED)
    if image is None:
        raise ImageEncodingError(
            "undecodable",
            f"{buffer.size} B of format {format_!r} are no PNG or JPEG OpenCV can decode",
            format_,
        )
    channels = 1 if image.ndim == 2 else image.shape[2]
    if image.dtype != np.uint8 or channels not in (1, 3):
        raise ImageEncodingError(
            "unsupported_pixels",
            f"compressed image of {channels} channel(s) of {image.dtype} (format {format_!r}); "
            "supported: 8-bit grey or colour without alpha",
            format_,
        )
    return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR) if channels == 1 else image
