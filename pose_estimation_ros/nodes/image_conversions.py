"""``sensor_msgs/Image`` to and from BGR arrays; needs no message of this package."""

from __future__ import annotations

import numpy as np
from sensor_msgs.msg import Image
from std_msgs.msg import Header

from pose_estimation_ros.core.image_encoding import image_view, to_bgr


def image_msg_to_bgr(msg: Image) -> np.ndarray:
    """BGR ``(H, W, 3)`` uint8 image of a ``sensor_msgs/Image`` (a view for bgr8, no copy).

    ``ImageEncodingError`` for an unsupported encoding, empty or truncated data.
    """
    view = image_view(msg.data, msg.encoding, msg.width, msg.height, msg.step)
    return to_bgr(view, msg.encoding)


def bgr_to_image_msg(image: np.ndarray, header: Header) -> Image:
    """``sensor_msgs/Image`` (bgr8) holding a copy of a BGR image."""
    height, width = image.shape[:2]
    return Image(
        header=header,
        height=height,
        width=width,
        encoding="bgr8",
        is_bigendian=0,
        step=width * 3,
        data=np.ascontiguousarray(image).tobytes(),
    )
