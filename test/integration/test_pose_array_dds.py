"""A PoseArray crosses OS processes over Fast DDS with every field intact."""

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from pose_estimation_ros.msg import PoseArray
from pose_estimation_ros.nodes.conversions import msg_to_pose_frame

PUBLISHER = Path(__file__).parent / "processes" / "publish_poses.py"
sys.path.insert(0, str(PUBLISHER.parent))
from publish_poses import sample_frame  # noqa: E402


def receive_one(context, topic: str, msg_type, timeout_s: float):
    """Spin a subscriber on ``context`` until one message arrives."""
    import rclpy
    from rclpy.executors import SingleThreadedExecutor

    node = rclpy.create_node("pose_receiver", context=context)
    received = []
    node.create_subscription(msg_type, topic, received.append, 10)
    executor = SingleThreadedExecutor(context=context)
    executor.add_node(node)
    deadline = time.monotonic() + timeout_s
    try:
        while not received and time.monotonic() < deadline:
            executor.spin_once(timeout_sec=0.1)
    finally:
        executor.shutdown()
        node.destroy_node()
    return received[0] if received else None


@pytest.mark.slow
def test_pose_array_round_trip_between_processes(ros_context):
    publisher = subprocess.Popen([sys.executable, str(PUBLISHER), "3"])
    try:
        msg = receive_one(ros_context, "poses", PoseArray, timeout_s=20.0)
    finally:
        publisher.terminate()
        publisher.wait(timeout=10)
    assert msg is not None, "no PoseArray arrived from the publisher process within 20 s"

    assert (msg.header.stamp.sec, msg.header.stamp.nanosec) == (1234, 567890)
    assert msg.header.frame_id == "camera_optical_frame"
    assert (msg.model, msg.layout, msg.image_width, msg.image_height) == (
        "movenet_lightning",
        "coco17",
        640,
        480,
    )

    expected = sample_frame(3)
    received = msg_to_pose_frame(msg)
    assert len(received.people) == 3
    for got, want in zip(received.people, expected.people):
        assert got.track_id == want.track_id
        assert got.score == pytest.approx(want.score, abs=1e-6)
        assert got.box == pytest.approx(want.box, abs=1e-6)
        np.testing.assert_array_equal(got.keypoints, want.keypoints)
