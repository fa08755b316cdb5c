"""Pose node health on ``/diagnostics``: rates, inference time, frame age, dropped frames.

``PoseStats`` is filled by the image callback; a timer turns each window
into one status, ``pose_status`` (named as every node's, ``nodes.node_status``):
ERROR when inference failed in the window (``FAILED_IMAGES_ERROR``), WARN
when images were lost on the way (the middleware's count,
``LOST_IMAGES_WARN``), no image arrived for longer than the
``stale_frame_warn_s`` parameter, or some were rejected
(``REJECTED_IMAGES_WARN``), OK otherwise. ``receive_ratio`` is the share of
the images published in the window that the node took; ``last_rejection``
says why the latest rejected image was refused; ``last_frame_age_s`` is the
time since the last image arrived (``inf`` before the first); ``latency_ms_*``
the time from an image's capture stamp to its poses published (the camera's
clock: a camera on another machine adds the clocks' offset).
``ProblemNotices`` words the log line naming each distinct problem once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from collections.abc import Hashable

from diagnostic_msgs.msg import DiagnosticStatus

from pose_estimation_ros.nodes.node_status import format_age, node_status

ROLE = "pose estimation"  # the status is named "<node's fully qualified name>: pose estimation"
INFERENCE_ROLE = "inference"  # several cameras: the shared inference's load
BUSY_WARN = 0.95  # share of the inference workers' time busy from which the load is WARN
# Images in one window from which the level rises (the stale-frame threshold is a parameter).
FAILED_IMAGES_ERROR = 1  # inference raised on this many images: ERROR
LOST_IMAGES_WARN = 1  # this many lost on the way (never reached the node): WARN
REJECTED_IMAGES_WARN = 1  # this many could not be read: WARN
# Keys of the status's values that readers use (bench.soak, bench.graph_bench, tests).
INPUT_RATE = "input_rate_hz"
OUTPUT_RATE = "output_rate_hz"
INFERENCE_MS_MEAN = "inference_ms_mean"
RECEIVED_TOTAL = "received_frames_total"
DROPPED_TOTAL = "dropped_frames_total"
LOST_TOTAL = "lost_frames_total"
REJECTED_TOTAL = "rejected_frames_total"
FAILED_TOTAL = "failed_frames_total"
PROCESSED_TOTAL = "processed_frames_total"


@dataclass
class PoseCounts:
    """Images taken, skipped, lost, rejected, failed and processed (totals or one window's)."""

    received: int = 0
    dropped: int = 0
    lost: int = 0
    processed: int = 0
    rejected: int = 0
    failed: int = 0
    inference_ms: list[float] = field(default_factory=list)
    latency_ms: list[float] = field(default_factory=list)  # capture stamp -> poses published


class PoseStats:
    """Thread-safe counters over the current diagnostics window, plus totals."""

    def __init__(self) -> None:
        """Start with empty counters."""
        self._lock = threading.Lock()
        self._window = PoseCounts()
        self.totals = PoseCounts()
        self.last_rejection = ""
        self.last_image_s: float | None = None  # time.monotonic() of the last image's arrival

    def _count(self, name: str, count: int = 1) -> None:
        with self._lock:
            for window in (self._window, self.totals):
                setattr(window, name, getattr(window, name) + count)

    def arrived(self, now_s: float) -> None:
        """Note that an image arrived at ``now_s`` (``time.monotonic()``), taken or not."""
        self.last_image_s = now_s

    def received(self) -> None:
        """Count an image taken for processing."""
        self._count("received")

    def dropped(self, count: int = 1) -> None:
        """Count images skipped by design: replaced by newer ones, or over ``max_rate``."""
        self._count("dropped", count)

    def lost(self, count: int) -> None:
        """Count images the middleware says never reached the node (lost on the way)."""
        self._count("lost", count)

    def rejected(self, why: str = "") -> None:
        """Count an image that could not be read, and keep ``why``."""
        self._count("rejected")
        self.last_rejection = why

    def failed(self) -> None:
        """Count an image whose inference raised."""
        self._count("failed")

    def processed(self, inference_ms: float) -> None:
        """Count an image turned into poses, with its inference time."""
        with self._lock:
            self._window.processed += 1
            self.totals.processed += 1
            self._window.inference_ms.append(inference_ms)

    def published(self, latency_ms: float) -> None:
        """Note poses published ``latency_ms`` after their image's capture stamp."""
        with self._lock:
            self._window.latency_ms.append(latency_ms)

    def take_window(self) -> PoseCounts:
        """Return the current window's counts and start a new one."""
        with self._lock:
            window, self._window = self._window, PoseCounts()
            return window


MAX_NAMED_PROBLEMS = 32  # distinct problems named in the log; the rest only counted


class ProblemNotices:
    """Name each distinct problem once: the first image with it, not every one after."""

    def __init__(self, max_named: int = MAX_NAMED_PROBLEMS) -> None:
        """Start with nothing named; name at most ``max_named`` problems."""
        self._named: set[Hashable] = set()
        self._max_named = max_named

    def first(self, problem: Hashable, why: str) -> str:
        """Return the log line for a new ``problem``; ``""`` for one already named."""
        if problem in self._named or len(self._named) > self._max_named:
            return ""
        self._named.add(problem)
        if len(self._named) > self._max_named:
            return (
                f"dropping image: {why}; {self._max_named} kinds of bad image named already: "
                "further kinds are dropped silently (counted on /diagnostics)"
            )
        return (
            f"dropping image: {why}; further images with this problem are dropped silently "
            "(counted on /diagnostics)"
        )


def level_and_message(
    window: PoseCounts, age_s: float, stale_warn_s: float
) -> tuple[bytes, str]:
    """Rate one window, most severe first; ``age_s``: seconds since the last image arrived."""
    published = window.received + window.dropped + window.lost
    if window.failed >= FAILED_IMAGES_ERROR:
        return DiagnosticStatus.ERROR, f"inference failed on {window.failed} images"
    if window.lost >= LOST_IMAGES_WARN:
        return DiagnosticStatus.WARN, (
            f"{window.lost} of {published} images lost on the way: transport buffers too small "
            "for the frames, or a CPU too starved to receive them (docs/deployment.md)"
        )
    if age_s > stale_warn_s:
        return DiagnosticStatus.WARN, f"no image on image_raw for over {stale_warn_s:g} s"
    if window.rejected >= REJECTED_IMAGES_WARN:
        return DiagnosticStatus.WARN, f"{window.rejected} images could not be read"
    return DiagnosticStatus.OK, "estimating poses"


def pose_status(
    node_name: str,
    model: str,
    period_s: float,
    window: PoseCounts,
    stats: PoseStats,
    *,
    age_s: float,
    stale_warn_s: float,
    camera: str = "",
) -> DiagnosticStatus:
    """Status of node ``node_name`` (fully qualified) running ``model``, for one window.

    ``window`` holds the counts of the last ``period_s`` seconds, ``stats`` the totals;
    ``age_s`` the seconds since the last image arrived (``inf`` before the first).
    ``camera`` names one of several cameras (``<node>: pose estimation <camera>``).
    """
    published = window.received + window.dropped + window.lost
    level, message = level_and_message(window, age_s, stale_warn_s)
    times = window.inference_ms
    values = {
        "model": model,
        INPUT_RATE: f"{published / period_s:.2f}",
        "receive_ratio": f"{window.received / published:.3f}" if published else "n/a",
        OUTPUT_RATE: f"{window.processed / period_s:.2f}",
        INFERENCE_MS_MEAN: f"{sum(times) / len(times):.2f}" if times else "n/a",
        "inference_ms_max": f"{max(times):.2f}" if times else "n/a",
        **_latency_values(window.latency_ms),
        "last_frame_age_s": format_age(age_s),
        RECEIVED_TOTAL: str(stats.totals.received),
        DROPPED_TOTAL: str(stats.totals.dropped),
        LOST_TOTAL: str(stats.totals.lost),
        REJECTED_TOTAL: str(stats.totals.rejected),
        FAILED_TOTAL: str(stats.totals.failed),
        PROCESSED_TOTAL: str(stats.totals.processed),
        "last_rejection": stats.last_rejection,
    }
    role = f"{ROLE} {camera}" if camera else ROLE
    return node_status(node_name, role, level, message, model, values)


def _latency_values(latencies: list[float]) -> dict[str, str]:
    """Capture-to-poses latency of a window: mean, 95th percentile and max, ms."""
    if not latencies:
        return {"latency_ms_mean": "n/a", "latency_ms_p95": "n/a", "latency_ms_max": "n/a"}
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return {
        "latency_ms_mean": f"{sum(ordered) / len(ordered):.2f}",
        "latency_ms_p95": f"{p95:.2f}",
        "latency_ms_max": f"{ordered[-1]:.2f}",
    }


def inference_status(
    node_name: str, model: str, period_s: float, busy_s: float, workers: int, cameras: int
) -> DiagnosticStatus:
    """Status of the inference several cameras share: ``busy_s`` worker-seconds in a window.

    WARN from ``BUSY_WARN`` of the workers' time busy: the cameras send more than the
    model keeps up with, so each camera's newest image replaces older ones (dropped).
    """
    busy = busy_s / (workers * period_s)
    level = DiagnosticStatus.WARN if busy >= BUSY_WARN else DiagnosticStatus.OK
    message = f"{cameras} cameras on {workers} inference streams, {busy:.0%} busy"
    values = {
        "cameras": str(cameras),
        "inference_streams": str(workers),
        "busy_ratio": f"{busy:.3f}",
    }
    return node_status(node_name, INFERENCE_ROLE, level, message, model, values)
