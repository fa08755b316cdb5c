"""hri_node (REP-155) and detections_node (vision_msgs) over real DDS, checked against the poses.

The first test runs the real graph on pose_1.mp4 (installed camera_node looping
it, pose_node with MoveNet Lightning, both output nodes); the second feeds two
cameras' known PoseArrays (``processes/publish_poses.py`` in ``cam1`` and ``cam2``).
The test process subscribes as any consumer: to ``poses``, ``detections``,
``/humans/bodies/tracked`` and, for each id it lists, that body's ``skeleton2d``
and ``roi``; every message is matched by stamp to the PoseArray of the same frame
and checked against it with this file's own reading of REP-155 (order from
``hri_msgs/Skeleton2D``'s constants, the neck of a COCO-17 pose from its shoulders).
"""

from __future__ import annotations

import re
import subprocess
from collections import defaultdict
from collections.abc import Iterator

import numpy as np
import pytest
import rclpy
from hri_msgs.msg import IdsList, NormalizedRegionOfInterest2D, Skeleton2D
from processes_util import name_of, node_command, script_command, start, stop, wait_for
from rclpy.executors import SingleThreadedExecutor
from rclpy.qos import QoSProfile, ReliabilityPolicy
from vision_msgs.msg import Detection2DArray

from pose_estimation_ros.core import assets
from pose_estimation_ros.core.skeletons import get_layout
from pose_estimation_ros.msg import PersonPose, PoseArray
from pose_estimation_ros.nodes.conversions import stamp_ns
from pose_estimation_ros.nodes.detections_node import DETECTIONS_QOS
from pose_estimation_ros.nodes.pose_node import POSES_QOS

TIMEOUT_S = 240.0
# publish_poses.py's PoseArrays (volatile) from when the consumer matched; the pose node's
# (transient local) from its first too, published before the consumer matched it or not.
VOLATILE_POSES = QoSProfile(depth=200, reliability=ReliabilityPolicy.RELIABLE)
RUN_ID = re.compile(r"^(?:(?P<camera>[a-z0-9_]+)_)?b(?P<track>\d+)_(?P<run>[a-z]{4})$")
# Skeleton2D's constants name its points: NOSE = 0 ... RIGHT_EAR = 17.
SKELETON_NAMES = {
    getattr(Skeleton2D, name): name.lower()
    for name in dir(Skeleton2D)
    if name.isupper() and isinstance(getattr(Skeleton2D, name), int)
}

pytestmark = pytest.mark.slow


class Consumer:
    """A consumer of every output: poses, detections and REP-155 bodies, by stamp."""

    def __init__(self, context, cameras: tuple[str, ...], poses_qos: QoSProfile) -> None:
        """Subscribe to each camera's poses and detections and to the tracked bodies."""
        self.node = rclpy.create_node("hri_detections_consumer", context=context)
        self.poses: dict[tuple[str, int], PoseArray] = {}
        self.detections: dict[str, list[Detection2DArray]] = defaultdict(list)
        self.tracked: list[IdsList] = []
        self.skeletons: dict[str, list[Skeleton2D]] = defaultdict(list)
        self.rois: dict[str, list[NormalizedRegionOfInterest2D]] = defaultdict(list)
        for camera in cameras:
            prefix = f"{camera}/" if camera else ""
            self.node.create_subscription(
                PoseArray,
                f"{prefix}poses",
                lambda msg, c=camera: self.poses.__setitem__((c, stamp_ns(msg)), msg),
                poses_qos,
            )
            self.node.create_subscription(
                Detection2DArray, f"{prefix}detections", self.detections[camera].append,
                DETECTIONS_QOS,
            )
        self.node.create_subscription(IdsList, "/humans/bodies/tracked", self._on_tracked, 50)
        self.executor = SingleThreadedExecutor(context=context)
        self.executor.add_node(self.node)

    def _on_tracked(self, msg: IdsList) -> None:
        self.tracked.append(msg)
        for body in msg.ids:
            if body not in self.skeletons:  # as libhri: a new id, its topics subscribed
                reliable = QoSProfile(depth=50)
                self.skeletons[body] = []
                self.node.create_subscription(
                    Skeleton2D, f"/humans/bodies/{body}/skeleton2d",
                    self.skeletons[body].append, reliable,
                )
                self.node.create_subscription(
                    NormalizedRegionOfInterest2D, f"/humans/bodies/{body}/roi",
                    self.rois[body].append, reliable,
                )

    def spin(self) -> None:
        self.executor.spin_once(timeout_sec=0.1)

    def bodies_published(self) -> int:
        return sum(len(messages) for messages in self.skeletons.values())

    def body_messages(self) -> list:
        """Every skeleton2d and roi message received."""
        return [m for each in (self.skeletons, self.rois) for ms in each.values() for m in ms]

    def close(self) -> None:
        self.executor.shutdown()
        self.node.destroy_node()


