"""Images as image_transport sends them: ``raw`` (``image_raw``) and ``compressed``.

image_transport publishes one image on a base topic per transport: the raw
``sensor_msgs/Image`` on ``image_raw`` itself and a ``sensor_msgs/CompressedImage``
on ``image_raw/compressed``, the names RViz, rosbag and Foxglove know. A
subscriber picks one transport (the pose node's ``image_transport``) and reads
each serialized message into the header it came with and a BGR image, the
same step for both, so the rest of its processing does not know which it took.
Both refuse images out of ``core.image_bounds`` before reading their pixels.
"""

from __future__ import annotations

import array
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from rclpy.serialization import deserialize_message
from sensor_msgs.msg import CompressedImage, Image
from std_msgs.msg import Header

from pose_estimation_ros.core import topics
from pose_estimation_ros.core.compressed import compressed_format, decode_to_bgr, encode_jpeg
from pose_estimation_ros.core.image_bounds import check_image_size
from pose_estimation_ros.core.image_encoding import ImageEncodingError
from pose_estimation_ros.nodes.image_conversions import image_msg_to_bgr
from pose_estimation_ros.nodes.raw_cdr import read_image

IMAGE_TOPIC = topics.IMAGE


def read_raw(serialized: bytes) -> tuple[Any, np.ndarray]:
    """Read a serialized ``sensor_msgs/Image``: (its fields, BGR image, a view if possible).

    Its size is checked against ``core.image_bounds`` before any pixel is read.
    """
    msg = read_image(serialized)
    check_image_size(msg.width, msg.height, msg.encoding)
    return msg, image_msg_to_bgr(msg)


def read_compressed(serialized: bytes) -> tuple[CompressedImage, np.ndarray]:
    """Read a serialized ``sensor_msgs/CompressedImage``: (the message, decoded BGR image)."""
    try:
        msg = deserialize_message(serialized, CompressedImage)
    except Exception as error:  # noqa: B902 (rclpy raises several kinds on bad bytes)
        raise ImageEncodingError(
            "malformed", f"malformed sensor_msgs/CompressedImage: {error}"
        ) from None
    return msg, decode_to_bgr(msg.data, msg.format)


@dataclass(frozen=True)
class ImageTransport:
    """One image_transport transport: topic suffix, message type, reader of its bytes."""

    suffix: str
    msg_type: type
    read: Callable[[bytes], tuple[Any, np.ndarray]]

    def topic(self, base: str = IMAGE_TOPIC) -> str:
        """Return this transport's topic for images on ``base``."""
        return f"{base}/{self.suffix}" if self.suffix else base


TRANSPORTS = {
    "raw": ImageTransport("", Image, read_raw),
    "compressed": ImageTransport("compressed", CompressedImage, read_compressed),
}


def jpeg_msg(header: Header, image: np.ndarray, encoding: str, quality: int) -> CompressedImage:
    """Build the JPEG ``CompressedImage`` of a BGR (mono8: grey) image sent raw in ``encoding``."""
    msg = CompressedImage(header=header, format=compressed_format(encoding), check_fields=True)
    msg.data = array.array("B", encode_jpeg(image, quality))  # taken as it is (checked fields)
    return msg
