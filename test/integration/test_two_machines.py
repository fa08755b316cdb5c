"""The graph on "three machines": camera, pose and game hosts as network namespaces on one bridge.

camera_node plays pose_1.mp4 looped at 30 fps on the camera host; pose_node
(MoveNet Lightning, OpenVINO), udp_bridge_node and a recorder run on the pose
host; the Python UDP receiver runs on the game host. Only UDP crosses between
hosts (``pose_estimation_ros.bench.netns``): the camera link's byte counters
must show every frame, every frame must reach the pose node (taken, or replaced
while it was busy: never lost on the way, by its own counts on ``/diagnostics``,
``pose_counts``), and every pose the game host. Environment 5 sends raw frames
over an unshaped link, environment 6 JPEG frames (``image_raw/compressed``)
over a 100 Mbit/s link.

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
from pose_counts import check_every_frame_arrived, published_bounds, settled, totals_of
from processes_util import node_command, script_command, start, stop, wait_for

from pose_estimation_ros.bench import netns
from pose_estimation_ros.core.assets import resolve

UDP_PORT = 4900
PLAY_S = 20.0  # camera_node's run
READY_TIMEOUT_S = 60.0  # pose_node's model loaded, seen from the recorder
SETTLE_TIMEOUT_S = 30.0  # after the camera stops: pose_node's counts stop changing
SETTLE_S = 1.0  # then: the last datagrams arrive
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
        with (self.log_dir / f"{name}.out").open("w") as out, (
            self.log_dir / f"{name}.log"
        ).open("w") as err:
            process = start(host.command(argv), stdout=out, stderr=err)
        self.started[name] = process
        return process

    def output(self, name: str) -> str:
        """Return what process ``name`` printed on stdout so far."""
        return (self.log_dir / f"{name}.out").read_text()

    def log_tail(self, name: str, chars: int = 1500) -> str:
        """Return the end of what process ``name`` wrote on stderr."""
        return (self.log_dir / f"{name}.log").read_text()[-chars:]

    def wait_for(self, condition, what: str, timeout_s: float, tail_of: str) -> None:
        """Wait for ``condition`` while every process not stopped runs; ``tail_of``'s log too."""
        running = [process for process in self.started.values() if process.returncode is None]
        wait_for(
            condition, what, timeout_s, running,
            detail=lambda: f"\n{tail_of}: {self.log_tail(tail_of)}",
        )  # fmt: skip

    def pose_totals(self) -> list[dict[str, int]]:
        """Return pose_node's totals so far, as the recorder printed them."""
        prefix = "diagnostics "
        lines = self.output("recorder").splitlines()
        return [totals_of(json.loads(line[len(prefix):])) for line in lines
                if line.startswith(prefix)]  # fmt: skip

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
    answered: int  # frames with a PoseArray (all of them)
    published: tuple[int, int]  # bounds, first frame with a PoseArray to last (pose_counts)
    pose_totals: dict[str, int]  # pose_node's own counts (pose_counts.TOTALS)
    datagram_frames: int  # of those frames, received by the game host
    not_at_game: list[int]  # stamps of poses the game host should have had
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
            f"latency p50 {p50:.1f} ms p95 {p95:.1f} ms; no pose for frames {self.missing[:20]}; "
            f"{self.published} published (bounds) from the first answered to the last, "
            f"pose_node's counts {self.pose_totals}; "
            f"poses not at the game host {self.not_at_game[:20]}"
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
    processes.wait_for(
        lambda: "ready" in processes.output("recorder"),
        "pose_node's image subscription", READY_TIMEOUT_S, "pose_node",
    )  # fmt: skip
    before = camera.counters()
    processes.start(
        camera, "camera_node",
        node_command("camera_node", f"source:={resolve('pose_1_video')}", "fps:=30.0",
                     "loop:=true", "wait_for_readers:=1", "qos_depth:=60",
                     *environment.camera_params),
    )  # fmt: skip
    end = time.monotonic() + PLAY_S
    processes.wait_for(lambda: time.monotonic() >= end, "the end of the play", 2 * PLAY_S,
                       "camera_node")  # fmt: skip
    assert processes.stop("camera_node") == 0, processes.log_tail("camera_node")
    stopped = len(processes.pose_totals())
    processes.wait_for(
        lambda: settled(processes.pose_totals()[stopped:]),
        "pose_node's counts to settle", SETTLE_TIMEOUT_S, "pose_node",
    )  # fmt: skip
    time.sleep(SETTLE_S)
    crossed = camera.counters() - before
    processes.stop("recorder")
    record = json.loads(processes.output("recorder").splitlines()[-1])
    processes.stop("receiver")
    datagrams = [json.loads(line) for line in processes.output("receiver").splitlines()]
    frames = {stamp for stamp, _ in record["frames"]}
    received = {stamp: receipt for stamp, receipt in record["poses"] if stamp in frames}
    answered = [stamp for stamp, _ in record["poses"]]
    at_game = {d["stamp_sec"] * 1_000_000_000 + d["stamp_nanosec"] for d in datagrams}
    return RunFigures(
        frames=len(frames),
        poses=len(received),
        published=published_bounds(record["frames"], answered) if answered else (0, 0),
        pose_totals=processes.pose_totals()[-1],
        answered=len(set(answered)),
        datagram_frames=len(at_game & frames),
        not_at_game=not_at_game(answered, at_game),
        camera_fps=(len(frames) - 1) * 1e9 / (max(frames) - min(frames)) if frames else 0.0,
        camera_tx_bytes=crossed.tx_bytes,
        latency_ms=np.array([(r - s) / 1e6 for s, r in received.items()]),
        missing=[i for i, stamp in enumerate(sorted(frames)) if stamp not in received],
    )


def not_at_game(answered: list[int], at_game: set[int]) -> list[int]:
    """Stamps of the poses from the first the game host got on that it did not get.

    The bridge's reader may match the pose node's writer after the first poses: those
    were never sent. All poses when none arrived.
    """
    if not at_game:
        return sorted(set(answered))
    return sorted(stamp for stamp in set(answered) - at_game if stamp >= min(at_game))


def check(figures: RunFigures, min_frame_bytes: int) -> None:
    """Assert every frame reached pose_node, every pose the game host, over the camera veth."""
    print(figures)
    assert figures.frames >= MIN_FRAMES, f"camera published too few frames: {figures}"
    check_every_frame_arrived(
        figures.pose_totals, figures.published, figures.answered, str(figures)
    )
    assert figures.datagram_frames and not figures.not_at_game, str(figures)
    assert figures.camera_tx_bytes >= min_frame_bytes * figures.frames, (
        f"frames did not cross the camera link as UDP: {figures}"
    )


def test_raw_frames_between_namespaces(lan, processes, ros_domain_id) -> None:
    """Environment 5: 576x576 bgr8 frames (995 kB) cross an unshaped veth, none lost."""
    check(run_graph(lan, processes, RAW_UNSHAPED), min_frame_bytes=576 * 576 * 3)


def test_jpeg_frames_over_100_mbit(lan, processes, ros_domain_id) -> None:
    """Environment 6: JPEG frames over a 100 Mbit/s camera link, none lost."""
    check(run_graph(lan, processes, JPEG_100MBIT), min_frame_bytes=10_000)
