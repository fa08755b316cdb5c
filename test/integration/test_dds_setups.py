"""Every frame reaches the pose node in the DDS set-ups ROS users have (issue 11).

camera_node plays pose_1.mp4 looped at 30 fps for 20 s, pose_node runs MoveNet
Lightning on OpenVINO (both the installed executables, as separate processes
over Fast DDS), and the test process records ``camera_info`` (one per frame
published, with the frame's stamp), ``poses`` and the pose node's
``/diagnostics`` reliably. Every frame published from the first one the pose
node answered to the last must reach it: taken (and answered), or replaced
while it was busy (by design: how many depends on the machine's load), never
lost on the way; in the pose node's own counts (from the gaps in the images'
sequence numbers), ``received + dropped`` is the frames published
(``pose_counts``) and ``lost`` is 0. Set-ups: nothing set; localhost-only discovery (the
Jazzy/Kilted variable and the older one); a user's own Fast DDS profile, which
must be the one used; and the first two with one core kept busy by an
unrelated process.

Two cases check the split of the frames never taken itself: a pose node
stopped for moments (SIGSTOP, as a starved CPU would) finds the frames of
those moments replaced in its queue, dropped and not lost; with the
shared-memory segment a user's setting leaves too small, frames are lost on
the way and counted so.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import pytest
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from rclpy.subscription import MessageInfo
from diagnostic_msgs.msg import DiagnosticArray
from sensor_msgs.msg import CameraInfo

from fastdds_profiles import SMALL_BUFFERS_PROFILE, user_profile
from pose_counts import (
    STATUS_NAME,
    check_every_frame_arrived,
    published_bounds,
    settled,
    totals_of,
)
from processes_util import node_command, start, stop, wait_for

from pose_estimation_ros.core.assets import resolve
from pose_estimation_ros.msg import PoseArray
from pose_estimation_ros.nodes.conversions import stamp_ns
from pose_estimation_ros.nodes.transport import (
    BUILTIN_TRANSPORTS_VARIABLE,
    LEGACY_PROFILES_VARIABLE,
    PROFILES_VARIABLE,
)

pytestmark = pytest.mark.slow

PLAY_S = 20.0
START_TIMEOUT_S = 120.0
SETTLE_TIMEOUT_S = 30.0  # after the camera stopped: the pose node's counts stop changing
USER_SEGMENT_BYTES = 24 * 2**20  # the user profile's segment: not the package's 16 MB

LOCALHOST = {"ROS_AUTOMATIC_DISCOVERY_RANGE": "LOCALHOST"}
SETUPS = {
    "nothing_set": {},
    "localhost_discovery": LOCALHOST,
    "localhost_only": {"ROS_LOCALHOST_ONLY": "1"},
}

USER_PROFILE = user_profile(USER_SEGMENT_BYTES, 8 * 2**20)

STOP_S = 0.2  # the pose node stopped this long: 6 frames at 30 fps, half the camera's segment
STOP_EVERY_S = 2.0


def node(executable: str, log: Path, *parameters: str) -> subprocess.Popen:
    """Start an installed node with config/params.yaml and overrides, its output in ``log``."""
    return start(node_command(executable, *parameters), log)


class StampRecorder:
    """Stamps of the frames published and of the PoseArrays, and the pose node's totals."""

    def __init__(self, context) -> None:  # noqa: D107
        import rclpy
        from rclpy.executors import SingleThreadedExecutor

        self.node = rclpy.create_node("dds_setup_recorder", context=context)
        reliable = QoSProfile(depth=2000, reliability=ReliabilityPolicy.RELIABLE)
        self.frames: list[tuple[int, int]] = []  # (stamp, publication sequence number)
        self.poses: list[int] = []
        self.node.create_subscription(CameraInfo, "camera_info", self._on_info, reliable)
        # As the pose node publishes them (transient local): none missed while matching.
        poses_qos = QoSProfile(
            depth=2000,
            reliability=ReliabilityPolicy.RELIABLE,
            durability=DurabilityPolicy.TRANSIENT_LOCAL,
        )
        self.node.create_subscription(
            PoseArray, "poses", lambda m: self.poses.append(stamp_ns(m)), poses_qos
        )
        self.diagnostics: dict[str, str] = {}  # the pose node's last
        self.totals: list[dict[str, int]] = []  # the pose node's (pose_counts.TOTALS)
        self.node.create_subscription(
            DiagnosticArray, "/diagnostics", self._on_diagnostics, reliable
        )
        self.executor = SingleThreadedExecutor(context=context)
        self.executor.add_node(self.node)

    def _on_info(self, msg: CameraInfo, info: MessageInfo) -> None:
        self.frames.append((stamp_ns(msg), info["publication_sequence_number"]))

    def _on_diagnostics(self, msg: DiagnosticArray) -> None:
        pose_statuses = [s for s in msg.status if s.name == STATUS_NAME]
        if pose_statuses:  # camera_node publishes its own too
            self.diagnostics = {v.key: v.value for v in pose_statuses[0].values}
            self.totals.append(totals_of(self.diagnostics))

    def spin_for(self, seconds: float, alive: list[subprocess.Popen]) -> None:
        """Spin for ``seconds``; fail if a process in ``alive`` exits meanwhile."""
        end = time.monotonic() + seconds
        done = f"the end of {seconds:g} s"
        wait_for(lambda: time.monotonic() >= end, done, seconds + 60, alive, self._spin)

    def spin_until_poses(self, alive: list[subprocess.Popen]) -> None:
        """Spin until the first PoseArray (the pose node is active and matched)."""
        wait_for(lambda: self.poses, "a first PoseArray", START_TIMEOUT_S, alive, self._spin)

    def spin_until_settled(self, alive: list[subprocess.Popen]) -> None:
        """Spin until the pose node's totals stop changing (two diagnostics from now on)."""
        self.totals.clear()
        what = "the pose node's counts to settle"
        wait_for(lambda: settled(self.totals), what, SETTLE_TIMEOUT_S, alive, self._spin)

    def _spin(self) -> None:
        self.executor.spin_once(timeout_sec=0.05)

    def close(self) -> None:
        """Stop spinning and destroy the node."""
        self.executor.shutdown()
        self.node.destroy_node()


