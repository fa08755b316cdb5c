"""Run the whole graph as ``make run`` does and time what comes out of the UDP bridge.

The nodes are started with ``runner.commands.graph_commands`` and
``runner.supervisor.Supervisor`` (the very commands ``make run`` and the
launch file use), with a params file that differs from the installed one only
in the camera's ``fps`` and ``loop`` and what a run overrides (the pose node's
``threads``). A UDP socket in this process receives the bridge's datagrams and
decodes them; optionally a subscriber in this process times ``image_raw``
arrivals against their capture stamps, and the pose node's ``/diagnostics``
(input and output rates, inference time inside the node) are kept for the
table.

Whether a run lost frames is decided from messages counted here, not from the
nodes' reports: the stamps of every ``camera_info`` (one per frame published),
every ``PoseArray`` on ``poses`` (one per frame answered) and every frame of
datagrams (``bench.frame_account``). A run ends when its frame count came out,
or as soon as it has lost more than its rule allows, or when nothing came out
for ``STALL_S``, or at its timeout; whichever, its account says so.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from diagnostic_msgs.msg import DiagnosticArray
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node
from rclpy.qos import HistoryPolicy, QoSProfile, ReliabilityPolicy, qos_profile_sensor_data
from sensor_msgs.msg import CameraInfo, Image

from pose_estimation_ros import graph
from pose_estimation_ros.bench.frame_account import FrameAccount, LossRule, account, hopeless
from pose_estimation_ros.core import topics
from pose_estimation_ros.core.wire import WireFormatError, decode_datagram
from pose_estimation_ros.msg import PoseArray
from pose_estimation_ros.nodes.raw_cdr import header_stamp_ns
from pose_estimation_ros.nodes.node_status import status_name
from pose_estimation_ros.nodes.pose_diagnostics import ROLE as POSE_ROLE
from pose_estimation_ros.params_file import block_key
from pose_estimation_ros.runner.commands import default_params_file, graph_commands
from pose_estimation_ros.runner.supervisor import Supervisor

_NS_PER_S = 1_000_000_000
# The graph runs without a namespace: the pose node's fully qualified name is ``/<name>``.
POSE_STATUS = status_name(f"/{graph.POSE}", POSE_ROLE)
STALL_S = 10.0  # nothing out of the bridge this long while the camera publishes: stalled
START_S = 90.0  # the first frame must come out within this (models load, OpenVINO compiles)
CHECK_PERIOD_S = 0.5  # how often a running run is checked for losses
# Reliable and deep: a reader that counts must not lose what it counts (messages of ~0.5 kB).
COUNTING_QOS = QoSProfile(
    history=HistoryPolicy.KEEP_LAST, depth=1000, reliability=ReliabilityPolicy.RELIABLE
)


@dataclass
class FrameArrival:
    """One pose frame out of the bridge: arrival (wall clock, s), capture-to-arrival ms, people."""

    arrival_s: float
    latency_ms: float
    people: int
    stamp_ns: int = 0


@dataclass
class GraphRun:
    """What one run of the graph produced."""

    frames: list[FrameArrival]
    account: FrameAccount
    image_latency_ms: list[float] = field(default_factory=list)
    image_account: FrameAccount | None = None  # the image_raw reader's, when there is one
    pose_diagnostics: list[dict[str, str]] = field(default_factory=list)
    exit_codes: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the run delivered what its rule asks (and its image reader, if any)."""
        return self.account.ok and (self.image_account is None or self.image_account.ok)

    def loss_reports(self) -> list[str]:
        """Say what the run lost, one line per output that fell short (none when ``ok``)."""
        lines = [] if self.account.ok else [f"bridge output: {self.account.report()}"]
        if self.image_account is not None and not self.image_account.ok:
            lines.append(f"image_raw reader: {self.image_account.report()}")
        return lines


