"""One pose node serving three cameras over real DDS (``cameras: [cam1, cam2, cam3]``).

Three installed camera_node processes, each in its own namespace, read
pose_1.mp4, vtest.avi and an image folder (looped, 10 frames/s); one installed
pose_node runs MoveNet Lightning for all three. The test process subscribes
to each camera's ``camera_info`` (one per published image, same header) and
``poses`` as any consumer would, and to ``/diagnostics``.
"""

import signal
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
import rclpy
from diagnostic_msgs.msg import DiagnosticArray
from bridge_processes import udp_listener
from processes_util import frames_to_folder, node_command, start, stop, wait_for
from rclpy.executors import SingleThreadedExecutor
from rclpy.qos import QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import CameraInfo

from pose_estimation_ros.core import assets
from pose_estimation_ros.core.runtimes import auto_inference_streams
from pose_estimation_ros.core.wire import decode_datagram
from pose_estimation_ros.msg import PoseArray
from pose_estimation_ros.nodes.conversions import stamp_ns
from pose_estimation_ros.nodes.node_status import status_name
from pose_estimation_ros.nodes.pose_diagnostics import INFERENCE_ROLE, ROLE
from pose_estimation_ros.nodes.pose_node import POSES_QOS

CAMERAS = ("cam1", "cam2", "cam3")
TIMEOUT_S = 240.0
ANY = QoSProfile(depth=200, reliability=ReliabilityPolicy.BEST_EFFORT)  # matches either camera

pytestmark = pytest.mark.slow


@pytest.fixture
def image_folder(tmp_path: Path) -> Path:
    """Return vtest.avi's frames 200..229 as JPEG files (walkers, a third source kind)."""
    return frames_to_folder(assets.resolve("vtest_video"), tmp_path / "frames", 30, first=200)


class Listener:
    """Each camera's published stamps and PoseArrays, and the pose node's statuses."""

    def __init__(self, context) -> None:
        """Subscribe to every camera's camera_info and poses, and to /diagnostics."""
        self.node = rclpy.create_node("several_cameras_listener", context=context)
        self.images: dict[str, set[int]] = defaultdict(set)
        self.poses: dict[str, list[PoseArray]] = defaultdict(list)
        self.statuses: dict[str, dict[str, str]] = {}
        for camera in CAMERAS:
            self.node.create_subscription(
                CameraInfo,
                f"{camera}/camera_info",
                lambda msg, c=camera: self.images[c].add(stamp_ns(msg)),
                ANY,
            )
            self.node.create_subscription(  # as the pose node publishes: from the first
                PoseArray, f"{camera}/poses", self.poses[camera].append, POSES_QOS
            )
        self.node.create_subscription(DiagnosticArray, "/diagnostics", self._on_status, 50)
        self.executor = SingleThreadedExecutor(context=context)
        self.executor.add_node(self.node)

    def _on_status(self, msg: DiagnosticArray) -> None:
        for status in msg.status:
            self.statuses[status.name] = {kv.key: kv.value for kv in status.values}

    def answered(self, camera: str) -> set[int]:
        """Stamps of ``camera``'s poses since the first image seen here (it may match late)."""
        first = min(self.images[camera], default=0)
        return {stamp_ns(p) for p in self.poses[camera] if stamp_ns(p) >= first}

    def spin(self) -> None:
        self.executor.spin_once(timeout_sec=0.1)

    def close(self) -> None:
        self.executor.shutdown()
        self.node.destroy_node()


@pytest.fixture
def listener(ros_context) -> Iterator[Listener]:
    each = Listener(ros_context)
    yield each
    each.close()


def camera_command(camera: str, source: Path) -> list[str]:
    """camera_node in ``/camera``, looping ``source`` at 10 frames/s."""
    parameters = (f"source:={source}", "loop:=true", "fps:=10.0", f"frame_id:={camera}_optical")
    return node_command("camera_node", *parameters) + ["-r", f"__ns:=/{camera}"]


