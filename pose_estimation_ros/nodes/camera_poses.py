"""Each camera's ``poses`` read by an output node (``hri_node``, ``detections_node``).

An output node takes the pose node's ``cameras`` parameter and subscribes to
``<camera>/poses`` for each (``poses`` in its own namespace when the list is
empty), raw: each message is read by ``nodes.raw_cdr`` into its header and a core
``PoseFrame``, then handed to the node with the camera's name. A message that
cannot be read goes to ``on_refused`` instead. The UDP bridge, which forwards
the serialized bytes as they come, shares the QoS and the ``cameras`` parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rclpy.node import Node
from rclpy.qos import QoSProfile, ReliabilityPolicy
from rclpy.subscription import Subscription
from std_msgs.msg import Header

from pose_estimation_ros.core import topics
from pose_estimation_ros.core.param_spec import ParamSpec
from pose_estimation_ros.core.types import PoseFrame
from pose_estimation_ros.msg import PoseArray
from pose_estimation_ros.nodes.raw_cdr import read_pose_array

# Every PoseArray is used: reliable, and deep enough (as the pose node's history) that a node
# starved of CPU for a moment catches up instead of losing poses (the bridge with sensor-data
# QoS, depth 5, lost about 1 in 20 under load). Volatile: a node that starts late begins with
# the current frame, not with a replay of old ones.
POSES_QOS = QoSProfile(depth=100, reliability=ReliabilityPolicy.RELIABLE)

OnFrame = Callable[[str, Header, PoseFrame], None]
OnRefused = Callable[[str, ValueError], None]


def cameras_param(output: str) -> ParamSpec:
    """Return the ``cameras`` parameter of an output node that writes ``output``."""
    return ParamSpec(
        "cameras",
        (),
        f"cameras whose poses to read, each a namespace (e.g. [front, rear]): reads "
        f"<camera>/poses; {output}; empty: poses in the node's own namespace",
        read_only=True,
    )


def subscribe_poses(
    node: Node, cameras: Sequence[str], on_frame: OnFrame, on_refused: OnRefused
) -> list[Subscription]:
    """Subscribe to each camera's ``poses`` (``[""]``: the node's own); return the subscriptions.

    ``on_frame(camera, header, frame)`` gets every readable PoseArray,
    ``on_refused(camera, error)`` every other.
    """

    def reader(camera: str) -> Callable[[bytes], None]:
        def read(serialized: bytes) -> None:
            try:
                header, frame = read_pose_array(serialized)
            except ValueError as error:  # malformed, unknown layout, wrong keypoint count
                on_refused(camera, error)
                return
            on_frame(camera, header, frame)

        return read

    return [
        node.create_subscription(
            PoseArray, topics.in_camera(camera, topics.POSES), reader(camera), POSES_QOS, raw=True
        )
        for camera in cameras
    ]
