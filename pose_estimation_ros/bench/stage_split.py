"""Per-stage times of the graph, measured from outside the nodes in the benchmark's process.

- camera publish: a frame turned into a ``sensor_msgs/Image`` and published
  (what camera_node does after reading it), on a topic nobody in the graph reads;
- pose stages: ``pose_bench.run_pipeline``'s split for MoveNet; for OpenPose
  the same receive / conversion / publishing around its ``infer`` (resize +
  network) and ``decode`` (peaks + PAF grouping);
- bridge: ``UdpBridgeNode``'s whole callback on one ``PoseArray``, as in
  ``bridge_bench``, for a frame with the number of people the graph saw.
"""

from __future__ import annotations

import socket
import time

import numpy as np
from rclpy.node import Node
from rclpy.parameter import Parameter
from sensor_msgs.msg import Image
from std_msgs.msg import Header

from pose_estimation_ros.bench.bridge_bench import frame_of, microseconds_per_call
from pose_estimation_ros.bench.pose_bench import STAGES, run_pipeline
from pose_estimation_ros.nodes.conversions import bgr_to_image_msg
from pose_estimation_ros.nodes.pose_array_cdr import serialize_pose_array
from pose_estimation_ros.nodes.udp_bridge_node import UdpBridgeNode

# pose_bench's stages but markers, which pose_node builds only while someone subscribes.
POSE_STAGES = tuple(stage for stage in STAGES if stage != "markers")


def camera_publish_ms(node: Node, frames: list[np.ndarray]) -> list[float]:
    """Milliseconds to build and publish each frame as a ``sensor_msgs/Image``."""
    publisher = node.create_publisher(Image, "bench_camera_publish", 1)
    times = []
    for index, frame in enumerate(frames):
        header = Header(frame_id="camera_optical_frame")
        header.stamp.sec = index
        start = time.perf_counter()
        publisher.publish(bgr_to_image_msg(frame, header))
        times.append((time.perf_counter() - start) * 1e3)
    node.destroy_publisher(publisher)
    return times


def pose_stages_ms(model: str, frames: list[np.ndarray], node: Node) -> dict[str, list[float]]:
    """Per-stage milliseconds per frame for ``model`` on ``frames`` (OpenVINO, auto threads)."""
    times = run_pipeline(model, "openvino", frames, node, threads=0)
    return {stage: times[stage] for stage in POSE_STAGES}


def bridge_ms(people: int, repeats: int) -> float:
    """Median milliseconds of the bridge's callback on a frame of ``people`` people."""
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(("127.0.0.1", 0))
    node = UdpBridgeNode(parameter_overrides=[Parameter("port", value=sink.getsockname()[1])])
    try:
        serialized = serialize_pose_array(
            frame_of(people), Header(frame_id="camera_optical_frame")
        )
        median_us, _ = microseconds_per_call(lambda: node._on_poses(serialized), repeats)
    finally:
        node.destroy_node()
        sink.close()
    return median_us / 1e3
