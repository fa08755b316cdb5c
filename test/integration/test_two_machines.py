"""The graph on "three machines": camera, pose and game hosts as network namespaces on one bridge.

camera_node plays pose_1.mp4 looped at 30 fps on the camera host; pose_node
(MoveNet Lightning, OpenVINO), udp_bridge_node and a recorder run on the pose
host; the Python UDP receiver runs on the game host. Only UDP crosses between
hosts (``pose_estimation_ros.bench.netns``): the camera link's byte counters
must show every frame. Environment 5 sends raw frames over an unshaped link,
environment 6 JPEG frames (``image_raw/compressed``) over a 100 Mbit/s link.

Needs root (network namespaces): skipped otherwise, failed instead when ``CI``
is set. The figures (frames, poses, bytes per frame, latency) are printed.
"""

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from processes_util import UNBUFFERED, node_command, script_command, stop

from pose_estimation_ros.bench import netns
from pose_estimation_ros.core.assets import resolve

UDP_PORT = 4900
PLAY_S = 20.0  # camera_node's run
READY_TIMEOUT_S = 60.0  # pose_node's model loaded, seen from the recorder
SETTLE_S = 2.0  # after the camera stops: the last poses and datagrams arrive
MIN_POSE_RATIO = 0.99
MIN_FRAMES = 15 * PLAY_S  # half the camera's 30 fps: it ran (its pace is reported, not tested)

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Environment:
    """How frames cross from the camera host to the pose host."""

    name: str
    image_topic: str
    pose_params: tuple[str, ...] = ()
    camera_params: tuple[str, ...] = ()
    camera_rate: str = ""  # tc rate of the camera host's link; "": unshaped


RAW_UNSHAPED = Environment("5: raw frames, unshaped veth", "image_raw")
JPEG_100MBIT = Environment(
    "6: JPEG frames, 100 Mbit/s",
    "image_raw/compressed",
    pose_params=("image_transport:=compressed",),
    camera_rate="100mbit",
)


@pytest.fixture
def lan():
    """Give camera, pose and game hosts on one bridge; skip without root (fail under CI)."""
    ok, why = netns.available()
    if not ok:
        if os.environ.get("CI"):
            pytest.fail(f"network namespaces unavailable under CI: {why}")
        pytest.skip(f"network namespaces unavailable: {why}")
    netns.remove_leftovers()
    with netns.Lan.create() as hosts:
        yield hosts


class Processes:
    """Processes started on the LAN's hosts, each logging to its own files, stopped at the end."""

    def __init__(self, log_dir: Path) -> None:  # noqa: D107
        self.log_dir = log_dir
        self.started: dict[str, subprocess.Popen] = {}

    def start(self, host: netns.Host, name: str, argv: list[str]) -> subprocess.Popen:
        """Start ``argv`` on ``host``; stdout to ``<name>.out``, stderr to ``<name>.log``."""
        env = dict(os.environ, **UNBUFFERED)
        with (self.log_dir / f"{name}.out").open("w") as out, (
            self.log_dir / f"{name}.log"
        ).open("w") as err:
            process = subprocess.Popen(host.command(argv), stdout=out, stderr=err, env=env)
        self.started[name] = process
        return process

    def output(self, name: str) -> str:
        """Return what process ``name`` printed on stdout so far."""
        return (self.log_dir / f"{name}.out").read_text()

    def log_tail(self, name: str, chars: int = 1500) -> str:
        """Return the end of what process ``name`` wrote on stderr."""
        return (self.log_dir / f"{name}.log").read_text()[-chars:]

    def check_alive(self) -> None:
        """Fail if a started process has exited."""
        for name, process in self.started.items():
            code = process.poll()
            assert code is None, f"{name} exited with {code}: {self.log_tail(name)}"

    def stop(self, name: str, timeout: float = 20.0) -> int:
        """Interrupt process ``name`` (as Ctrl-C would) and wait; its exit code."""
        process = self.started[name]
        stop(process, timeout)
        return process.returncode

    def stop_all(self) -> None:
        """Stop every process still running."""
        for name in self.started:
            self.stop(name)