def expected_skeleton(pose: PoseArray, person: PersonPose) -> np.ndarray:
    """Return the 18 points REP-155 asks for, computed apart from ``core.hri_bodies``."""
    names = get_layout(pose.layout).keypoint_names
    by_name = {n: (k.x, k.y, k.score) for n, k in zip(names, person.keypoints)}
    if "neck" not in by_name:
        (lx, ly, ls), (rx, ry, rs) = by_name["left_shoulder"], by_name["right_shoulder"]
        by_name["neck"] = ((lx + rx) / 2, (ly + ry) / 2, min(ls, rs))
    points = np.array([by_name[SKELETON_NAMES[i]] for i in range(18)], dtype=np.float64)
    points[:, 0] /= pose.image_width
    points[:, 1] /= pose.image_height
    return np.clip(points, 0.0, 1.0)


def check_bodies(consumer: Consumer, camera_of_prefix: dict[str | None, str]) -> set[str]:
    """Check every REP-155 message against the PoseArray of its frame; return the runs seen."""
    runs = set()
    for body, skeletons in consumer.skeletons.items():
        match = RUN_ID.match(body)
        assert match, body
        runs.add(match["run"])
        camera, track = camera_of_prefix[match["camera"]], int(match["track"])
        for messages in (skeletons, consumer.rois[body]):
            for msg in messages:
                pose = consumer.poses[(camera, stamp_ns(msg))]
                assert msg.header == pose.header
                (person,) = [p for p in pose.poses if p.id == track]
                if isinstance(msg, Skeleton2D):
                    got = np.array([(p.x, p.y, p.c) for p in msg.skeleton])
                    np.testing.assert_allclose(got, expected_skeleton(pose, person), atol=1e-6)
                else:
                    box = (person.x_min, person.y_min, person.x_max, person.y_max)
                    size = (pose.image_width, pose.image_height) * 2
                    expected = [min(max(v / s, 0.0), 1.0) for v, s in zip(box, size)]
                    got = [msg.xmin, msg.ymin, msg.xmax, msg.ymax]
                    np.testing.assert_allclose(got, expected, atol=1e-6)
                    assert msg.c == pytest.approx(person.score)
    assert len(runs) == 1, runs  # one hri_node run: one tag in every id
    return runs


def check_tracked(consumer: Consumer, camera: str, prefix: str, run: str) -> None:
    """Each tracked list of ``camera``'s frames lists exactly the tracked people of its frame."""
    for msg in consumer.tracked:
        pose = consumer.poses.get((camera, stamp_ns(msg)))
        if pose is None:
            continue
        assert msg.header == pose.header
        assert msg.ids == [f"{prefix}b{p.id}_{run}" for p in pose.poses if p.id >= 0]


def check_detections(consumer: Consumer, camera: str) -> int:
    """Check ``camera``'s detections against its PoseArrays; return the people seen."""
    people = 0
    for msg in consumer.detections[camera]:
        pose = consumer.poses[(camera, stamp_ns(msg))]
        assert msg.header == pose.header
        assert len(msg.detections) == len(pose.poses)
        for detection, person in zip(msg.detections, pose.poses):
            assert detection.header == pose.header
            assert detection.id == (str(person.id) if person.id >= 0 else "")
            (result,) = detection.results
            assert result.hypothesis.class_id == "person"
            assert result.hypothesis.score == pytest.approx(person.score)
            bbox = detection.bbox
            centre = (bbox.center.position.x, bbox.center.position.y)
            assert centre == pytest.approx(
                ((person.x_min + person.x_max) / 2, (person.y_min + person.y_max) / 2)
            )
            assert (bbox.size_x, bbox.size_y) == pytest.approx(
                (person.x_max - person.x_min, person.y_max - person.y_min)
            )
            people += 1
    return people


@pytest.fixture
def consumers(ros_context) -> Iterator:
    made = []

    def make(*cameras: str, poses_qos: QoSProfile = VOLATILE_POSES) -> Consumer:
        made.append(Consumer(ros_context, cameras, poses_qos))
        return made[-1]

    yield make
    for consumer in made:
        consumer.close()


def _stop_all(processes: list[subprocess.Popen]) -> dict[str, str]:
    return {f"{i} {name_of(p)}": stop(p) for i, p in enumerate(processes)}


