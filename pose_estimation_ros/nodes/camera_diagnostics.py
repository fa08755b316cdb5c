"""Camera node health on ``/diagnostics``: frames read and published, drops, reconnects, age.

Each period becomes one ``DiagnosticStatus`` named as every node's
(``nodes.node_status``): ``<node's fully qualified name>: camera``. ERROR when
the source failed (capture stopped with an error, or ``FAILED_RECONNECTS_ERROR``
reconnect attempts in a row failed), WARN while a live source is being
reconnected or when no frame came for longer than the ``stale_frame_warn_s``
parameter, OK otherwise (also while waiting for ``wait_for_readers``).
"""

from __future__ import annotations

from dataclasses import dataclass

from diagnostic_msgs.msg import DiagnosticStatus

from pose_estimation_ros.core.capture import CaptureCounts
from pose_estimation_ros.nodes.node_status import format_age, node_status

ROLE = "camera"  # the status is named "<node's fully qualified name>: camera"
FAILED_RECONNECTS_ERROR = 3  # reconnect attempts failed in a row: the source counts as failed


@dataclass
class CameraCounts:
    """Frames read from the source and what became of them (totals or one period's)."""

    captured: int = 0
    published: int = 0
    dropped_in_flight: int = 0  # live frames dropped: max_frames_in_flight unanswered


@dataclass(frozen=True)
class CameraHealth:
    """Everything one camera status is made of, taken at publish time."""

    totals: CameraCounts
    period: CameraCounts  # the counts of the last period
    capture: CaptureCounts  # the capture loop's own counts (a copy)
    age_s: float  # seconds since the last frame was read; inf before the first
    failure: str = ""  # why capture stopped with an error; "" while it works
    awaited_readers: int = 0  # subscribers still awaited before the first frame


def level_and_message(health: CameraHealth, stale_warn_s: float) -> tuple[bytes, str]:
    """Rate the camera's health, most severe first."""
    capture = health.capture
    if health.failure:
        return DiagnosticStatus.ERROR, f"source failed: {health.failure}"
    if capture.failed_attempts >= FAILED_RECONNECTS_ERROR:
        return DiagnosticStatus.ERROR, (
            f"source failed: {capture.failed_attempts} reconnect attempts in a row failed"
        )
    if capture.reconnecting:
        return DiagnosticStatus.WARN, "source sends no frames: reconnecting"
    if health.awaited_readers:
        return DiagnosticStatus.OK, (
            f"waiting for {health.awaited_readers} subscriber(s) before the first frame"
        )
    if health.age_s > stale_warn_s:
        return DiagnosticStatus.WARN, f"no frame from the source for over {stale_warn_s:g} s"
    return DiagnosticStatus.OK, "publishing frames"


def camera_status(
    node_name: str, source: str, period_s: float, health: CameraHealth, stale_warn_s: float
) -> DiagnosticStatus:
    """Status of node ``node_name`` (fully qualified) reading ``source``, for one period."""
    level, message = level_and_message(health, stale_warn_s)
    totals, capture = health.totals, health.capture
    values = {
        "source": source,
        "capture_rate_hz": f"{health.period.captured / period_s:.2f}",
        "publish_rate_hz": f"{health.period.published / period_s:.2f}",
        "last_frame_age_s": format_age(health.age_s),
        "frames_captured_total": str(totals.captured),
        "frames_published_total": str(totals.published),
        "frames_dropped_in_flight_total": str(totals.dropped_in_flight),
        "frames_skipped_by_fps_total": str(capture.skipped_by_fps),
        "read_failures_total": str(capture.read_failures),
        "reconnect_attempts_total": str(capture.reconnect_attempts),
        "reconnects_total": str(capture.reconnects),
    }
    return node_status(node_name, ROLE, level, message, source, values)
