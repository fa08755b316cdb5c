"""Per-stage times of the graph, timed in the benchmark's process on the nodes' own code.

- camera publish: camera_node's ``FramePublisher.publish`` (``image_raw`` and
  ``camera_info``, with the graph's camera parameters), each frame first
  placed where the camera decodes it (``decode_target``), as the camera does;
  on a node in a namespace of its own, so nobody in the graph reads it;
- pose stages: pose_node's ``PoseFrameHandler`` on each serialized image,
  timed by its ``StageTimes`` hook (``pose_bench.time_handler``): read, the
  estimator's stages (``PosePipeline.estimate``), publishing;
- bridge: the bridge node's own ``PoseForwarder.forward`` on one serialized
  ``PoseArray`` with the number of people the graph saw.
"""

from __future__ import annotations

import socket
from typing import Any

import numpy as np
import rclpy
from rclpy.node import Node
from rclpy.parameter import Parameter
from rclpy.qos import QoSProfile
from std_msgs.msg import Header

from pose_estimation_ros.bench.bridge_bench import frame_of, microseconds_per_call
from pose_estimation_ros.bench.node_options import node_estimator
from pose_estimation_ros.bench.pose_bench import serialized_images, time_handler
from pose_estimation_ros.core.capture import Frame
from pose_estimation_ros.core.stage_times import StageTimes
from pose_estimation_ros.nodes.camera_node import RELIABILITY
from pose_estimation_ros.nodes.image_publisher import FramePublisher, ImageSettings
from pose_estimation_ros.nodes.pose_frame_handler import FRAME_STAGES
from pose_estimation_ros.nodes.raw_cdr import serialize_pose_array
from pose_estimation_ros.nodes.udp_bridge_node import UdpBridgeNode
from pose_estimation_ros.runner.commands import node_parameter

SPLIT_NAMESPACE = "/bench_stage_split"
CAMERA_PUBLISH = "camera publish"


def camera_publisher(node: Node, **overrides: Any) -> FramePublisher:
    """Make a ``FramePublisher`` on ``node``: the graph's camera parameters, then ``overrides``."""

    def camera(name: str) -> Any:
        return overrides[name] if name in overrides else node_parameter({}, "camera_node", name)

    qos = QoSProfile(depth=camera("qos_depth"), reliability=RELIABILITY[camera("reliability")])
    settings = ImageSettings(camera("encoding"), camera("frame_id"), camera("jpeg_quality"))
    return FramePublisher(node, qos, settings)


def camera_publish_ms(frames: list[np.ndarray], **overrides: Any) -> list[float]:
    """Milliseconds of the camera's ``publish`` for each frame (camera parameters overridden)."""
    node = rclpy.create_node("bench_camera", namespace=SPLIT_NAMESPACE)
    times = StageTimes()
    try:
        publisher = camera_publisher(node, **overrides)
        for index, image in enumerate(frames):
            target = publisher.decode_target()
            if target is not None and target.shape == image.shape:
                np.copyto(target, image)  # the camera decodes into the message's buffer
                image = target
            with times.span(CAMERA_PUBLISH):
                publisher.publish(Frame(image, index * 100_000_000))
    finally:
        node.destroy_node()
    return times.ms[CAMERA_PUBLISH]


def pose_stages_ms(model: str, frames: list[np.ndarray], node: Node) -> dict[str, list[float]]:
    """Milliseconds per frame of each of ``FRAME_STAGES``, as the graph's pose node runs them."""
    estimator = node_estimator(model, backend="openvino")
    times = time_handler(estimator, serialized_images(frames), node).ms
    return {stage: times[stage] for stage in FRAME_STAGES}


def bridge_ms(people: int, repeats: int) -> float:
    """Median milliseconds of the bridge's ``forward`` on a frame of ``people`` people."""
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(("127.0.0.1", 0))
    node = UdpBridgeNode(parameter_overrides=[Parameter("port", value=sink.getsockname()[1])])
    try:
        serialized = serialize_pose_array(
            frame_of(people), Header(frame_id="camera_optical_frame")
        )
        median_us, _ = microseconds_per_call(lambda: node.forwarder.forward(serialized), repeats)
    finally:
        node.destroy_node()
        sink.close()
    return median_us / 1e3
