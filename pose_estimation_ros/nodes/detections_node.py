"""vision_msgs node: each camera's ``poses`` -> ``detections`` beside them.

Every PoseArray on ``<camera>/poses`` becomes one ``vision_msgs/Detection2DArray``
on ``<camera>/detections`` with the image's header (each ``Detection2D`` too):
one detection per person, class ``person`` with the person's score, the box in
source-image pixels (centre and size), id the track id (empty when untracked).
The hypothesis' pose is left at zero: a 2D detector has no 6D pose to give.
"""

from __future__ import annotations

from typing import Any

from rclpy.exceptions import InvalidParameterValueException
from rclpy.node import Node
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from std_msgs.msg import Header
from vision_msgs.msg import (
    BoundingBox2D,
    Detection2D,
    Detection2DArray,
    ObjectHypothesis,
    ObjectHypothesisWithPose,
    Point2D,
    Pose2D,
)

from pose_estimation_ros.core import topics
from pose_estimation_ros.core.detections import PersonDetection, detections
from pose_estimation_ros.core.types import PoseFrame
from pose_estimation_ros.nodes.camera_poses import cameras_param, subscribe_poses
from pose_estimation_ros.nodes.node_main import Refusal, run_node
from pose_estimation_ros.nodes.output_diagnostics import OutputDiagnostics
from pose_estimation_ros.nodes.parameters import declare_parameters
from pose_estimation_ros.nodes.shutdown import spin_until_stopped

ROLE = "person detections"  # the status is named "<node's full name>: person detections"
# As the pose node's poses: one array per frame, kept for a reliable reader that falls behind,
# and for a reader that joins late.
DETECTIONS_QOS = QoSProfile(
    depth=100, reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.TRANSIENT_LOCAL
)

PARAMS = (cameras_param("publishes <camera>/detections beside them"),)


def detection_msg(detection: PersonDetection, header: Header) -> Detection2D:
    """Build one ``Detection2D`` carrying ``header`` (the image's)."""
    hypothesis = ObjectHypothesis(class_id=detection.class_id, score=detection.score)
    centre = Pose2D(position=Point2D(x=detection.center_x, y=detection.center_y), theta=0.0)
    return Detection2D(
        header=header,
        results=[ObjectHypothesisWithPose(hypothesis=hypothesis)],
        bbox=BoundingBox2D(center=centre, size_x=detection.size_x, size_y=detection.size_y),
        id=detection.id,
    )


class DetectionsNode(Node):
    """Subscribe each camera's ``poses``; publish its ``detections``."""

    def __init__(self, **node_options: Any) -> None:
        """Declare parameters, subscribe and advertise (``node_options`` go to ``Node``)."""
        super().__init__("detections_node", **node_options)
        cameras = list(declare_parameters(self, PARAMS)["cameras"]) or [""]
        self._detections_pubs = {
            camera: self.create_publisher(
                Detection2DArray, topics.in_camera(camera, topics.DETECTIONS), DETECTIONS_QOS
            )
            for camera in cameras
        }
        self.diagnostics = OutputDiagnostics(self, ROLE, dict)
        self._subs = subscribe_poses(self, cameras, self._on_frame, self.diagnostics.refuse)
        self.get_logger().info(
            "publishing "
            + ", ".join(repr(p.topic_name) for p in self._detections_pubs.values())
            + f" from {', '.join(repr(s.topic_name) for s in self._subs)}"
        )

    def _on_frame(self, camera: str, header: Header, frame: PoseFrame) -> None:
        """Publish one PoseArray's people as ``camera``'s detections."""
        self.diagnostics.counts.poses_received += 1
        found = [detection_msg(d, header) for d in detections(frame)]
        self._detections_pubs[camera].publish(Detection2DArray(header=header, detections=found))
        self.diagnostics.counts.published += 1


def main(args: list[str] | None = None) -> int:
    """Run the node until a signal stops it; 1 when a parameter is invalid.

    Exit status: 0 after SIGINT, 143 after SIGTERM (``nodes.shutdown``).
    """
    refused = Refusal((ValueError, InvalidParameterValueException), "{}; fix the parameter")
    return run_node("detections_node", args, DetectionsNode, spin_until_stopped, [refused])