class DatagramSink:
    """A UDP socket read by a thread: the first datagram of each frame, decoded on arrival."""

    def __init__(self, address: tuple[str, int] = ("127.0.0.1", 0)) -> None:
        """Bind ``address`` (a free loopback port by default)."""
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        self._socket.bind(address)
        self._socket.settimeout(0.2)
        self._seen: set[tuple[int, int]] = set()
        self.frames: list[FrameArrival] = []
        self.malformed = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._receive, daemon=True)

    @property
    def port(self) -> int:
        """The bound UDP port."""
        return self._socket.getsockname()[1]

    def start(self) -> None:
        """Start receiving."""
        self._thread.start()

    def close(self) -> None:
        """Stop receiving and close the socket."""
        self._stop.set()
        self._thread.join()
        self._socket.close()

    def _receive(self) -> None:
        while not self._stop.is_set():
            try:
                data = self._socket.recv(65535)
            except TimeoutError:
                continue
            arrival_ns = time.time_ns()
            try:
                part = decode_datagram(data)
            except WireFormatError:
                self.malformed += 1
                continue
            header = part.header
            if (header.stream, header.sequence) in self._seen:
                continue
            self._seen.add((header.stream, header.sequence))
            stamp_ns = header.stamp_sec * _NS_PER_S + header.stamp_nanosec
            self.frames.append(
                FrameArrival(
                    arrival_ns / _NS_PER_S,
                    (arrival_ns - stamp_ns) / 1e6,
                    len(part.frame.people),
                    stamp_ns,
                )
            )


class GraphProbe(Node):
    """Counts frames published (``camera_info``) and answered (``poses``) by their stamps.

    Also keeps the pose node's ``/diagnostics`` and, if asked, times ``image_raw`` arrivals.
    """

    def __init__(self, probe_images: bool) -> None:
        """Subscribe to camera_info, poses, /diagnostics; to ``image_raw`` too if asked."""
        super().__init__("bench_probe")
        self.published: list[int] = []
        self.posed: list[int] = []
        self.image_stamps: list[int] = []
        self.image_latency_ms: list[float] = []
        self.pose_diagnostics: list[dict[str, str]] = []
        self.create_subscription(
            CameraInfo, "camera_info", self._stamp_of(self.published, CameraInfo), COUNTING_QOS,
            raw=True,
        )  # fmt: skip
        self.create_subscription(
            PoseArray, "poses", self._stamp_of(self.posed, PoseArray), COUNTING_QOS, raw=True
        )
        self.create_subscription(DiagnosticArray, topics.DIAGNOSTICS, self._on_diagnostics, 10)
        if probe_images:  # best effort, as the pose node reads images
            self.create_subscription(
                Image, "image_raw", self._on_image, qos_profile_sensor_data, raw=True
            )

    @staticmethod
    def _stamp_of(stamps: list[int], msg_type: Any) -> Callable[[bytes], None]:
        return lambda serialized: stamps.append(header_stamp_ns(serialized, msg_type))

    def _on_image(self, serialized: bytes) -> None:
        now_ns = time.time_ns()  # taken raw, as pose_node takes images
        stamp_ns = header_stamp_ns(serialized, Image)
        self.image_stamps.append(stamp_ns)
        self.image_latency_ms.append((now_ns - stamp_ns) / 1e6)

    def _on_diagnostics(self, msg: DiagnosticArray) -> None:
        for status in msg.status:
            if status.name == POSE_STATUS:
                self.pose_diagnostics.append({kv.key: kv.value for kv in status.values})


def write_params_file(
    path: Path, camera: dict[str, Any], pose: dict[str, Any] | None = None
) -> Path:
    """Write the installed params file with the parameters in ``camera`` and ``pose`` replaced."""
    params = yaml.safe_load(default_params_file().read_text())
    params[block_key(graph.CAMERA)]["ros__parameters"].update(camera)
    params[block_key(graph.POSE)]["ros__parameters"].update(pose or {})
    path.write_text(yaml.safe_dump(params, sort_keys=False))
    return path


