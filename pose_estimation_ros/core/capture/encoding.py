"""Output encodings, written straight into the byte buffer a ROS ``uint8[]`` field holds.

rclpy keeps ``uint8[]`` message fields as ``array.array('B')`` (a message made
with ``check_fields=True`` takes one as it is). ``ImageBuffer`` owns one such
array and exposes it as a numpy view, so the conversion from the decoded BGR
frame to the output encoding is the only pass that writes the message's bytes:
no ``tobytes()``, no second copy; for ``bgr8`` a video frame can even be decoded
straight into it (``ImageBuffer.current``). The buffer is reused from frame to
frame (``publish`` copies the message into its C form before it returns).
"""

from __future__ import annotations

import array

import cv2
import numpy as np

from pose_estimation_ros.core import image_encoding
from pose_estimation_ros.core.image_encoding import Encoding

# The encodings the camera publishes, taken from the one table in ``core.image_encoding``.
ENCODINGS: dict[str, Encoding] = {
    name: image_encoding.ENCODINGS[name] for name in ("bgr8", "rgb8", "mono8")
}


class ImageBuffer:
    """A reusable ``array.array('B')`` with a writable numpy view over the same memory."""

    def __init__(self) -> None:
        """Start empty; the first frame sizes the buffer."""
        self.data = array.array("B")
        self._view = np.frombuffer(self.data, dtype=np.uint8)

    def view(self, shape: tuple[int, ...]) -> np.ndarray:
        """Return the buffer as an array of ``shape``, reallocating only when the size changes."""
        if self._view.shape != shape:
            size = int(np.prod(shape))
            if size != len(self.data):
                self.data = array.array("B", bytes(size))
            self._view = np.frombuffer(self.data, dtype=np.uint8).reshape(shape)
        return self._view

    def current(self) -> np.ndarray | None:
        """Return the view last asked for, ``None`` before the first frame."""
        return self._view if self._view.size else None


def encode_into(image_bgr: np.ndarray, encoding: str, buffer: ImageBuffer) -> np.ndarray:
    """Write a BGR frame into ``buffer`` in ``encoding``; return the view written."""
    target = ENCODINGS[encoding]
    height, width = image_bgr.shape[:2]
    out = buffer.view((height, width, target.channels) if target.channels > 1 else (height, width))
    if target.from_bgr is None:
        if image_bgr is not out:  # else it was decoded in place
            np.copyto(out, image_bgr)
    else:
        cv2.cvtColor(image_bgr, target.from_bgr, dst=out)
    return out
