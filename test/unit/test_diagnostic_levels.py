"""Levels and thresholds of the nodes' /diagnostics statuses, and their one naming scheme."""

import math
import threading

import numpy as np
import pytest
from diagnostic_msgs.msg import DiagnosticStatus

from pose_estimation_ros.core.capture import CaptureCounts, SourceError, capture_frames
from pose_estimation_ros.core.capture.timing import Backoff
from pose_estimation_ros.core.udp_sender import SendCounts
from pose_estimation_ros.nodes.bridge_diagnostics import BridgeCounts, bridge_status
from pose_estimation_ros.nodes.camera_diagnostics import (
    FAILED_RECONNECTS_ERROR,
    CameraCounts,
    CameraHealth,
    camera_status,
)
from pose_estimation_ros.nodes.pose_diagnostics import (
    FAILED_IMAGES_ERROR,
    LOST_IMAGES_WARN,
    REJECTED_IMAGES_WARN,
    PoseCounts,
    PoseStats,
    level_and_message,
    pose_status,
)
from pose_estimation_ros.nodes.node_status import format_age, frame_age_s

OK, WARN, ERROR = DiagnosticStatus.OK, DiagnosticStatus.WARN, DiagnosticStatus.ERROR
STALE_S = 2.0


def values_of(status: DiagnosticStatus) -> dict[str, str]:
    """Return the status's key/values as a dict."""
    return {kv.key: kv.value for kv in status.values}


def pose_level(age_s: float = 0.1, **counts: int) -> bytes:
    """Return the pose status level of a window with ``counts`` and a frame ``age_s`` old."""
    stats = PoseStats()
    stats.received()
    for name, count in counts.items():
        for _ in range(count):
            getattr(stats, name)(*(["why"] if name == "rejected" else []))
    return level_and_message(stats.take_window(), age_s, STALE_S)[0]


def test_pose_levels_rise_at_their_named_thresholds():
    assert pose_level() == OK
    assert pose_level(age_s=STALE_S) == OK, "the threshold itself is not stale"
    assert pose_level(age_s=STALE_S + 0.01) == WARN
    assert pose_level(age_s=math.inf) == WARN, "no image yet"
    assert pose_level(rejected=REJECTED_IMAGES_WARN) == WARN
    assert pose_level(failed=FAILED_IMAGES_ERROR, rejected=5, age_s=math.inf) == ERROR
    stats = PoseStats()
    stats.lost(LOST_IMAGES_WARN)
    level, message = level_and_message(stats.take_window(), 0.1, STALE_S)
    assert level == WARN and "lost on the way" in message


def test_frame_age_is_inf_before_the_first_frame_and_never_negative():
    assert math.isinf(frame_age_s(None, 5.0)) and format_age(math.inf) == "inf"
    assert frame_age_s(4.0, 5.5) == 1.5 and format_age(1.5) == "1.500"
    assert frame_age_s(6.0, 5.0) == 0.0
    stats = PoseStats()
    assert stats.last_image_s is None
    stats.arrived(12.5)
    assert stats.last_image_s == 12.5


def camera(age_s: float = 0.1, failure: str = "", readers: int = 0, **capture) -> CameraHealth:
    """Return camera health with totals 10 read, 8 published, 2 dropped; 5 and 4 this period."""
    return CameraHealth(
        CameraCounts(10, 8, 2),
        CameraCounts(5, 4, 1),
        CaptureCounts(**capture),
        age_s,
        failure,
        readers,
    )


@pytest.mark.parametrize(
    "health, level, words",
    [
        (camera(), OK, "publishing frames"),
        (camera(age_s=STALE_S), OK, "publishing frames"),
        (camera(age_s=STALE_S + 0.01), WARN, f"no frame from the source for over {STALE_S:g} s"),
        (camera(age_s=math.inf, readers=1), OK, "waiting for 1 subscriber"),
        (camera(reconnecting=True, failed_attempts=1), WARN, "reconnecting"),
        (camera(reconnecting=True, failed_attempts=FAILED_RECONNECTS_ERROR), ERROR, "in a row"),
        (camera(failure="damaged video"), ERROR, "source failed: damaged video"),
    ],
)
def test_camera_levels(health, level, words):
    status = camera_status("/cam1/camera_node", "pose_1.mp4", 2.0, health, STALE_S)
    assert status.level == level and words in status.message, status.message
    values = values_of(status)
    assert values["capture_rate_hz"] == "2.50" and values["publish_rate_hz"] == "2.00"
    assert values["frames_captured_total"] == "10" and values["frames_published_total"] == "8"
    assert values["frames_dropped_in_flight_total"] == "2"
    assert values["last_frame_age_s"] == format_age(health.age_s)
    assert values["source"] == status.hardware_id == "pose_1.mp4"


def test_every_node_names_its_status_by_its_fully_qualified_name():
    bridge = bridge_status("/cam1/udp_bridge_node", "h:1", 1.0, BridgeCounts(), SendCounts())
    cam = camera_status("/cam1/camera_node", "0", 1.0, camera(), STALE_S)
    pose = pose_status(
        "/cam1/pose_node", "m", 1.0, PoseCounts(), PoseStats(), age_s=0.1, stale_warn_s=STALE_S
    )
    assert bridge.name == "/cam1/udp_bridge_node: UDP bridge"
    assert cam.name == "/cam1/camera_node: camera"
    assert pose.name == "/cam1/pose_node: pose estimation"


class FlakyStream:
    """A live source: two frames, then none, two refused reopenings, then frames again."""

    description, live, repeats, native_fps, recording = "flaky", True, False, 0.0, None

    def __init__(self) -> None:  # noqa: D107
        self.reads = [np.zeros((2, 2, 3), np.uint8)] * 2 + [None]
        self.refusals = 2

    def open(self) -> None:
        if self.refusals:
            self.refusals -= 1
            raise SourceError("refused")
        self.reads = [np.ones((2, 2, 3), np.uint8)] * 3

    def read(self, out=None):
        return self.reads.pop(0) if self.reads else None

    def rewind(self) -> None:
        pass

    def close(self) -> None:
        pass


class CountsAtEachWarning:
    """Keep, at each warning (one per reconnect attempt), what ``counts`` said then."""

    def __init__(self, counts: CaptureCounts) -> None:  # noqa: D107
        self.counts, self.seen = counts, []

    def info(self, message: str) -> None:
        pass

    def warning(self, message: str) -> None:
        self.seen.append((self.counts.reconnecting, self.counts.failed_attempts))


def test_capture_counts_read_failures_and_reconnects():
    counts = CaptureCounts()
    log = CountsAtEachWarning(counts)
    frames = capture_frames(
        FlakyStream(), lambda: 0, threading.Event(), log, 0, Backoff(0.001, 0.001), counts=counts
    )
    assert next(frames).image.sum() == 0 and counts.last_frame_s is not None
    next(frames)
    assert (counts.read_failures, counts.reconnect_attempts, counts.reconnecting) == (0, 0, False)
    assert next(frames).image.sum() == 12, "the reopened source's first frame"
    assert (counts.read_failures, counts.reconnect_attempts, counts.reconnects) == (1, 3, 1)
    assert log.seen == [(True, 0), (True, 1), (True, 2)], "failed attempts in a row, counted"
    assert (counts.reconnecting, counts.failed_attempts) == (False, 0), "reset by a frame"
