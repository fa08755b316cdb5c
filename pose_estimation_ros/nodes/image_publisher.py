"""A captured frame to ``sensor_msgs/Image``, its JPEG and its ``CameraInfo``, published.

The camera node's per-frame step, public so that a benchmark times the code
the camera runs: ``image_raw`` is written straight into the message's buffer
(``core.capture.encoding``), ``image_raw/compressed`` only while it has
subscribers, and ``camera_info`` with the same header. Topic names are
relative: a node in another namespace publishes somewhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rclpy.node import Node
from rclpy.publisher import Publisher
from rclpy.qos import QoSProfile
from sensor_msgs.msg import CameraInfo, Image
from std_msgs.msg import Header

from pose_estimation_ros.core import topics
from pose_estimation_ros.core.capture import Frame
from pose_estimation_ros.core.capture.calibration import CameraCalibration
from pose_estimation_ros.core.capture.encoding import ImageBuffer, encode_into
from pose_estimation_ros.nodes.image_transports import IMAGE_TOPIC, TRANSPORTS, jpeg_msg


@dataclass(frozen=True)
class ImageSettings:
    """How frames are published: the camera node's parameters of the same names."""

    encoding: str
    frame_id: str
    jpeg_quality: int


class FramePublisher:
    """Publish frames on ``image_raw``, ``image_raw/compressed`` and ``camera_info``."""

    def __init__(
        self,
        node: Node,
        qos: QoSProfile,
        settings: ImageSettings,
        calibration: CameraCalibration | None = None,
    ) -> None:
        """Create the three publishers on ``node``, with ``qos``."""
        self._logger = node.get_logger()
        self._settings, self._calibration = settings, calibration
        compressed = TRANSPORTS["compressed"]
        self._image_pub = node.create_publisher(Image, IMAGE_TOPIC, qos)
        self._compressed_pub = node.create_publisher(compressed.msg_type, compressed.topic(), qos)
        self._info_pub = node.create_publisher(CameraInfo, topics.CAMERA_INFO, qos)
        self._buffer = ImageBuffer()
        # With checked fields, the data setter keeps the buffer's array.array as it is; unchecked
        # (the default) it rebuilds it element by element, a second copy of every frame.
        self._image = Image(encoding=settings.encoding, check_fields=True)
        self._info = camera_info_for(calibration)

    @property
    def publishers(self) -> tuple[Publisher, ...]:
        """The image, compressed image and camera info publishers."""
        return self._image_pub, self._compressed_pub, self._info_pub

    def readers(self) -> int:
        """Count the subscribers of the images, raw or compressed (as image_transport does)."""
        return (
            self._image_pub.get_subscription_count()
            + self._compressed_pub.get_subscription_count()
        )

    def decode_target(self) -> np.ndarray | None:
        """Where a source may decode the next BGR frame in place (bgr8 only), else ``None``."""
        return self._buffer.current() if self._settings.encoding == "bgr8" else None

    def publish(self, frame: Frame) -> None:
        """Publish ``frame`` stamped ``frame.stamp_ns``: image, JPEG if subscribed, camera info."""
        settings = self._settings
        image = encode_into(frame.image, settings.encoding, self._buffer)
        header = Header(frame_id=settings.frame_id)
        header.stamp.sec, header.stamp.nanosec = divmod(frame.stamp_ns, 1_000_000_000)
        msg = self._image
        msg.header, msg.height, msg.width = header, image.shape[0], image.shape[1]
        msg.step, msg.data = image.strides[0], self._buffer.data
        self._image_pub.publish(msg)
        if self._compressed_pub.get_subscription_count():  # JPEG only for someone
            grey = image.ndim == 2  # mono8; any other encoding is compressed from the BGR frame
            source = image if grey else frame.image
            self._compressed_pub.publish(
                jpeg_msg(header, source, settings.encoding, settings.jpeg_quality)
            )
        self._info_pub.publish(self._camera_info(header, msg.width, msg.height))

    def _camera_info(self, header: Header, width: int, height: int) -> CameraInfo:
        info = self._info
        if (info.width, info.height) != (width, height):
            calibration = self._calibration
            if calibration and (calibration.width, calibration.height) != (width, height):
                self._logger.warning(
                    f"calibration is for {calibration.width}x{calibration.height} images, "
                    f"frames are {width}x{height}: recalibrate or fix camera_info_url"
                )
            info.width, info.height = width, height
        info.header = header
        return info


def camera_info_for(calibration: CameraCalibration | None) -> CameraInfo:
    """``CameraInfo`` holding the calibration, or all zeros (uncalibrated) without one."""
    if calibration is None:
        return CameraInfo()
    return CameraInfo(
        distortion_model=calibration.distortion_model,
        k=calibration.k,
        d=list(calibration.d),
        r=calibration.r,
        p=calibration.p,
    )