def test_three_cameras_through_one_pose_node(listener, image_folder):
    sources = (assets.resolve("pose_1_video"), assets.resolve("vtest_video"), image_folder)
    pose = start(node_command("pose_node", f"cameras:=[{', '.join(CAMERAS)}]"))
    cameras = {c: start(camera_command(c, s)) for c, s in zip(CAMERAS, sources)}
    processes = [pose, *cameras.values()]
    try:
        wait_for(
            lambda: all(len(listener.poses[c]) >= 15 and listener.images[c] for c in CAMERAS),
            "15 PoseArrays from each camera",
            TIMEOUT_S,
            processes,
            step=listener.spin,
        )
        for camera in CAMERAS:
            poses = listener.poses[camera]
            # Its own frame id and its own stamps: every PoseArray answers one of its images.
            assert {p.header.frame_id for p in poses} == {f"{camera}_optical"}, camera
            assert listener.answered(camera) <= listener.images[camera], camera
            # Tracks of its own: ids numbered from 1 on each camera, not continued across them.
            ids = {person.id for p in poses for person in p.poses if person.id >= 0}
            assert min(ids) == 1, (camera, sorted(ids))
        # One tracker shared by the cameras would have numbered their people 1, 2, 3.

        # A camera killed outright: the two others keep their poses coming.
        cameras["cam2"].send_signal(signal.SIGKILL)
        cameras["cam2"].wait(10)
        counts = {c: len(listener.poses[c]) for c in CAMERAS}
        settle = time.monotonic() + 1.0  # images cam2 published before it died may still come
        wait_for(lambda: time.monotonic() > settle, "a second", step=listener.spin)
        after_kill = len(listener.poses["cam2"])
        wait_for(
            lambda: all(len(listener.poses[c]) >= counts[c] + 20 for c in ("cam1", "cam3")),
            "20 more PoseArrays from cam1 and cam3 after cam2 was killed",
            TIMEOUT_S,
            [pose, cameras["cam1"], cameras["cam3"]],
            step=listener.spin,
        )
        assert len(listener.poses["cam2"]) == after_kill
        for camera in ("cam1", "cam3"):
            assert listener.answered(camera) <= listener.images[camera], camera

        # Diagnostics: one status per camera, and the shared inference's load.
        names = [status_name("/pose_node", f"{ROLE} {c}") for c in CAMERAS]
        names.append(status_name("/pose_node", INFERENCE_ROLE))
        wait_for(
            lambda: all(n in listener.statuses for n in names),
            "a status per camera and the inference load on /diagnostics",
            30.0,
            [pose],
            step=listener.spin,
        )
        for camera, name in zip(CAMERAS, names):
            assert int(listener.statuses[name]["processed_frames_total"]) > 0, camera
            if camera != "cam2":  # killed: its windows have no poses, latency "n/a"
                assert float(listener.statuses[name]["latency_ms_max"]) > 0, camera
        streams = listener.statuses[names[-1]]["inference_streams"]
        assert streams == str(auto_inference_streams(len(CAMERAS)))  # one per camera, per core
    finally:
        outputs = {p.args[-1]: stop(p) for p in processes}  # the pose node first, frames running
    assert pose.returncode == 0, outputs
    assert "Traceback" not in outputs[pose.args[-1]], outputs  # a worker's frame at Ctrl-C


def test_the_bridge_tells_receivers_each_camera_by_its_frame_id(listener, image_folder):
    sock = udp_listener()
    sock.setblocking(False)
    port = sock.getsockname()[1]
    cameras = CAMERAS[:2]
    sources = (assets.resolve("pose_1_video"), image_folder)
    pose = start(node_command("pose_node", f"cameras:=[{', '.join(cameras)}]"))
    bridge = start(
        node_command("udp_bridge_node", f"cameras:=[{', '.join(cameras)}]", f"port:={port}")
    )
    processes = [pose, bridge, *(start(camera_command(c, s)) for c, s in zip(cameras, sources))]
    frames: dict[str, set[int]] = defaultdict(set)  # frame id -> stamps of its datagrams

    def step() -> None:
        listener.spin()
        while True:
            try:
                header = decode_datagram(sock.recv(65535)).header
            except BlockingIOError:
                return
            frames[header.frame_id].add(header.stamp_sec * 10**9 + header.stamp_nanosec)

    try:
        wait_for(
            lambda: all(len(frames[f"{c}_optical"]) >= 15 for c in cameras),
            "15 frames of each camera from the bridge",
            TIMEOUT_S,
            processes,
            step=step,
        )
        frames = {name: set(stamps) for name, stamps in frames.items()}  # those seen so far

        def posed(camera: str) -> set[int]:
            return {stamp_ns(p) for p in listener.poses[camera]}

        # Each frame id carries that camera's poses, none of the other's (the listener reads
        # every PoseArray, from the first: it catches up with the bridge's datagrams).
        wait_for(
            lambda: all(frames[f"{c}_optical"] <= posed(c) for c in cameras),
            "the datagrams' stamps among the PoseArrays of the camera their frame id names",
            60.0,
            step=listener.spin,
            detail=lambda: f": {[sorted(frames[f'{c}_optical'] - posed(c)) for c in cameras]}",
        )
    finally:
        outputs = {p.args[-1]: stop(p) for p in processes}
        sock.close()
    assert set(frames) == {f"{c}_optical" for c in cameras}, outputs
