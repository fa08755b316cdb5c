"""Frame sources: devices, video files and streams through OpenCV, image files, recordings.

Every source reads BGR ``uint8`` images (``HxWx3``) and returns ``None`` when
it has no next frame: the end of a file, folder or recording, or a live source
that stopped delivering. Opening a source that does not exist or cannot be
opened raises ``SourceError`` naming it; a video file that ends clearly before
the frame count its container declares raises ``DamagedVideo`` (truncated or
damaged), at the end of each pass. Recordings (rosbag2, MCAP) are read by
``rosbag_source``; ``open_source`` picks the kind.
"""

from __future__ import annotations

import glob
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from pose_estimation_ros.core.capture.rosbag_source import (
    METADATA,
    RECORDING_SUFFIXES,
    ReplayOptions,
    RosbagSource,
    is_recording,
)
from pose_estimation_ros.core.capture.source_protocol import FrameSource, Log, SourceError

IMAGE_SUFFIXES = frozenset(
    {".bmp", ".jpg", ".jpeg", ".jpe", ".jp2", ".png", ".webp", ".tif", ".tiff"}
    | {".pbm", ".pgm", ".ppm", ".pnm", ".pfm", ".exr", ".hdr", ".pic", ".sr", ".ras"}
)
IMAGE_FPS = 10.0  # pace of images when none is asked for (image_publisher's default)
FILE_FPS_FALLBACK = 30.0  # for a video file that declares no frame rate
STREAM_TIMEOUT_MS = 5000  # open and read timeouts of network streams
_GLOB_CHARS = "*?["
SOURCE_KINDS = (
    "give a device index, a video file, a stream URL, an image folder, a glob pattern, "
    "an image file or a recording (.mcap, .db3 or a rosbag2 folder)"
)
# A file may end this many frames short of its declared count and still be whole: the count
# can be an estimate (duration x rate). Measured: every video in ../shared/assets, and pose_1
# re-encoded to mkv/avi/mp4/mov, decodes exactly its declared count (docs/camera.md).
MISSING_FRAMES_TOLERATED = 0.01  # of the declared count
MISSING_FRAMES_TOLERATED_MIN = 2
DeviceRequest = tuple[int, int, float]  # width, height (px), frames/s; 0: the device's default


class DamagedVideo(SourceError):
    """A video file ended well before its declared frame count: truncated or damaged."""

    def __init__(self, description: str, decoded: int, declared: int) -> None:
        """Say how many of the declared frames were decoded, and what to do."""
        super().__init__(
            f"{description} ended after {decoded} of the {declared} frames it declares: the "
            "file is probably truncated (a copy or download cut short) or damaged; replace it "
            "with an intact copy"
        )
        self.decoded, self.declared = decoded, declared


def check_complete(description: str, decoded: int, declared: int) -> None:
    """Raise ``DamagedVideo`` when ``decoded`` falls short of ``declared`` (0: unknown)."""
    tolerated = max(MISSING_FRAMES_TOLERATED_MIN, int(declared * MISSING_FRAMES_TOLERATED))
    if declared > 0 and decoded < declared - tolerated:
        raise DamagedVideo(description, decoded, declared)


class VideoSource:
    """A device, a video file or a network stream read through ``cv2.VideoCapture``."""

    repeats = False
    recording = None

    def __init__(self, target: int | str, kind: str, request: DeviceRequest = (0, 0, 0.0)):
        """Read ``target``: a device index or path (kind "device"), a "file" or a "stream" URL.

        ``request``: width, height (px) and frames/s to ask a device for, 0 for its default.
        """
        self.target, self.kind = target, kind
        self.live = kind != "file"
        self.description = f"{kind} {target}"
        self._request = request
        self._capture: cv2.VideoCapture | None = None
        self.native_fps = 0.0
        self.declared_frames = 0  # a file's frame count as its container says; 0: unknown
        self._read_in_pass = 0

    def open(self) -> None:
        """Open the capture; for devices, ask for the requested size and rate."""
        self.close()
        if self.kind == "stream":
            timeouts = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, STREAM_TIMEOUT_MS]
            timeouts += [cv2.CAP_PROP_READ_TIMEOUT_MSEC, STREAM_TIMEOUT_MS]
            capture = cv2.VideoCapture(self.target, cv2.CAP_FFMPEG, timeouts)
        else:
            capture = cv2.VideoCapture(self.target)
        if not capture.isOpened():
            capture.release()
            unreadable = (
                ": not a video FFmpeg reads, or truncated or damaged (a cut MP4 loses its "
                "index); replace it with an intact copy"
                if self.kind == "file"
                else ""
            )
            raise SourceError(f"cannot open {self.description}{unreadable}")
        if self.kind == "device":
            properties = (cv2.CAP_PROP_FRAME_WIDTH, cv2.CAP_PROP_FRAME_HEIGHT, cv2.CAP_PROP_FPS)
            for prop, value in zip(properties, self._request):
                if value > 0:
                    capture.set(prop, value)
        if self.kind == "file":
            self.native_fps = capture.get(cv2.CAP_PROP_FPS) or FILE_FPS_FALLBACK
            self.declared_frames = max(int(capture.get(cv2.CAP_PROP_FRAME_COUNT)), 0)
        self._read_in_pass = 0
        self._capture = capture

    def read(self, out: np.ndarray | None = None) -> np.ndarray | None:
        """Decode the next frame, ``None`` at the end of a file or when a live source fails.

        The frame is decoded straight into ``out`` when ``out`` has its shape,
        else into a new array. ``DamagedVideo`` when a file ends short of its
        declared frame count.
        """
        if self._capture is None:
            return None
        ok, image = self._capture.read(out)
        if ok:
            self._read_in_pass += 1
            return image
        if self.kind == "file":
            check_complete(self.description, self._read_in_pass, self.declared_frames)
        return None

    def rewind(self) -> None:
        """Reopen the file at its first frame."""
        self.open()

    def close(self) -> None:
        """Release the capture."""
        if self._capture is not None:
            self._capture.release()
            self._capture = None


