"""Raw image buffers (as in ``sensor_msgs/Image``) to NumPy, without ``cv_bridge``.

``image_view`` returns an ``(H, W, C)`` uint8 view on the buffer (no copy)
honouring the row ``step`` (padding at the end of each row);
``to_bgr`` gives the 3-channel BGR image the estimators take, a copy only
when the channels must change. Each refusal is an ``ImageEncodingError``
whose ``cause`` names the kind of problem, so a caller can report each cause
once instead of once per frame.
"""

from __future__ import annotations

import cv2
import numpy as np

# encoding -> channels; every supported encoding is 8 bits per channel.
CHANNELS = {"bgr8": 3, "rgb8": 3, "bgra8": 4, "rgba8": 4, "mono8": 1}
_TO_BGR = {
    "rgb8": cv2.COLOR_RGB2BGR,
    "bgra8": cv2.COLOR_BGRA2BGR,
    "rgba8": cv2.COLOR_RGBA2BGR,
    "mono8": cv2.COLOR_GRAY2BGR,
}


class ImageEncodingError(ValueError):
    """An image buffer that cannot be read; ``cause`` is one of a few fixed keys."""

    def __init__(self, cause: str, message: str, subject: str = "") -> None:
        """Keep the cause: ``unsupported_encoding``, ``empty``, ``truncated``, ``bad_step``...

        (``malformed``: serialized bytes that are no image, from ``nodes.image_cdr``;
        the size bounds of ``core.image_bounds``). ``subject`` is what the cause is
        about, the encoding or format, so a reader can name each problem once.
        """
        super().__init__(message)
        self.cause = cause
        self.subject = subject

    @property
    def problem(self) -> tuple[str, str]:
        """Return ``(cause, subject)``: one problem, however many images have it."""
        return self.cause, self.subject


def image_view(
    data: bytes | bytearray | memoryview | np.ndarray,
    encoding: str,
    width: int,
    height: int,
    step: int,
) -> np.ndarray:
    """View ``data`` as an ``(H, W, C)`` uint8 array (``C`` is 1 for mono8); no copy."""
    if encoding not in CHANNELS:
        raise ImageEncodingError(
            "unsupported_encoding",
            f"unsupported image encoding {encoding!r}; supported: {', '.join(CHANNELS)}",
            encoding,
        )
    if width <= 0 or height <= 0:
        raise ImageEncodingError("empty", f"empty image ({width}x{height})", encoding)
    channels = CHANNELS[encoding]
    row_bytes = width * channels
    if step < row_bytes:
        raise ImageEncodingError(
            "bad_step",
            f"step {step} is shorter than a {encoding} row of {width} px ({row_bytes} B)",
            encoding,
        )
    buffer = np.frombuffer(data, dtype=np.uint8)
    needed = step * (height - 1) + row_bytes
    if buffer.size < needed:
        raise ImageEncodingError(
            "truncated",
            f"{encoding} image {width}x{height}, step {step}: needs {needed} B, got {buffer.size}",
            encoding,
        )
    return np.lib.stride_tricks.as_strided(
        buffer, shape=(height, width, channels), strides=(step, channels, 1), writeable=False
    )


def to_bgr(image: np.ndarray, encoding: str) -> np.ndarray:
    """Return a 3-channel BGR image: ``image`` itself for bgr8, a converted copy otherwise."""
    if encoding == "bgr8":
        return image
    return cv2.cvtColor(np.ascontiguousarray(image), _TO_BGR[encoding])
