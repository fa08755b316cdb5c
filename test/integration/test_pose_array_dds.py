"""A PoseArray crosses OS processes over Fast DDS with every field intact."""

import signal
import subprocess

import numpy as np
import pytest
from processes_util import receive_until, script_command, stop
from wire_samples import sample_frame  # processes/publish_poses.py's

from pose_estimation_ros.msg import PoseArray
from pose_estimation_ros.nodes.conversions import msg_to_pose_frame


@pytest.mark.slow
def test_pose_array_round_trip_between_processes(ros_context):
    publisher = subprocess.Popen(script_command("publish_poses.py", "3"))
    try:
        msg = receive_until(ros_context, "poses", PoseArray, len, [publisher])[0]
    finally:
        stop(publisher, 10, signal.SIGTERM)

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