class ImageSource:
    """Image files read in order; unreadable ones are skipped with one warning each."""

    live = False
    recording = None

    def __init__(self, paths: Sequence[Path], description: str, log: Log, repeats: bool) -> None:
        """Read ``paths`` in order; ``repeats``: one image published again and again."""
        self.paths = list(paths)
        self.description = description
        self.repeats = repeats
        self.native_fps = IMAGE_FPS
        self._log = log
        self._index = 0
        self._read_in_pass = 0
        self._warned: set[Path] = set()

    def open(self) -> None:
        """Start at the first image."""
        self.rewind()

    def read(self, out: np.ndarray | None = None) -> np.ndarray | None:
        """Decode the next readable image (into a new array; imread cannot reuse ``out``).

        ``SourceError`` when a whole pass found no readable image.
        """
        while self._index < len(self.paths):
            path = self.paths[self._index]
            self._index += 1
            image = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if image is not None:
                self._read_in_pass += 1
                return image
            if path not in self._warned:
                self._warned.add(path)
                self._log.warning(f"skipping {path}: not a readable image")
        if not self._read_in_pass:
            raise SourceError(f"{self.description} holds no readable image")
        return None

    def rewind(self) -> None:
        """Go back to the first image."""
        self._index = 0
        self._read_in_pass = 0

    def close(self) -> None:
        """Nothing to release."""


def open_source(
    source: int | str,
    log: Log,
    request: DeviceRequest = (0, 0, 0.0),
    replay: ReplayOptions = ReplayOptions(),
) -> FrameSource:
    """Open what the ``source`` parameter names; ``SourceError`` naming it when impossible.

    An int or a string of digits is a device index, ``/dev/...`` a device,
    ``scheme://...`` a stream URL, a ``.mcap`` or ``.db3`` file or a folder
    with a ``metadata.yaml`` a recording (replayed as ``replay`` says), any
    other folder its image files in name order, a pattern with ``*?[`` the
    files it matches, an image file a single image (repeated), any other file
    a video. ``request`` is the width, height and frames/s to ask a device for
    (0: its default).
    """
    text = str(source).strip()
    if not text:
        raise SourceError("source is empty: " + SOURCE_KINDS)
    if text.isdigit():
        opened: FrameSource = VideoSource(int(text), "device", request)
    elif text.startswith("/dev/"):
        opened = VideoSource(text, "device", request)
    elif "://" in text:
        opened = VideoSource(text, "stream")
    else:
        opened = _open_path(text, log, replay)
    if replay.source_topic and opened.recording is None:
        raise SourceError(
            f"source_topic {replay.source_topic!r} names a topic of a recording, and "
            f"{opened.description} is none: leave source_topic empty"
        )
    opened.open()
    return opened


def _open_path(text: str, log: Log, replay: ReplayOptions) -> FrameSource:
    path = Path(text).expanduser()
    if is_recording(path):
        return RosbagSource(path, replay, log)
    if path.is_dir():
        paths = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not paths:
            raise SourceError(_without_images(path))
        return ImageSource(paths, f"image folder {path}", log, repeats=False)
    if not path.exists() and any(char in text for char in _GLOB_CHARS):
        paths = sorted(Path(p) for p in glob.glob(str(path)) if Path(p).is_file())
        if not paths:
            raise SourceError(f"no file matches {text}")
        return ImageSource(paths, f"images matching {text}", log, repeats=False)
    if not path.is_file():
        raise SourceError(f"source {text!r} does not exist: {SOURCE_KINDS}")
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return ImageSource([path], f"image {path}", log, repeats=True)
    return VideoSource(str(path), "file")


def _without_images(folder: Path) -> str:
    """Say why ``folder`` is no source: no image files, or a recording that was never closed."""
    storage = sorted(p.name for p in folder.iterdir() if p.suffix in RECORDING_SUFFIXES)
    if not storage:
        return f"image folder {folder} holds no image files"
    return (
        f"folder {folder} holds {', '.join(storage)} but no {METADATA}: a recording its "
        "recorder never closed (killed?); give its storage file as source (an MCAP cut short "
        "needs 'mcap recover' first)"
    )
