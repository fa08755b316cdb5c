"""pose_node end to end over real DDS: video frames in, PoseArrays out, bad input survived.

Frames come from a small publisher process reading pose_1.mp4 (standing in
for camera_node until it lands); pose_node runs as its own process (the
installed executable) with MoveNet Lightning on OpenVINO and the real weights.
"""

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from ament_index_python.packages import get_package_prefix
from diagnostic_msgs.msg import DiagnosticArray
from rclpy.qos import QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import Image
from visualization_msgs.msg import Marker, MarkerArray

from pose_estimation_ros.msg import PoseArray

PUBLISHER = Path(__file__).parent / "processes" / "publish_video.py"
FRAME_ID = "camera_optical_frame"  # what the publisher process stamps its images with
PARAMS_YAML = Path(__file__).resolve().parents[2] / "config" / "params.yaml"
WANTED_POSES = 40
TIMEOUT_S = 240.0
PERSON_SCORE = 0.3


def pose_node_command(*parameters: str) -> list[str]:
    """Command line of the installed pose_node: config/params.yaml, then ``name:=value``s."""
    executable = (
        Path(get_package_prefix("pose_estimation_ros")) / "lib/pose_estimation_ros/pose_node"
    )
    args = [item for p in parameters for item in ("-p", p)]
    return [
        sys.executable,
        str(executable),
        "--ros-args",
        "--params-file",
        str(PARAMS_YAML),
        *args,
    ]


def stop(process: subprocess.Popen) -> str:
    """Interrupt a process (as Ctrl-C would), wait for it, return its stderr."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
    try:
        _, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
    return err or ""


@pytest.mark.slow
def test_video_to_poses_over_dds(ros_context, asset_dir):
    import rclpy
    from rclpy.executors import SingleThreadedExecutor

    video = asset_dir / "media/tfjs/pose_1.mp4"
    node_process = subprocess.Popen(
        pose_node_command(
            "model:=movenet_lightning",
            "backend:=openvino",
            "image_reliability:=reliable",
            "publish_annotated:=true",
        ),
        stderr=subprocess.PIPE,
        text=True,
    )
    publisher = subprocess.Popen([sys.executable, str(PUBLISHER), str(video), "15", "--bad-first"])
    recorder = rclpy.create_node("pose_test_recorder", context=ros_context)
    reliable = QoSProfile(depth=200, reliability=ReliabilityPolicy.RELIABLE)
    images, poses, diagnostics, markers, annotated = [], [], [], [], []
    recorder.create_subscription(Image, "image_raw", images.append, reliable)
    recorder.create_subscription(PoseArray, "poses", poses.append, reliable)
    recorder.create_subscription(DiagnosticArray, "/diagnostics", diagnostics.append, 10)
    recorder.create_subscription(MarkerArray, "pose_markers", markers.append, 10)
    recorder.create_subscription(Image, "image_annotated", annotated.append, 10)
    executor = SingleThreadedExecutor(context=ros_context)
    executor.add_node(recorder)
    deadline = time.monotonic() + TIMEOUT_S
    try:
        while (
            len(poses) < WANTED_POSES or not (diagnostics and markers and annotated)
        ) and time.monotonic() < deadline:
            executor.spin_once(timeout_sec=0.1)
            assert node_process.poll() is None, "pose_node exited early"
    finally:
        executor.shutdown()
        recorder.destroy_node()
        publisher.terminate()
        publisher.wait(timeout=30)
        node_log = stop(node_process)

    assert len(poses) >= WANTED_POSES, f"{len(poses)} PoseArrays in {TIMEOUT_S} s\n{node_log}"
    image_headers = {(i.header.stamp.sec, i.header.stamp.nanosec): i.header for i in images}
    with_person = 0
    for msg in poses:
        stamp = (msg.header.stamp.sec, msg.header.stamp.nanosec)
        assert stamp in image_headers, f"PoseArray stamp {stamp} matches no image"
        assert msg.header.frame_id == image_headers[stamp].frame_id
        assert (msg.model, msg.layout, msg.image_width, msg.image_height) == (
            "movenet_lightning",
            "coco17",
            576,
            576,
        )
        assert len(msg.poses) <= 1
        for person in msg.poses:
            assert len(person.keypoints) == 17
            for k in person.keypoints:
                assert 0.0 <= k.x <= 576 and 0.0 <= k.y <= 576, (k.x, k.y)
                assert 0.0 <= k.score <= 1.0
        with_person += any(p.score >= PERSON_SCORE for p in msg.poses)
    assert with_person >= 0.95 * len(poses), f"a person in only {with_person}/{len(poses)}"

    # Zero-size and yuv422 images (3 of each) were dropped with one warning per cause (a newer
    # image may replace one before the node reads it); the node lived on.
    assert node_log.count("dropping image: empty image (0x0)") == 1, node_log
    assert node_log.count("dropping image: unsupported image encoding 'yuv422'") == 1, node_log
    for marker_array in markers:
        assert marker_array.markers[0].action == Marker.DELETEALL
        assert all(m.header.frame_id == FRAME_ID for m in marker_array.markers)
    assert any(len(m.markers) == 3 for m in markers)  # clear, joints, skeleton
    for image in annotated:
        assert (image.encoding, image.width, image.height) == ("bgr8", 576, 576)
        assert (image.header.stamp.sec, image.header.stamp.nanosec) in image_headers

    status = diagnostics[-1].status[0]
    values = {v.key: v.value for v in status.values}
    assert status.name == "pose_node: pose estimation"
    assert 2 <= int(values["rejected_frames_total"]) <= 6
    assert int(values["processed_frames_total"]) >= 1


@pytest.mark.slow
@pytest.mark.parametrize(
    "parameter, expected",
    [
        ("model:=movenet_giant", "must be one of movenet_lightning"),
        ("score_threshold:=2.0", "score_threshold"),
        ("precision:=fp16", "asset 'movenet_lightning_fp16'"),
        ("model_path:=/nonexistent/model.tflite", "/nonexistent/model.tflite"),
    ],
)
def test_node_exits_with_a_clear_error_when_it_cannot_load(ros_domain_id, parameter, expected):
    result = subprocess.run(
        pose_node_command(parameter), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
