"""Publish a video's frames as bgr8 ``image_raw`` in a loop until killed (a separate OS process).

A minimal, deterministic publisher for pose node tests (stamps and bad images under the test's
control), not camera_node. Usage: ``publish_video.py VIDEO FPS [--bad-first]``.
Frame ``k`` (counting across loops) is stamped ``STAMP_BASE_S + k / FPS``.
With ``--bad-first`` it first sends, three times over, a zero-size image
and one in an unsupported encoding, which the pose node must drop and survive.
"""

import sys
from pathlib import Path

import cv2
import rclpy
from rclpy.qos import QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import Image
from std_msgs.msg import Header

from pose_estimation_ros.nodes.image_conversions import bgr_to_image_msg

sys.path.insert(0, str(Path(__file__).resolve().parent))  # a script, under PYTHONSAFEPATH
from ros_process import ros_node  # noqa: E402

STAMP_BASE_S = 1000
FRAME_ID = "camera_optical_frame"


def stamp_of(index: int, fps: float) -> tuple[int, int]:
    """Return the ``(sec, nanosec)`` stamp of frame ``index``."""
    nanoseconds = STAMP_BASE_S * 10**9 + round(index * 1e9 / fps)
    return nanoseconds // 10**9, nanoseconds % 10**9


def bad_images() -> list[Image]:
    """Return a zero-size image and a yuv422 one."""
    header = Header(frame_id=FRAME_ID)
    return [
        Image(header=header, encoding="bgr8", width=0, height=0, step=0),
        Image(header=header, encoding="yuv422", width=2, height=2, step=4, data=bytes(8)),
    ]


def main() -> None:
    """Publish until interrupted."""
    path, fps = sys.argv[1], float(sys.argv[2])
    frames = []
    capture = cv2.VideoCapture(path)
    while (frame := capture.read())[0]:
        frames.append(frame[1])
    pending_bad = 3 * bad_images() if "--bad-first" in sys.argv else []
    index = 0
    with ros_node("video_publisher") as node:
        qos = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)
        pub = node.create_publisher(Image, "image_raw", qos)

        def publish() -> None:
            nonlocal index
            if pub.get_subscription_count() < 2:  # the pose node and the test's recorder
                return
            if pending_bad:
                pub.publish(pending_bad.pop(0))
                return
            header = Header(frame_id=FRAME_ID)
            header.stamp.sec, header.stamp.nanosec = stamp_of(index, fps)
            pub.publish(bgr_to_image_msg(frames[index % len(frames)], header))
            index += 1

        node.create_timer(1.0 / fps, publish)
        rclpy.spin(node)


if __name__ == "__main__":
    main()
