"""Run the whole graph as ``make run`` does and time what comes out of the UDP bridge.

The nodes are started with ``runner.commands.graph_commands`` and
``runner.supervisor.Supervisor`` (the very commands ``make run`` and the
launch file use), with a params file that differs from the installed one only
in the camera's ``fps`` and ``loop``. A UDP socket in this process receives
the bridge's datagrams and decodes them; optionally a subscriber in this
process times ``image_raw`` arrivals against their capture stamps, and the
pose node's ``/diagnostics`` (input and output rates, inference time inside
the node) are kept.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from diagnostic_msgs.msg import DiagnosticArray
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node
from rclpy.qos import qos_profile_sensor_data
from sensor_msgs.msg import Image

from pose_estimation_ros.core.wire import WireFormatError, decode_datagram
from pose_estimation_ros.nodes.cdr import header_stamp_ns
from pose_estimation_ros.runner.commands import default_params_file, graph_commands
from pose_estimation_ros.runner.supervisor import Supervisor

_NS_PER_S = 1_000_000_000
POSE_STATUS = "pose_node: pose estimation"


@dataclass
class FrameArrival:
    """One pose frame out of the bridge: arrival (wall clock, s), capture-to-arrival ms, people."""

    arrival_s: float
    latency_ms: float
    people: int


@dataclass
class GraphRun:
    """What one run of the graph produced."""

    frames: list[FrameArrival]
    image_latency_ms: list[float] = field(default_factory=list)
    pose_diagnostics: list[dict[str, str]] = field(default_factory=list)
    exit_codes: dict[str, int] = field(default_factory=dict)
    timed_out: bool = False


class DatagramSink:
    """A UDP socket read by a thread: the first datagram of each frame, decoded on arrival."""

    def __init__(self) -> None:
        """Bind a free loopback port."""
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        self._socket.bind(("127.0.0.1", 0))
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
                    arrival_ns / _NS_PER_S, (arrival_ns - stamp_ns) / 1e6, len(part.frame.people)
                )
            )


class GraphProbe(Node):
    """Listens to the pose node's ``/diagnostics`` and, if asked, times ``image_raw`` arrivals."""

    def __init__(self, probe_images: bool) -> None:
        """Subscribe to /diagnostics; to ``image_raw`` too (best effort, a light extra reader)."""
        super().__init__("bench_probe")
        self.image_latency_ms: list[float] = []
        self.pose_diagnostics: list[dict[str, str]] = []
        self.create_subscription(DiagnosticArray, "/diagnostics", self._on_diagnostics, 10)
        if probe_images:
            self.create_subscription(
                Image, "image_raw", self._on_image, qos_profile_sensor_data, raw=True
            )

    def _on_image(self, serialized: bytes) -> None:
        now_ns = time.time_ns()  # taken raw, as pose_node takes images
        self.image_latency_ms.append((now_ns - header_stamp_ns(serialized, Image)) / 1e6)

    def _on_diagnostics(self, msg: DiagnosticArray) -> None:
        for status in msg.status:
            if status.name == POSE_STATUS:
                self.pose_diagnostics.append({kv.key: kv.value for kv in status.values})


def write_params_file(path: Path, camera: dict[str, Any]) -> Path:
    """Write the installed params file with the camera parameters in ``camera`` replaced."""
    params = yaml.safe_load(default_params_file().read_text())
    params["camera_node"]["ros__parameters"].update(camera)
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


def run_graph(
    model: str,
    source: Path,
    camera: dict[str, Any],
    frames: int,
    log_path: Path,
    probe_images: bool = False,
    timeout_s: float = 180.0,
) -> GraphRun:
    """Run camera, pose and bridge nodes until ``frames`` pose frames arrived (or timeout).

    ``camera`` overrides camera_node parameters (``fps``, ``max_frames_in_flight``); the
    source loops. ``probe_images`` adds a reader of ``image_raw`` in this process, which
    timestamps arrivals but also makes the camera send every frame twice.
    """
    sink = DatagramSink()
    sink.start()
    params = write_params_file(log_path.with_suffix(".params.yaml"), {**camera, "loop": True})
    arguments = {
        "source": str(source),
        "model": model,
        "backend": "openvino",
        "host": "127.0.0.1",
        "port": str(sink.port),
        "params_file": str(params),
    }
    # As ``make run``: the camera starts once its readers are there (the pose node, the probe).
    readers = {"camera_node": {"wait_for_readers": 2 if probe_images else 1}}
    commands = graph_commands(arguments, readers)
    supervisor = Supervisor(commands)
    executor = SingleThreadedExecutor()
    probe = GraphProbe(probe_images)
    executor.add_node(probe)
    threading.Thread(target=executor.spin, daemon=True).start()
    deadline = time.monotonic() + timeout_s
    try:
        with output_to(log_path):
            for name in commands:
                supervisor.start(name)
        while len(sink.frames) < frames and time.monotonic() < deadline:
            if supervisor.exited() is not None:
                break
            time.sleep(0.05)
    finally:
        codes = supervisor.stop()
        sink.close()
        executor.shutdown()
        probe.destroy_node()
    return GraphRun(
        frames=list(sink.frames),
        image_latency_ms=list(probe.image_latency_ms),
        pose_diagnostics=list(probe.pose_diagnostics),
        exit_codes=codes,
        timed_out=len(sink.frames) < frames,
    )
