"""Pose node health on ``/diagnostics``: rates, inference time, dropped and rejected frames.

``PoseStats`` is filled by the image callback; a timer turns each window
into one ``DiagnosticStatus``:
ERROR when inference failed in the window, WARN when images were lost on
the way (missed while the node was idle), none arrived or some were
rejected, OK otherwise. ``receive_ratio`` is the share of the images
published in the window that the node took; ``last_rejection`` says why the
latest rejected image was refused. ``ProblemNotices`` words the log line
naming each distinct problem once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from collections.abc import Hashable

from builtin_interfaces.msg import Time
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue


@dataclass
class _Window:
    received: int = 0
    dropped: int = 0
    lost: int = 0
    processed: int = 0
    rejected: int = 0
    failed: int = 0
    inference_ms: list[float] = field(default_factory=list)


class PoseStats:
    """Thread-safe counters over the current diagnostics window, plus totals."""

    def __init__(self) -> None:
        """Start with empty counters."""
        self._lock = threading.Lock()
        self._window = _Window()
        self.totals = _Window()
        self.last_rejection = ""

    def _count(self, name: str, count: int = 1) -> None:
        with self._lock:
            for window in (self._window, self.totals):
                setattr(window, name, getattr(window, name) + count)

    def received(self) -> None:
        """Count an image taken for processing."""
        self._count("received")

    def dropped(self, count: int = 1) -> None:
        """Count images skipped by design: replaced while busy, or over ``max_rate``."""
        self._count("dropped", count)

    def lost(self, count: int) -> None:
        """Count images that never arrived although the node was idle (lost on the way)."""
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

    def take_window(self) -> _Window:
        """Return the current window's counts and start a new one."""
        with self._lock:
            window, self._window = self._window, _Window()
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


def status_name(node_name: str) -> str:
    """Name the pose node's status by the node's fully qualified name.

    ``/cam1/pose_node: pose estimation``: two graphs in two namespaces then
    report two statuses that can be told apart, as the ROS diagnostics
    convention wants (the bridge does the same).
    """
    return f"{node_name}: pose estimation"


def diagnostics_msg(
    window: _Window, stats: PoseStats, period_s: float, stamp: Time, model: str, node_name: str
) -> DiagnosticArray:
    """One status named ``status_name(node_name)`` for a window of ``period_s`` seconds.

    ``node_name`` is the node's fully qualified name (``/cam1/pose_node``).
    """
    published = window.received + window.dropped + window.lost
    if window.failed:
        level, message = DiagnosticStatus.ERROR, f"inference failed on {window.failed} images"
    elif window.lost:
        level, message = DiagnosticStatus.WARN, (
            f"{window.lost} of {published} images lost on the way while idle: transport buffers "
            "too small or a starved CPU (docs/deployment.md)"
        )
    elif not published:
        level, message = DiagnosticStatus.WARN, "no images on image_raw"
    elif window.rejected:
        level, message = DiagnosticStatus.WARN, f"{window.rejected} images could not be read"
    else:
        level, message = DiagnosticStatus.OK, "estimating poses"
    times = window.inference_ms
    values = {
        "model": model,
        "input_rate_hz": f"{published / period_s:.2f}",
        "receive_ratio": f"{window.received / published:.3f}" if published else "n/a",
        "output_rate_hz": f"{window.processed / period_s:.2f}",
        "inference_ms_mean": f"{sum(times) / len(times):.2f}" if times else "n/a",
        "inference_ms_max": f"{max(times):.2f}" if times else "n/a",
        "received_frames_total": str(stats.totals.received),
        "dropped_frames_total": str(stats.totals.dropped),
        "lost_frames_total": str(stats.totals.lost),
        "rejected_frames_total": str(stats.totals.rejected),
        "failed_frames_total": str(stats.totals.failed),
        "processed_frames_total": str(stats.totals.processed),
        "last_rejection": stats.last_rejection,
    }
    status = DiagnosticStatus(
        level=level,
        name=status_name(node_name),
        message=message,
        hardware_id=model,
        values=[KeyValue(key=k, value=v) for k, v in values.items()],
    )
    array = DiagnosticArray(status=[status])
    array.header.stamp = stamp
    return array
