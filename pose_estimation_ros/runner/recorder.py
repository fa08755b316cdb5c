"""Write the pose node's ``image_annotated`` stream to a video file, to look at afterwards."""

from __future__ import annotations

from pathlib import Path

import cv2
from rclpy.node import Node
from sensor_msgs.msg import Image

from pose_estimation_ros.core import topics
from pose_estimation_ros.core.image_encoding import ImageEncodingError
from pose_estimation_ros.nodes.image_conversions import image_msg_to_bgr


class AnnotatedVideoRecorder(Node):
    """Subscribes ``image_annotated`` and appends every frame to ``path`` (mp4v)."""

    def __init__(self, path: Path, fps: float, **kwargs) -> None:
        """Open nothing yet: the writer needs the first frame's size."""
        super().__init__("run_recorder", **kwargs)
        self._path = path
        self._fps = fps
        self._writer: cv2.VideoWriter | None = None
        self.frames = 0
        self.create_subscription(Image, topics.IMAGE_ANNOTATED, self._on_image, 10)

    def _on_image(self, msg: Image) -> None:
        try:
            frame = image_msg_to_bgr(msg)
        except ImageEncodingError as error:
            self.get_logger().warning(f"not recording a frame: {error}", once=True)
            return
        if self._writer is None:
            fourcc = cv2.VideoWriter_fourcc(*"mp4v")
            size = (frame.shape[1], frame.shape[0])
            self._writer = cv2.VideoWriter(str(self._path), fourcc, self._fps, size)
            if not self._writer.isOpened():
                raise OSError(f"cannot write video {self._path}")
        self._writer.write(frame)
        self.frames += 1

    def close(self) -> None:
        """Finish the file."""
        if self._writer is not None:
            self._writer.release()
            self._writer = None
