"""The runner's own ROS nodes: per camera a status (``runner.status``) and an optional recorder."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node

from pose_estimation_ros import graph
from pose_estimation_ros.core.frame_ledger import FrameLedger, LedgerCounts
from pose_estimation_ros.runner.commands import node_parameter
from pose_estimation_ros.runner.recorder import AnnotatedVideoRecorder
from pose_estimation_ros.runner.status import GraphStatus, StatusNode


@dataclass
class CameraWatch:
    """What the runner hears of one camera: its frames and poses, and its annotated video."""

    name: str  # the camera's namespace in the graph; "" for the one camera
    status: GraphStatus
    status_node: StatusNode
    recorder: AnnotatedVideoRecorder | None
    record_path: Path | None

    def tagged(self, text: str) -> str:
        """Prefix ``text`` with the camera's name where the graph has several."""
        return f"{self.name}: {text}" if self.name else text


def record_path(path: Path, camera: str) -> Path:
    """Return the file the annotated video of ``camera`` goes to: ``out_cam2.mp4`` for several."""
    return path.with_name(f"{path.stem}_{camera}{path.suffix}") if camera else path


class Monitor:
    """Status and recorder nodes of every camera, spun on one background thread."""

    def __init__(
        self,
        arguments: dict[str, str],
        extra: dict[str, dict],
        record: Path | None = None,
        record_fps: float = 30.0,
    ) -> None:
        """Create the nodes and start spinning them."""
        max_rate_hz = float(
            node_parameter(arguments, "pose_node", "max_rate", extra.get("pose_node")) or 0.0
        )
        reliability = node_parameter(
            arguments, graph.CAMERA, "reliability", extra.get(graph.CAMERA)
        )
        min_interval_s = 1.0 / max_rate_hz if max_rate_hz > 0 else 0.0
        self.cameras: dict[str, CameraWatch] = {}
        for camera in graph.camera_names(arguments) or [""]:
            namespace = graph.join_namespace(arguments.get("namespace", ""), camera)
            status = GraphStatus(FrameLedger(min_interval_s=min_interval_s))
            path = record_path(record, camera) if record else None
            self.cameras[camera] = CameraWatch(
                camera,
                status,
                StatusNode(
                    status, camera_reliable=reliability != "best_effort", namespace=namespace
                ),
                AnnotatedVideoRecorder(path, record_fps, namespace=namespace) if path else None,
                path,
            )
        self._executor = SingleThreadedExecutor()
        for node in self._nodes():
            self._executor.add_node(node)
        self._thread = threading.Thread(target=self._executor.spin, daemon=True)
        self._thread.start()

    def _nodes(self) -> list[Node]:
        watches = self.cameras.values()
        return [w.status_node for w in watches] + [w.recorder for w in watches if w.recorder]

    def wait_for_camera(self, camera: str, timeout_s: float) -> bool:
        """Wait until ``camera``'s ``camera_info`` is matched (so none of its frames is missed)."""
        return self.cameras[camera].status_node.wait_for_camera(timeout_s)

    def wait_until_settled(self, timeout_s: float) -> None:
        """Wait, at most ``timeout_s`` in all, for every camera's last poses."""
        deadline = time.monotonic() + timeout_s
        for watch in self.cameras.values():
            watch.status.wait_until_settled(max(0.0, deadline - time.monotonic()))

    def end(self, end_s: float) -> None:
        """Mark the graph told to stop, for every camera's ledger."""
        for watch in self.cameras.values():
            watch.status.end(end_s)

    def lines(self, now_s: float) -> list[str]:
        """Return one status line per camera."""
        return [watch.tagged(watch.status.line(now_s)) for watch in self.cameras.values()]

    def counts(self, now_s: float) -> list[tuple[CameraWatch, LedgerCounts]]:
        """Count what became of each camera's frames so far."""
        return [(watch, watch.status.counts(now_s)) for watch in self.cameras.values()]

    def close(self) -> None:
        """Stop spinning, finish the recordings, destroy the nodes."""
        self._executor.shutdown()
        self._thread.join()
        for watch in self.cameras.values():
            if watch.recorder is not None:
                watch.recorder.close()
        for node in self._nodes():
            node.destroy_node()