@pytest.fixture
def processes(lan, tmp_path):
    """Give processes on ``lan``, stopped before its namespaces are removed."""
    started = Processes(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()


@dataclass
class RunFigures:
    """What one run measured."""

    frames: int  # published after pose_node was active (camera_info received)
    poses: int  # of those frames, with a PoseArray
    datagram_frames: int  # of those frames, received by the game host
    camera_fps: float  # frames over the span of their stamps
    camera_tx_bytes: int
    latency_ms: np.ndarray  # PoseArray receipt minus frame stamp
    missing: list[int]  # indices (in stamp order) of the frames without a PoseArray

    @property
    def ratio(self) -> float:
        """Return the frames with a pose over the frames published."""
        return self.poses / self.frames if self.frames else 0.0

    def __str__(self) -> str:
        """One line for the test log."""
        p50, p95 = np.percentile(self.latency_ms, [50, 95]) if len(self.latency_ms) else (0, 0)
        return (
            f"frames {self.frames}, poses {self.poses} ({100 * self.ratio:.2f} %), "
            f"game host frames {self.datagram_frames}, camera {self.camera_fps:.1f} fps, "
            f"camera link "
            f"{self.camera_tx_bytes / max(self.frames, 1):,.0f} B/frame, "
            f"latency p50 {p50:.1f} ms p95 {p95:.1f} ms; no pose for frames {self.missing[:20]}"
        )


def run_graph(lan: netns.Lan, processes: Processes, environment: Environment) -> RunFigures:
    """Run the three hosts' processes for ``PLAY_S`` seconds; what crossed."""
    camera, pose, game = lan["camera"], lan["pose"], lan["game"]
    if environment.camera_rate:
        lan.shape("camera", environment.camera_rate)
    processes.start(
        game, "receiver",
        [sys.executable, "-m", "pose_estimation_ros.udp_receiver", "--port", str(UDP_PORT),
         "--address", game.address, "--sender", pose.address, "--json"],
    )  # fmt: skip  (the game host's own address, as a user on another machine must give it)
    processes.start(pose, "recorder", script_command("record_frames.py", environment.image_topic))
    processes.start(
        pose, "udp_bridge_node",
        node_command("udp_bridge_node", f"host:={game.address}", f"port:={UDP_PORT}"),
    )  # fmt: skip
    processes.start(
        pose, "pose_node",
        node_command("pose_node", "model:=movenet_lightning", "backend:=openvino",
                     *environment.pose_params),
    )  # fmt: skip
    deadline = time.monotonic() + READY_TIMEOUT_S
    while "ready" not in processes.output("recorder"):
        assert time.monotonic() < deadline, processes.log_tail("pose_node")
        processes.check_alive()
        time.sleep(0.1)
    before = camera.counters()
    processes.start(
        camera, "camera_node",
        node_command("camera_node", f"source:={resolve('pose_1_video')}", "fps:=30.0",
                     "loop:=true", "wait_for_readers:=1", "qos_depth:=60",
                     *environment.camera_params),
    )  # fmt: skip
    time.sleep(PLAY_S)
    processes.check_alive()
    assert processes.stop("camera_node") == 0, processes.log_tail("camera_node")
    time.sleep(SETTLE_S)
    crossed = camera.counters() - before
    processes.stop("recorder")
    record = json.loads(processes.output("recorder").splitlines()[-1])
    processes.stop("receiver")
    datagrams = [json.loads(line) for line in processes.output("receiver").splitlines()]
    frames = set(record["frames"])
    received = {stamp: receipt for stamp, receipt in record["poses"] if stamp in frames}
    at_game = {d["stamp_sec"] * 1_000_000_000 + d["stamp_nanosec"] for d in datagrams}
    return RunFigures(
        frames=len(frames),
        poses=len(received),
        datagram_frames=len(at_game & frames),
        camera_fps=(len(frames) - 1) * 1e9 / (max(frames) - min(frames)) if frames else 0.0,
        camera_tx_bytes=crossed.tx_bytes,
        latency_ms=np.array([(r - s) / 1e6 for s, r in received.items()]),
        missing=[i for i, stamp in enumerate(sorted(frames)) if stamp not in received],
    )


def check(figures: RunFigures, min_frame_bytes: int) -> None:
    """Assert poses for nearly every frame, at the game host, sent over the camera veth."""
    print(figures)
    assert figures.frames >= MIN_FRAMES, f"camera published too few frames: {figures}"
    assert figures.ratio >= MIN_POSE_RATIO, str(figures)
    assert figures.datagram_frames >= MIN_POSE_RATIO * figures.poses, str(figures)
    assert figures.camera_tx_bytes >= min_frame_bytes * figures.frames, (
        f"frames did not cross the camera link as UDP: {figures}"
    )


def test_raw_frames_between_namespaces(lan, processes, ros_domain_id) -> None:
    """Environment 5: 576x576 bgr8 frames (995 kB) cross an unshaped veth, every one posed."""
    check(run_graph(lan, processes, RAW_UNSHAPED), min_frame_bytes=576 * 576 * 3)


def test_jpeg_frames_over_100_mbit(lan, processes, ros_domain_id) -> None:
    """Environment 6: JPEG frames over a 100 Mbit/s camera link, every one posed."""
    check(run_graph(lan, processes, JPEG_100MBIT), min_frame_bytes=10_000)