@pytest.fixture
def user_environment(monkeypatch: pytest.MonkeyPatch):
    """Apply a user's environment (before the test's ROS context is created)."""
    for name in (
        PROFILES_VARIABLE,
        LEGACY_PROFILES_VARIABLE,
        BUILTIN_TRANSPORTS_VARIABLE,
        "ROS_AUTOMATIC_DISCOVERY_RANGE",
        "ROS_LOCALHOST_ONLY",
    ):
        monkeypatch.delenv(name, raising=False)

    def apply(variables: dict[str, str]) -> None:
        for name, value in variables.items():
            monkeypatch.setenv(name, value)

    return apply


@pytest.fixture
def busy_core() -> Iterator[None]:
    """Keep one core busy with an unrelated process, as on a robot's computer."""
    spinner = subprocess.Popen(["yes"], stdout=subprocess.DEVNULL)
    try:
        yield
    finally:
        spinner.kill()
        spinner.wait()


@dataclass
class Run:
    """What became of the frames, and camera_node's shared-memory segments."""

    published: tuple[int, int]  # bounds, first answered frame to last (pose_counts)
    answered: int  # frames with a PoseArray
    totals: dict[str, int]  # the pose node's own counts (pose_counts.TOTALS)
    camera_segments: list[int]
    pose_node_diagnostics: dict[str, str]  # its last status's values, shown on failure


def play_and_count(
    tmp_path: Path,
    while_playing: Callable[[subprocess.Popen], AbstractContextManager] = nullcontext,
) -> Run:
    """Play pose_1.mp4 at 30 fps for ``PLAY_S`` into pose_node and count what became of it.

    The ROS context is created here, after the test set the user's environment;
    ``while_playing(pose_node)`` is entered for the ``PLAY_S`` counted.
    """
    import rclpy

    context = rclpy.Context()
    rclpy.init(context=context, domain_id=int(os.environ["ROS_DOMAIN_ID"]))
    recorder = StampRecorder(context)
    pose = node("pose_node", tmp_path / "pose_node.log", "model:=movenet_lightning")
    camera = node(
        "camera_node",
        tmp_path / "camera_node.log",
        f"source:={resolve('pose_1_video')}",
        "fps:=30.0",
        "loop:=true",
        "wait_for_readers:=1",
    )
    try:
        recorder.spin_until_poses([pose, camera])
        segments = shared_memory_segments(camera.pid)
        with while_playing(pose):
            recorder.spin_for(PLAY_S, [pose, camera])
        stop(camera)
        recorder.spin_until_settled([pose])  # the last frames' PoseArrays and counts
        run = Run(
            published_bounds(recorder.frames, recorder.poses),
            len(set(recorder.poses)),
            recorder.totals[-1],
            segments,
            recorder.diagnostics,
        )
        print(f"{run.answered} answered of {run.published} published; pose_node's {run.totals}")
        return run
    finally:
        stop(camera)
        stop(pose)
        recorder.close()
        rclpy.try_shutdown(context=context)