@contextmanager
def output_to(log_path: Path) -> Iterator[None]:
    """Point this process's stdout and stderr at ``log_path`` (inherited by children started)."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    with open(log_path, "ab") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)


class Watcher:
    """A datagram sink and a ``GraphProbe`` on its own executor: what a run watches."""

    def __init__(
        self, probe_images: bool = False, address: tuple[str, int] = ("127.0.0.1", 0)
    ) -> None:
        """Bind the sink at ``address`` and subscribe; call ``close`` when done."""
        self.sink = DatagramSink(address)
        self.sink.start()
        self.probe = GraphProbe(probe_images)
        self._probe_images = probe_images
        self._executor = SingleThreadedExecutor()
        self._executor.add_node(self.probe)
        threading.Thread(target=self._executor.spin, daemon=True).start()

    def stamps(self) -> dict[str, list[int]]:
        """Stamps seen so far: published, posed, delivered (and images, with an image reader)."""
        seen = {
            "published": list(self.probe.published),
            "posed": list(self.probe.posed),
            "delivered": [f.stamp_ns for f in list(self.sink.frames)],
        }
        if self._probe_images:
            seen["images"] = list(self.probe.image_stamps)
        return seen

    def wait(
        self,
        frames: int,
        rule: LossRule,
        warmup: int,
        timeout_s: float,
        ended: Callable[[], str] = lambda: "",
    ) -> str:
        """Wait until ``frames`` frames came out; return why it stopped earlier ("" if it did not).

        It stops at once when ``ended()`` says a process ended, when the run has
        already lost more than ``rule`` allows, when nothing new came out for
        ``STALL_S`` while the camera publishes (or nothing at all within
        ``START_S``), or at ``timeout_s``.
        """
        started = time.monotonic()
        deadline, checked = started + timeout_s, 0.0
        progress, out = started, 0
        while True:
            now = time.monotonic()
            count = len(self.sink.frames)
            if count >= frames:
                return ""
            if count > out or (not out and not self.probe.published):
                progress, out = now, count  # before the first frame: starting, not stalled
            why = ended()
            if why:
                return why
            if now >= deadline:
                return f"timed out after {timeout_s:g} s"
            if not out and now - started >= START_S:
                return f"no pose frame within {START_S:g} s of the start"
            if out and now - progress >= STALL_S:
                return f"no pose frame for {STALL_S:g} s"
            if now - checked >= CHECK_PERIOD_S:
                checked = now
                target = frames - warmup
                if hopeless(rule, self.stamps(), warmup, target):
                    return f"lost more than {rule.describe()} allows"
            time.sleep(0.05)

    def close(self) -> None:
        """Stop the sink and the probe."""
        self.sink.close()
        self._executor.shutdown()
        self.probe.destroy_node()


def run_graph(
    model: str,
    source: Path,
    camera: dict[str, Any],
    frames: int,
    log_path: Path,
    rule: LossRule,
    warmup: int,
    probe_images: bool = False,
    timeout_s: float = 180.0,
    pose: dict[str, Any] | None = None,
) -> GraphRun:
    """Run camera, pose and bridge nodes until ``frames`` pose frames arrived, or not.

    ``camera`` overrides camera_node parameters (``fps``, ``max_frames_in_flight``), ``pose``
    pose_node ones (``threads``); the source loops. ``probe_images`` adds a reader of
    ``image_raw`` in this process, which timestamps arrivals but also makes the camera
    send every frame twice. ``rule`` and
    ``warmup`` decide whether frames were lost (``frame_account``); a run that loses more
    than ``rule`` allows is stopped there.
    """
    watcher = Watcher(probe_images)
    params = write_params_file(
        log_path.with_suffix(".params.yaml"), {**camera, "loop": True}, pose
    )
    arguments = {
        "source": str(source),
        "model": model,
        "backend": "openvino",
        "host": "127.0.0.1",
        "port": str(watcher.sink.port),
        "params_file": str(params),
    }
    # As ``make run``: the camera starts once its readers are there (the pose node, the probe).
    readers = {graph.CAMERA: {"wait_for_readers": 2 if probe_images else 1}}
    commands = graph_commands(arguments, readers)
    supervisor = Supervisor(commands)
    try:
        with output_to(log_path):
            for name in commands:
                supervisor.start(name)
        stop = watcher.wait(frames, rule, warmup, timeout_s, lambda: exit_reason(supervisor))
    finally:
        codes = supervisor.stop()
        watcher.close()
    stamps, probe = watcher.stamps(), watcher.probe
    complete = not stop
    image_account = None
    if probe_images:
        image_account = account(rule, stamps, warmup, complete, stop, delivered_key="images")
    return GraphRun(
        frames=list(watcher.sink.frames),
        account=account(rule, stamps, warmup, complete, stop),
        image_latency_ms=list(probe.image_latency_ms),
        image_account=image_account,
        pose_diagnostics=list(probe.pose_diagnostics),
        exit_codes=codes,
    )


def paced_timeout_s(frames: int, fps: float) -> float:
    """Bound of a run whose camera publishes ``fps``: start-up, then twice its frames' time."""
    return 60.0 + 2.0 * frames / fps


def exit_reason(supervisor: Supervisor) -> str:
    """Which node ended, in words ("" while all run)."""
    ended = supervisor.exited()
    return f"{ended.name} exited with code {ended.code}" if ended else ""
