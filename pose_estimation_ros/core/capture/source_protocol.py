"""What every frame source is, logs through and raises: ``FrameSource``, ``Log``, ``SourceError``.

Apart from ``sources.py`` (devices, files, streams, images) so that a source kind
in a module of its own (``rosbag_source.py``) and ``open_source``, which picks
among them, import the same definitions.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from pose_estimation_ros.core.capture.timing import RecordedTiming


class SourceError(RuntimeError):
    """A source does not exist, cannot be opened, or holds no readable image."""


class Log(Protocol):
    """What sources and the capture loop log through (stdlib and rclpy loggers both fit)."""

    def info(self, message: str) -> Any:
        """Log an informational line."""

    def warning(self, message: str) -> Any:
        """Log a warning."""


class FrameSource(Protocol):
    """A source of BGR frames."""

    description: str
    live: bool  # a device or stream: self-paced, may die and come back
    repeats: bool  # a single image: read again and again
    native_fps: float  # pace to keep when none is asked for; 0 for live sources and recordings
    recording: RecordedTiming | None  # a recording's schedule and stamps; None for other sources

    def open(self) -> None:
        """Open (or reopen) the source; ``SourceError`` when it cannot be."""

    def read(self, out: np.ndarray | None = None) -> np.ndarray | None:
        """Return the next frame (in ``out`` where the source can), or ``None`` when none."""

    def rewind(self) -> None:
        """Go back to the first frame (for looping)."""

    def close(self) -> None:
        """Release the source."""