def test_a_video_s_person_as_rep155_body_and_as_detection(consumers):
    consumer = consumers("", poses_qos=POSES_QOS)
    video = assets.resolve("pose_1_video")
    processes = [
        start(node_command("hri_node")),
        start(node_command("detections_node")),
        start(node_command("pose_node")),
        start(node_command("camera_node", f"source:={video}", "loop:=true", "fps:=10.0")),
    ]
    try:
        wait_for(
            lambda: consumer.bodies_published() >= 15
            and sum(len(m.detections) for m in consumer.detections[""]) >= 15,
            "15 skeletons and 15 detections",
            TIMEOUT_S,
            processes,
            step=consumer.spin,
        )
        # Every message's PoseArray arrived too (reliable, transient local: it catches up).
        wait_for(
            lambda: all(
                ("", stamp_ns(m)) in consumer.poses
                for m in [*consumer.detections[""], *consumer.body_messages()]
            ),
            "the PoseArray of every frame seen",
            60.0,
            step=consumer.spin,
            detail=lambda: f": {len(consumer.poses)} PoseArrays",
        )
    finally:
        outputs = _stop_all(processes)
    (run,) = check_bodies(consumer, {None: ""})
    check_tracked(consumer, "", "", run)
    assert check_detections(consumer, "") >= 15
    # The tracked list comes with every frame, from its first.
    first = min(stamp_ns(m) for m in consumer.tracked)
    last = max(stamp_ns(m) for m in consumer.tracked)
    posed = {stamp for camera, stamp in consumer.poses if first <= stamp <= last}
    assert posed <= {stamp_ns(m) for m in consumer.tracked}
    assert all(p.returncode == 0 for p in processes), outputs


def test_two_cameras_bodies_apart_and_a_silent_camera_s_bodies_gone(consumers, ros_context):
    consumer = consumers("cam1", "cam2")
    cameras = "cameras:=[cam1, cam2]"
    publishers = {
        camera: start(script_command("publish_poses.py", str(people), "--ros-args", "-r",
                                     f"__ns:=/{camera}"))
        for camera, people in (("cam1", 2), ("cam2", 1))
    }
    nodes = [
        start(node_command("hri_node", cameras, "body_timeout_s:=0.5")),
        start(node_command("detections_node", cameras)),
    ]
    processes = [*nodes, *publishers.values()]
    try:
        wait_for(
            lambda: consumer.tracked and len(consumer.tracked[-1].ids) == 3
            and all(consumer.skeletons[b] and consumer.rois[b] for b in consumer.tracked[-1].ids)
            and consumer.detections["cam1"] and consumer.detections["cam2"]
            # The consumer's own poses subscriptions may match after the hri_node's.
            and {camera for camera, _ in consumer.poses} == {"cam1", "cam2"},
            "three bodies of two cameras with their skeletons, regions and poses",
            TIMEOUT_S,
            processes,
            step=consumer.spin,
        )
        ids = consumer.tracked[-1].ids
        run = RUN_ID.match(ids[0])["run"]
        # publish_poses.py: people 0..N-1, tracked as 0..N-1.
        assert sorted(ids) == [f"cam1_b0_{run}", f"cam1_b1_{run}", f"cam2_b0_{run}"]
        (run,) = check_bodies(consumer, {"cam1": "cam1", "cam2": "cam2"})
        assert [check_detections(consumer, c) > 0 for c in ("cam1", "cam2")] == [True, True]
        assert {len(m.detections) for m in consumer.detections["cam2"]} == {1}
        gone = f"/humans/bodies/cam2_b0_{run}/skeleton2d"
        assert consumer.node.count_publishers(gone) == 1

        # cam2 falls silent: its body leaves the tracked list and its topics go.
        stop(publishers["cam2"])
        wait_for(
            lambda: consumer.tracked[-1].ids == [f"cam1_b0_{run}", f"cam1_b1_{run}"],
            "cam2's body gone from /humans/bodies/tracked",
            30.0,
            nodes,
            step=consumer.spin,
        )
        wait_for(
            lambda: consumer.node.count_publishers(gone) == 0
            and consumer.node.count_publishers(gone.replace("skeleton2d", "roi")) == 0,
            f"{gone} and its roi destroyed",
            30.0,
            nodes,
            step=consumer.spin,
        )
        assert consumer.node.count_publishers(f"/humans/bodies/cam1_b0_{run}/skeleton2d") == 1
    finally:
        outputs = _stop_all(processes)
    assert [n.returncode for n in nodes] == [0, 0], outputs