@contextmanager
def stopped_now_and_then(process: subprocess.Popen) -> Iterator[None]:
    """Stop ``process`` (SIGSTOP) for ``STOP_S`` every ``STOP_EVERY_S`` until the block ends."""
    done = threading.Event()

    def stop_and_continue() -> None:
        while not done.wait(STOP_EVERY_S):
            os.kill(process.pid, signal.SIGSTOP)
            try:
                time.sleep(STOP_S)
            finally:
                os.kill(process.pid, signal.SIGCONT)

    thread = threading.Thread(target=stop_and_continue)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def shared_memory_segments(pid: int) -> list[int]:
    """Sizes of the Fast DDS shared-memory segments (not ports) a process has mapped."""
    paths = {
        line.split()[-1]
        for line in Path(f"/proc/{pid}/maps").read_text().splitlines()
        if "/dev/shm/fastdds_" in line and "fastdds_port" not in line
    }
    return [os.stat(path).st_size for path in paths if os.path.exists(path)]


def assert_every_frame_arrived(run: Run, tmp_path: Path) -> None:
    """Every frame reached the pose node, none lost; every one it took answered and received."""
    logs = "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in tmp_path.glob("*.log"))
    why = f"{run}\n{logs}"
    # Enough frames for the counts to mean something; the camera's pace (30 fps, fewer on a
    # busy machine) is not what is tested here.
    assert run.published[0] >= 100, f"only {run.published} frames published; {why}"
    check_every_frame_arrived(run.totals, run.published, run.answered, why)


@pytest.mark.parametrize("setup", list(SETUPS))
def test_every_frame_reaches_the_pose_node(setup, user_environment, ros_domain_id, tmp_path):
    user_environment(SETUPS[setup])
    _run_and_check(tmp_path)


@pytest.mark.parametrize("setup", ["nothing_set", "localhost_discovery"])
def test_every_frame_reaches_the_pose_node_with_a_core_kept_busy(
    setup, user_environment, busy_core, ros_domain_id, tmp_path
):
    user_environment(SETUPS[setup])
    _run_and_check(tmp_path)


@pytest.mark.parametrize("variable", [PROFILES_VARIABLE, LEGACY_PROFILES_VARIABLE])
def test_a_users_fastdds_profile_is_the_one_used(
    variable, user_environment, ros_domain_id, tmp_path
):
    profile = tmp_path / "robot_profile.xml"
    profile.write_text(USER_PROFILE)
    user_environment({variable: str(profile), **LOCALHOST})
    segments = _run_and_check(tmp_path)
    assert max(segments) >= USER_SEGMENT_BYTES, f"camera_node's segments: {segments}"


def test_a_users_profile_that_cannot_carry_frames_is_kept_with_a_warning(
    user_environment, ros_domain_id, tmp_path
):
    profile = tmp_path / "small_profile.xml"
    profile.write_text(SMALL_BUFFERS_PROFILE)
    user_environment({PROFILES_VARIABLE: str(profile)})
    log = tmp_path / "camera_node.log"
    camera = node("camera_node", log, f"source:={resolve('pose_1_video')}", "fps:=30.0")
    try:
        camera.wait(timeout=60)
    finally:
        stop(camera)
    text = log.read_text()
    assert f"Fast DDS profile {profile} gives its shared-memory segment 64 kB" in text, text
    assert "fastdds_large_frames.xml" in text  # says what to change
    assert camera.returncode == 0, text


def test_frames_replaced_while_the_pose_node_was_stopped_are_dropped_not_lost(
    user_environment, ros_domain_id, tmp_path
):
    # A starved CPU, made certain: each stop leaves 6 frames for the node's depth-2 queue, all
    # delivered when it runs again, most of them replaced there before it takes one.
    user_environment({})
    run = play_and_count(tmp_path, stopped_now_and_then)
    assert_every_frame_arrived(run, tmp_path)
    stops = int(PLAY_S / STOP_EVERY_S) - 1
    assert run.totals["dropped"] >= 2 * stops, run  # each stop's frames, most of them


def test_frames_lost_on_the_way_are_counted_lost(user_environment, ros_domain_id, tmp_path):
    # The built-in transports variable, which rmw_fastrtps ignores with localhost discovery,
    # is the user's own set-up: kept (with a warning), so the segment is Fast DDS's 512 kB.
    user_environment({BUILTIN_TRANSPORTS_VARIABLE: "DEFAULT", **LOCALHOST})
    run = play_and_count(tmp_path)
    totals, (at_least, at_most) = run.totals, run.published
    assert totals["lost"] > at_least // 10, run  # most frames, on this machine
    assert at_least <= totals["received"] + totals["dropped"] + totals["lost"] <= at_most, run


def _run_and_check(tmp_path: Path) -> list[int]:
    """Play, count, assert; return the sizes of camera_node's shared-memory segments."""
    run = play_and_count(tmp_path)
    assert_every_frame_arrived(run, tmp_path)
    return run.camera_segments
