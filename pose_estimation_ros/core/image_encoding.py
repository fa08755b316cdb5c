"""Raw image buffers (as in ``sensor_msgs/Image``) to NumPy, without ``cv_bridge``.

``image_view`` returns an ``(H, W, C)`` uint8 view on the buffer (no copy)
honouring the row ``step`` (padding at the end of each row);
``to_bgr`` gives the 3-channel BGR image the estimators take, a copy only
when the channels must change. Each refusal is an ``ImageEncodingError``
whose ``cause`` names the kind of problem, so a caller can report each cause
once instead of once per frame. ``ENCODINGS`` is the one table of encodings
(channels, cv2 conversions to and from BGR); the camera publishes a few of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Encoding:
    """One 8-bit ``sensor_msgs/Image`` encoding: channels, cv2 conversions to and from BGR."""

    channels: int
    to_bgr: int | None  # cv2 conversion code to BGR; None: it is BGR
    from_bgr: int | None  # cv2 conversion code from BGR; None: it is BGR


# The one table of encodings: the pose node reads them all, the camera publishes some.
ENCODINGS: dict[str, Encoding] = {
    "bgr8": Encoding(3, None, None),
    "rgb8": Encoding(3, cv2.COLOR_RGB2BGR, cv2.COLOR_BGR2RGB),
    "bgra8": Encoding(4, cv2.COLOR_BGRA2BGR, cv2.COLOR_BGR2BGRA),
    "rgba8": Encoding(4, cv2.COLOR_RGBA2BGR, cv2.COLOR_BGR2RGBA),
    "mono8": Encoding(1, cv2.COLOR_GRAY2BGR, cv2.COLOR_BGR2GRAY),
}
CHANNELS = {name: encoding.channels for name, encoding in ENCODINGS.items()}


class ImageEncodingError(ValueError):
    """An image buffer that cannot be read; ``cause`` is one of a few fixed keys."""

    def __init__(self, cause: str, message: str, subject: str = "") -> None:
        """Keep the cause: ``unsupported_encoding``, ``empty``, ``truncated``, ``bad_step``...

        (``malformed``: serialized bytes that are no image, from ``nodes.raw_cdr``;
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
    conversion = ENCODINGS[encoding].to_bgr
    if conversion is None:
        return image
    return cv2.cvtColor(np.ascontiguousarray(image), conversion)
