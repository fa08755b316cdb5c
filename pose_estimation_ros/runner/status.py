"""Live status of a running graph: frames/s in and out, capture-to-pose latency, people, drops.

A small ROS node in the runner's own process listens to ``camera_info``
(one per published frame, much lighter than the image), ``poses`` and
``/diagnostics``; ``GraphStatus`` turns what it heard into one status line.
"""

from __future__ import annotations

import threading
import time
from collections import deque

import numpy as np
from diagnostic_msgs.msg import DiagnosticArray
from rclpy.node import Node
from rclpy.qos import qos_profile_sensor_data
from sensor_msgs.msg import CameraInfo

from pose_estimation_ros.msg import PoseArray

_WINDOW_S = 2.0


class GraphStatus:
    """Rates and latencies over a sliding window, fed from subscription callbacks."""

    def __init__(self) -> None:
        """Start with empty windows."""
        self._lock = threading.Lock()
        self._frames_in: deque[float] = deque()
        self._frames_out: deque[tuple[float, float, int]] = deque()  # (t, latency_s, people)
        self.dropped_frames = 0
        self.total_out = 0

    def frame_in(self, now_s: float) -> None:
        """Record one frame published by the camera."""
        with self._lock:
            self._frames_in.append(now_s)

    def poses_out(self, now_s: float, latency_s: float, people: int) -> None:
        """Record one PoseArray and its capture-to-receipt latency."""
        with self._lock:
            self._frames_out.append((now_s, latency_s, people))
            self.total_out += 1

    def line(self, now_s: float) -> str:
        """One human-readable status line for the last couple of seconds."""
        with self._lock:
            while self._frames_in and self._frames_in[0] < now_s - _WINDOW_S:
                self._frames_in.popleft()
            while self._frames_out and self._frames_out[0][0] < now_s - _WINDOW_S:
                self._frames_out.popleft()
            fps_in = len(self._frames_in) / _WINDOW_S
            fps_out = len(self._frames_out) / _WINDOW_S
            latencies = [lat for _, lat, _ in self._frames_out]
            people = self._frames_out[-1][2] if self._frames_out else 0
        latency = (
            f"latency p50 {np.percentile(latencies, 50) * 1e3:5.1f} ms "
            f"p95 {np.percentile(latencies, 95) * 1e3:5.1f} ms"
            if latencies
            else "latency    -"
        )
        return (
            f"in {fps_in:5.1f} fps | out {fps_out:5.1f} fps | {latency} | "
            f"people {people} | dropped {self.dropped_frames}"
        )


class StatusNode(Node):
    """Feeds a ``GraphStatus`` from the graph's topics."""

    def __init__(self, status: GraphStatus, **kwargs) -> None:
        """Subscribe to camera_info, poses and /diagnostics."""
        super().__init__("run_status", **kwargs)
        self._status = status
        self.create_subscription(CameraInfo, "camera_info", self._on_info, qos_profile_sensor_data)
        self.create_subscription(PoseArray, "poses", self._on_poses, 10)
        self.create_subscription(DiagnosticArray, "/diagnostics", self._on_diagnostics, 10)

    def _on_info(self, _msg: CameraInfo) -> None:
        self._status.frame_in(time.monotonic())

    def _on_poses(self, msg: PoseArray) -> None:
        stamp = msg.header.stamp.sec + msg.header.stamp.nanosec * 1e-9
        latency = self.get_clock().now().nanoseconds * 1e-9 - stamp
        self._status.poses_out(time.monotonic(), latency, len(msg.poses))

    def _on_diagnostics(self, msg: DiagnosticArray) -> None:
        for status in msg.status:
            for item in status.values:
                if item.key == "dropped_frames_total":
                    self._status.dropped_frames = int(item.value)
