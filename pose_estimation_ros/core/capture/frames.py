"""The capture loop: paced reads, stamps at capture (or recorded), looping, reconnecting."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from pose_estimation_ros.core.capture.sources import FrameSource, Log, SourceError
from pose_estimation_ros.core.capture.timing import Backoff, Pacer, ReplayPacer


class Frame(NamedTuple):
    """A BGR image and the clock time (ns) at which its read returned (or its recorded stamp)."""

    image: np.ndarray
    stamp_ns: int


@dataclass
class CaptureCounts:
    """What the capture loop saw so far, for diagnostics (written by the loop's thread only)."""

    skipped_by_fps: int = 0  # frames of a live source beyond ``fps``, dropped at once
    read_failures: int = 0  # reads of a live source that gave no frame
    reconnect_attempts: int = 0
    reconnects: int = 0  # attempts that reopened the source
    failed_attempts: int = 0  # attempts that failed since the source last gave a frame
    reconnecting: bool = False  # a live source gave no frame and is being reopened
    last_frame_s: float | None = None  # time.monotonic() of the last frame read


def capture_frames(
    source: FrameSource,
    clock: Callable[[], int],
    stop: threading.Event,
    log: Log,
    fps: float = -1.0,
    loop: bool = False,
    backoff: Backoff | None = None,
    into: Callable[[], np.ndarray | None] = lambda: None,
    counts: CaptureCounts | None = None,
) -> Iterator[Frame]:
    """Yield frames from an opened ``source`` until it ends or ``stop`` is set.

    ``clock()`` (ns) is read right after each read returns, before anything
    else touches the image; a recording's frames keep their recorded stamps
    instead, unless it re-stamps (``RecordedTiming.stamp_ns`` is ``None``).
    ``fps`` < 0 keeps the source's own pace (a recording's: its recorded gaps,
    ``ReplayPacer``), 0 reads as fast as possible; files, images and
    recordings are read on that schedule, live sources are read as they
    deliver and frames beyond ``fps`` are dropped. At the end of a file,
    folder or recording the source rewinds when ``loop`` (or for a single
    image), else the generator returns. A live source that stops delivering is
    reopened with ``backoff``, logging one line per attempt. ``into()`` may
    give an array to decode the next frame into (see ``FrameSource.read``);
    the frame yielded is then that array, overwritten by the next read.
    ``counts`` (if given) is kept up to date as frames are read.
    """
    recording = source.recording
    pacer = (
        ReplayPacer(recording)
        if recording is not None and fps < 0
        else Pacer(source.native_fps if fps < 0 else fps)
    )
    backoff = backoff or Backoff()
    counts = CaptureCounts() if counts is None else counts
    while not stop.is_set():
        if not source.live:
            pacer.wait(stop.wait)
        image, stamp_ns = read_stamped(source, into, clock)
        if image is None and not source.live and (loop or source.repeats):
            source.rewind()
            image, stamp_ns = read_stamped(source, into, clock)
        if image is None:
            if source.live:
                counts.read_failures += 1
                counts.reconnecting = True
            if not source.live or not reconnect(source, backoff, stop, log, counts):
                return
            continue
        counts.last_frame_s = time.monotonic()
        counts.reconnecting, counts.failed_attempts = False, 0
        if source.live:
            backoff.reset()
            if not pacer.due():
                counts.skipped_by_fps += 1
                continue
        yield Frame(image, stamp_ns)


def read_stamped(
    source: FrameSource, into: Callable[[], np.ndarray | None], clock: Callable[[], int]
) -> tuple[np.ndarray | None, int]:
    """Read the next frame; stamp it with ``clock()`` at once, or with its recorded stamp."""
    image = source.read(into())
    recorded = None if source.recording is None else source.recording.stamp_ns
    return image, clock() if recorded is None else recorded


def reconnect(
    source: FrameSource,
    backoff: Backoff,
    stop: threading.Event,
    log: Log,
    counts: CaptureCounts,
) -> bool:
    """Reopen a live source after backoff delays, counting attempts; ``False`` on ``stop``."""
    source.close()
    attempt = 0
    while True:
        attempt += 1
        counts.reconnect_attempts += 1
        delay = backoff.next_delay()
        log.warning(
            f"{source.description} sends no frames; reconnect attempt {attempt} in {delay:.1f} s"
        )
        if stop.wait(delay):
            return False
        try:
            source.open()
        except SourceError:
            counts.failed_attempts += 1
            continue
        counts.reconnects += 1
        log.info(f"{source.description} is back after {attempt} attempt(s), publishing resumes")
        return True
