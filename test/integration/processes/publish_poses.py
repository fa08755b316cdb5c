"""Publish a fixed PoseArray on ``poses`` at 10 Hz until killed (a separate OS process)."""

import sys
from pathlib import Path

import numpy as np
import rclpy
from std_msgs.msg import Header

from pose_estimation_ros.core.skeletons import COCO17
from pose_estimation_ros.core.types import Person, PoseFrame
from pose_estimation_ros.msg import PoseArray
from pose_estimation_ros.nodes.conversions import pose_frame_to_msg

sys.path.insert(0, str(Path(__file__).resolve().parent))  # a script, under PYTHONSAFEPATH
from ros_process import ros_node  # noqa: E402


def sample_frame(num_people: int) -> PoseFrame:
    """Deterministic people with distinct values in every field."""
    people = []
    for i in range(num_people):
        keypoints = np.arange(COCO17.num_keypoints * 3, dtype=np.float32).reshape(-1, 3)
        keypoints[:, :2] += 100.0 * i + 0.25
        keypoints[:, 2] = np.linspace(0.05, 0.95, COCO17.num_keypoints) - 0.01 * i
        people.append(
            Person(keypoints, 0.9 - 0.1 * i, (1.5 + i, 2.5 + i, 300.5 + i, 400.5 + i), i)
        )
    return PoseFrame("movenet_lightning", COCO17, 640, 480, people)


def main() -> None:
    """Publish until interrupted."""
    header = Header(frame_id="camera_optical_frame")
    header.stamp.sec, header.stamp.nanosec = 1234, 567890
    msg = pose_frame_to_msg(sample_frame(int(sys.argv[1])), header)
    with ros_node("pose_publisher") as node:
        pub = node.create_publisher(PoseArray, "poses", 10)
        node.create_timer(0.1, lambda: pub.publish(msg))
        rclpy.spin(node)


if __name__ == "__main__":
    main()
