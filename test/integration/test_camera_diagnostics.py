"""camera_node's own status on /diagnostics, read as a DiagnosticArray in the test process."""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import pytest
import rclpy
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from mjpeg_server import MjpegServer
from processes_util import node_command, running, wait_for
from rclpy.executors import SingleThreadedExecutor

pytestmark = pytest.mark.slow

NAMESPACE = "/cam1"
STATUS = f"{NAMESPACE}/camera_node: camera"  # the node's fully qualified name, then its role
STALE_S = 30.0  # no stale WARN from a loaded machine's pauses in these tests


class Diagnostics:
    """Collect the camera's statuses from /diagnostics as key/value dicts."""

    def __init__(self, context) -> None:  # noqa: D107
        self.node = rclpy.create_node("diagnostics_listener", context=context)
        self.statuses: list[DiagnosticStatus] = []
        self.node.create_subscription(DiagnosticArray, "/diagnostics", self._on_array, 100)
        self.executor = SingleThreadedExecutor(context=context)
        self.executor.add_node(self.node)

    def _on_array(self, array: DiagnosticArray) -> None:
        self.statuses += [status for status in array.status if status.name == STATUS]

    def values(self, index: int = -1) -> dict[str, str]:
        """Return the key/values of a status received (the latest by default)."""
        return {kv.key: kv.value for kv in self.statuses[index].values}

    def spin_until(self, condition, what: str, alive) -> None:
        """Spin until ``condition()``; fail if the node ends or a minute passes."""
        wait_for(
            condition,
            what,
            60.0,
            alive,
            step=lambda: self.executor.spin_once(timeout_sec=0.05),
            detail=lambda: f" (last status: {self.statuses[-1] if self.statuses else None})",
        )

    def close(self) -> None:
        """Stop spinning and destroy the node."""
        self.executor.shutdown()
        self.node.destroy_node()


@pytest.fixture
def diagnostics(ros_context):
    listener = Diagnostics(ros_context)
    yield listener
    listener.close()


def camera_in_namespace(log: Path, source: str, *parameters: str):
    """Run camera_node in ``NAMESPACE`` with diagnostics every 0.2 s; stop it on exit."""
    command = node_command(
        "camera_node",
        f"source:={source}",
        "diagnostics_period_s:=0.2",
        f"stale_frame_warn_s:={STALE_S}",
        *parameters,
        params_file=False,
    )
    return running([*command, "-r", f"__ns:={NAMESPACE}"], log, timeout_s=15)


def test_camera_status_has_growing_totals_and_a_sane_frame_age(diagnostics, asset_dir, tmp_path):
    image = asset_dir / "media" / "opencv" / "messi5.jpg"

    def published(index: int = -1) -> int:
        return int(diagnostics.values(index)["frames_published_total"])

    with camera_in_namespace(tmp_path / "node.log", str(image), "fps:=20") as node:
        diagnostics.spin_until(
            lambda: diagnostics.statuses and published() > 0, "frames published", [node]
        )
        first, count = diagnostics.values(), len(diagnostics.statuses)
        diagnostics.spin_until(
            lambda: len(diagnostics.statuses) > count + 1 and published() > published(count - 1),
            "the totals to grow",
            [node],
        )
    last, statuses = diagnostics.values(), diagnostics.statuses
    totals = [published(index) for index in range(len(statuses))]
    assert totals == sorted(totals), "totals never shrink"
    captured = int(last["frames_captured_total"])
    assert captured >= published() > int(first["frames_published_total"])
    assert last["frames_dropped_in_flight_total"] == "0" and last["read_failures_total"] == "0"
    age = float(last["last_frame_age_s"])
    assert math.isfinite(age) and 0.0 <= age < STALE_S, last
    rates = [float(diagnostics.values(i)["publish_rate_hz"]) for i in range(len(statuses))]
    assert any(rate > 0 for rate in rates) and all(rate >= 0 for rate in rates), rates
    assert last["source"].endswith("messi5.jpg")
    assert statuses[-1].level == DiagnosticStatus.OK, statuses[-1]


def test_a_dead_stream_warns_then_fails_then_recovers(diagnostics, asset_dir, tmp_path):
    image = cv2.imread(str(asset_dir / "media" / "opencv" / "messi5.jpg"))
    server = MjpegServer(cv2.imencode(".jpg", image)[1].tobytes())
    port = server.start()
    level = lambda: diagnostics.statuses[-1].level if diagnostics.statuses else None  # noqa: E731
    try:
        with camera_in_namespace(tmp_path / "node.log", f"http://127.0.0.1:{port}/s.mjpg") as node:
            diagnostics.spin_until(lambda: level() == DiagnosticStatus.OK, "OK", [node])
            server.stop()
            diagnostics.spin_until(lambda: level() == DiagnosticStatus.WARN, "WARN", [node])
            assert "reconnecting" in diagnostics.statuses[-1].message
            diagnostics.spin_until(lambda: level() == DiagnosticStatus.ERROR, "ERROR", [node])
            assert "reconnect attempts in a row failed" in diagnostics.statuses[-1].message
            failed = diagnostics.values()
            server.start()
            diagnostics.spin_until(lambda: level() == DiagnosticStatus.OK, "OK again", [node])
    finally:
        server.stop()
    assert int(failed["read_failures_total"]) >= 1
    assert int(failed["reconnect_attempts_total"]) >= 3 and failed["reconnects_total"] == "0"
    assert int(diagnostics.values()["reconnects_total"]) >= 1
