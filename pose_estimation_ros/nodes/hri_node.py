"""REP-155 (ROS4HRI) node: each camera's ``poses`` -> ``/humans/bodies/...``.

For every PoseArray, with the image's header: ``/humans/bodies/tracked``
(``hri_msgs/IdsList``, the bodies of every camera's last frame), then for each
tracked person ``/humans/bodies/<id>/skeleton2d`` (``hri_msgs/Skeleton2D``) and
``/humans/bodies/<id>/roi`` (``hri_msgs/NormalizedRegionOfInterest2D``). A body's
two publishers are created when it appears and destroyed when it is gone: gone
from its camera's next frame, or its camera silent for ``body_timeout_s`` (then
the tracked list is published again, stamped now). Ids, the skeleton order and
the neck rule: ``core.hri_bodies``.
"""

from __future__ import annotations

import time
from typing import Any

from hri_msgs.msg import IdsList, NormalizedPointOfInterest2D, NormalizedRegionOfInterest2D
from hri_msgs.msg import Skeleton2D
from rclpy.exceptions import InvalidParameterValueException
from rclpy.node import Node
from rclpy.publisher import Publisher
from rclpy.qos import QoSProfile, ReliabilityPolicy
from std_msgs.msg import Header

from pose_estimation_ros.core.hri_bodies import (
    TRACKED_TOPIC,
    Body,
    LiveBodies,
    bodies,
    body_id,
    camera_tags,
    new_run_tag,
    roi_body_topic,
    skeleton_body_topic,
)
from pose_estimation_ros.core.param_spec import ParamSpec
from pose_estimation_ros.core.types import PoseFrame
from pose_estimation_ros.nodes.camera_poses import cameras_param, subscribe_poses
from pose_estimation_ros.nodes.node_main import Refusal, run_node
from pose_estimation_ros.nodes.output_diagnostics import OutputDiagnostics
from pose_estimation_ros.nodes.parameters import declare_parameters
from pose_estimation_ros.nodes.shutdown import spin_until_stopped

ROLE = "REP-155 bodies"  # the status is named "<node's fully qualified name>: REP-155 bodies"
# REP-155 sets no QoS for body topics: ROS's default (reliable, volatile), which libhri's
# subscriptions (system defaults: reliable, volatile) and hri_body_detect's publishers use.
HRI_QOS = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)
EXPIRY_PERIOD_S = 0.1  # how often silent cameras are looked for

PARAMS = (
    cameras_param(
        "publishes the bodies of all of them on /humans/bodies, each body id starting with its "
        "camera"
    ),
    ParamSpec(
        "body_timeout_s",
        2.0,
        "a camera's bodies leave /humans/bodies/tracked (their topics are destroyed) when no "
        "PoseArray came from it for this long (a camera that ended, a pose node stopped)",
        0.1,
        3600.0,
        read_only=True,
        unit="s",
    ),
)


class HriNode(Node):
    """Subscribe each camera's ``poses``; publish REP-155 bodies."""

    def __init__(self, **node_options: Any) -> None:
        """Declare parameters, subscribe, publish the tracked list (``node_options``: ``Node``)."""
        super().__init__("hri_node", **node_options)
        params = declare_parameters(self, PARAMS)
        cameras = list(params["cameras"]) or [""]
        self._prefixes = camera_tags(cameras)
        self._run = new_run_tag()
        self._timeout_s = params["body_timeout_s"]
        self._live = LiveBodies()
        self._body_publishers: dict[str, tuple[Publisher, Publisher]] = {}
        self._tracked = self.create_publisher(IdsList, TRACKED_TOPIC, HRI_QOS)
        self.diagnostics = OutputDiagnostics(
            self, ROLE, lambda: {"bodies_tracked": str(len(self._live.tracked))}
        )
        self._subs = subscribe_poses(self, cameras, self._on_frame, self.diagnostics.refuse)
        self._expiry = self.create_timer(EXPIRY_PERIOD_S, self._expire)
        example = body_id(self._prefixes[cameras[-1]], 7, self._run)
        self.get_logger().info(
            f"publishing REP-155 bodies of {', '.join(repr(s.topic_name) for s in self._subs)} "
            f"on {TRACKED_TOPIC} and /humans/bodies/<id>/(skeleton2d|roi); body ids like "
            f"{example!r} (track 7)"
        )

    def _on_frame(self, camera: str, header: Header, frame: PoseFrame) -> None:
        """Publish the tracked list and each body of one PoseArray."""
        self.diagnostics.counts.poses_received += 1
        try:
            found = bodies(frame, self._prefixes[camera], self._run)
        except ValueError as error:  # no image size, a layout without a REP-155 skeleton
            self.diagnostics.refuse(camera, error)
            return
        appeared, gone = self._live.update(camera, [b.body_id for b in found], time.monotonic())
        for body in appeared:
            self._body_publishers[body] = (
                self.create_publisher(Skeleton2D, skeleton_body_topic(body), HRI_QOS),
                self.create_publisher(
                    NormalizedRegionOfInterest2D, roi_body_topic(body), HRI_QOS
                ),
            )
        self._tracked.publish(IdsList(header=header, ids=self._live.tracked))
        for body in found:
            self._publish_body(body, header)
        self._close(gone)

    def _publish_body(self, body: Body, header: Header) -> None:
        skeleton_pub, roi_pub = self._body_publishers[body.body_id]
        points = [NormalizedPointOfInterest2D(x=x, y=y, c=c) for x, y, c in body.skeleton.tolist()]
        skeleton_pub.publish(Skeleton2D(header=header, skeleton=points))
        xmin, ymin, xmax, ymax, c = body.roi
        roi = NormalizedRegionOfInterest2D(xmin=xmin, ymin=ymin, xmax=xmax, ymax=ymax, c=c)
        roi.header = header
        roi_pub.publish(roi)
        self.diagnostics.counts.published += 2

    def _expire(self) -> None:
        """Drop the bodies of cameras silent for ``body_timeout_s``; say so on the tracked list."""
        gone = self._live.expire(time.monotonic(), self._timeout_s)
        if gone:
            header = Header(stamp=self.get_clock().now().to_msg())
            self._tracked.publish(IdsList(header=header, ids=self._live.tracked))
            self._close(gone)

    def _close(self, gone: list[str]) -> None:
        """Destroy the topics of bodies that are gone (REP-155: their ids are no longer valid)."""
        for body in gone:
            for publisher in self._body_publishers.pop(body):
                self.destroy_publisher(publisher)


def main(args: list[str] | None = None) -> int:
    """Run the node until a signal stops it; 1 when a parameter is invalid.

    Exit status: 0 after SIGINT, 143 after SIGTERM (``nodes.shutdown``).
    """
    refused = Refusal((ValueError, InvalidParameterValueException), "{}; fix the parameter")
    return run_node("hri_node", args, HriNode, spin_until_stopped, [refused])
