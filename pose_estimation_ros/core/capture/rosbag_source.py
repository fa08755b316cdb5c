"""A rosbag2 recording (MCAP or sqlite3) as a frame source: one image topic, replayed as recorded.

Read with ``rosbags`` (pure Python, no ROS): a ``.mcap`` or ``.db3`` file, or a
rosbag2 folder (``metadata.yaml`` beside its storage files). The images of one
topic, ``sensor_msgs/msg/Image`` (the encodings of ``core.image_encoding``) or
``sensor_msgs/msg/CompressedImage`` (JPEG or PNG, ``core.compressed``), are read
in the order they were recorded (the recording's log time: when the recorder
received each). The source keeps its ``RecordedTiming`` up to date: when the
next frame is due (its log time after the first frame's, divided by
``replay_rate``), and the header stamp recorded with the frame just read (none
with ``restamp``: the capture loop stamps it). A frame whose bytes cannot be
read is skipped with one warning per kind of problem; a first frame that cannot
be read, a recording that cannot be opened and a topic that is not there (or
not named when there are several) are one ``SourceError`` at open.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rosbags.highlevel import AnyReader, AnyReaderError
from rosbags.interfaces import Connection, TopicInfo
from rosbags.rosbag2 import ReaderError
from rosbags.typesys import Stores, get_typestore

from pose_estimation_ros.core.capture.source_protocol import Log, SourceError
from pose_estimation_ros.core.capture.timing import RecordedTiming
from pose_estimation_ros.core.compressed import decode_to_bgr
from pose_estimation_ros.core.image_encoding import (
    ENCODINGS,
    ImageEncodingError,
    image_view,
    to_bgr,
)
from pose_estimation_ros.core.options import option

IMAGE = "sensor_msgs/msg/Image"
COMPRESSED_IMAGE = "sensor_msgs/msg/CompressedImage"
IMAGE_TYPES = (IMAGE, COMPRESSED_IMAGE)
RECORDING_SUFFIXES = (".mcap", ".db3")  # the storage files rosbags reads without metadata.yaml
METADATA = "metadata.yaml"  # what makes a folder a rosbag2 recording
# Message definitions for recordings that carry none (sqlite3 files of older ROS 2 releases).
DEFINITIONS = Stores.ROS2_KILTED
_READ_ERRORS = (AnyReaderError, ReaderError, OSError)


@dataclass(frozen=True)
class ReplayOptions:
    """How a recording is replayed: which image topic, how fast, with which stamps."""

    source_topic: str = option(
        "",
        "image topic of a recording to replay (sensor_msgs/msg/Image or CompressedImage; "
        "'/images' or 'images'); empty: the recording's only image topic",
    )
    replay_rate: float = option(
        1.0,
        "speed of a recording's replay with fps -1, as a factor of its recorded timing "
        "(2.0: twice as fast)",
        min_value=0.01,
        max_value=100.0,
    )
    restamp: bool = option(
        False,
        "stamp a recording's images when they are published, instead of keeping the header "
        "stamps they were recorded with",
    )


def is_recording(path: Path) -> bool:
    """Whether ``path`` is a recording: a ``.mcap``/``.db3`` file or a folder with metadata."""
    if path.is_dir():
        return (path / METADATA).is_file()
    return path.is_file() and path.suffix in RECORDING_SUFFIXES


class RosbagSource:
    """The images of one topic of a rosbag2 recording, in recorded order."""

    live = False
    repeats = False
    native_fps = 0.0  # paced by its recorded timing instead (``recording``)

    def __init__(self, path: Path, options: ReplayOptions, log: Log) -> None:
        """Replay ``path`` as ``options`` say; nothing is read before ``open``."""
        self.path, self.options = path, options
        self.description = f"recording {path}"
        self.recording = RecordedTiming()
        self._log = log
        self._reader: AnyReader | None = None
        self._connections: list[Connection] = []
        self._messages: Iterator[tuple[Connection, int, bytes]] = iter(())
        self._next: tuple[str, bytes] | None = None  # message type and bytes of the next frame
        self._first_ns: int | None = None  # log time of the pass's first frame
        self._read_in_pass = 0
        self._warned: set[tuple[str, str]] = set()

    def open(self) -> None:
        """Open the recording, pick its image topic and check its first image."""
        self.close()
        try:
            reader = AnyReader([self.path], default_typestore=get_typestore(DEFINITIONS))
            reader.open()
        except _READ_ERRORS as error:
            raise SourceError(f"cannot read recording {self.path}: {error}") from None
        self._reader = reader
        topics = reader.topics
        topic = pick_topic(topics, self.options.source_topic, self.path)
        info = topics[topic]
        self._connections = info.connections
        self.description = f"recording {self.path}, topic {topic}"
        self.rewind()
        if self._next is None:
            raise SourceError(f"{self.description} holds no message")
        msgtype, raw = self._next
        try:
            header = recorded_image(self._deserialize(raw, msgtype), msgtype, None)[1]
        except ImageEncodingError as error:
            raise SourceError(f"{self.description} cannot be replayed: {error}") from None
        duration_s = reader.duration / 1e9
        self._log.info(
            f"{self.description}: {info.msgcount} {msgtype} messages over {duration_s:.1f} s, "
            f"recorded in frame '{header.frame_id}'"
        )

    def read(self, out: np.ndarray | None = None) -> np.ndarray | None:
        """Return the next readable image in BGR (in ``out`` when it fits), ``None`` at the end.

        ``SourceError`` when the recording is damaged, or a whole pass had no readable image.
        """
        while self._next is not None:
            msgtype, raw = self._next
            self._advance()
            message = self._deserialize(raw, msgtype)
            try:
                image, header = recorded_image(message, msgtype, out)
            except ImageEncodingError as error:
                self._skip(error)
                continue
            self._read_in_pass += 1
            stamp = header.stamp
            recorded_ns = stamp.sec * 1_000_000_000 + stamp.nanosec
            self.recording.stamp_ns = None if self.options.restamp else recorded_ns
            return image
        if not self._read_in_pass:
            raise SourceError(f"{self.description} holds no readable image")
        return None

    def rewind(self) -> None:
        """Go back to the first image of the topic."""
        assert self._reader is not None, "rewind before open"
        self._messages = self._reader.messages(connections=self._connections)
        self._first_ns, self._read_in_pass = None, 0
        self._advance()

    def close(self) -> None:
        """Close the recording."""
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        self._messages, self._next = iter(()), None
        self.recording.next_offset_s = None

    def _advance(self) -> None:
        """Take the next message's bytes and say when it is due (``recording``)."""
        try:
            item = next(self._messages, None)
        except _READ_ERRORS as error:
            raise SourceError(f"{self.description} is damaged: {error}") from None
        if item is None:
            self._next, self.recording.next_offset_s = None, None
            return
        connection, time_ns, raw = item
        if self._first_ns is None:
            self._first_ns = time_ns
        self._next = (connection.msgtype, raw)
        offset_s = (time_ns - self._first_ns) / 1e9
        self.recording.next_offset_s = offset_s / self.options.replay_rate

    def _deserialize(self, raw: bytes, msgtype: str) -> Any:
        assert self._reader is not None
        try:
            return self._reader.deserialize(raw, msgtype)
        except AnyReaderError as error:
            raise SourceError(f"{self.description} holds a damaged {msgtype}: {error}") from None

    def _skip(self, error: ImageEncodingError) -> None:
        if error.problem not in self._warned:
            self._warned.add(error.problem)
            self._log.warning(
                f"{self.description}: skipping images that cannot be read: {error} (one "
                "warning for each kind of problem)"
            )


def pick_topic(topics: Mapping[str, TopicInfo], wanted: str, path: Path) -> str:
    """Return the image topic to replay: ``wanted`` (with or without a leading /) or the only one.

    ``SourceError`` listing the image topics when ``wanted`` is not one of them, or
    when it is empty and there are several, or none.
    """
    images = {name: info for name, info in topics.items() if info.msgtype in IMAGE_TYPES}
    listed = ", ".join(
        f"{name} ({info.msgtype}, {info.msgcount} messages)"
        for name, info in sorted(images.items())
    )
    if wanted:
        for name in (wanted, "/" + wanted.lstrip("/")):
            if name in images:
                return name
        raise SourceError(
            f"recording {path} has no image topic {wanted!r} (source_topic); its image "
            f"topics: {listed or 'none'}"
        )
    if len(images) == 1:
        return next(iter(images))
    if not images:
        raise SourceError(
            f"recording {path} holds no image topic ({' or '.join(IMAGE_TYPES)}); its topics: "
            f"{', '.join(sorted(topics)) or 'none'}"
        )
    raise SourceError(
        f"recording {path} holds {len(images)} image topics: {listed}; set source_topic to "
        "the one to replay"
    )


def recorded_image(message: Any, msgtype: str, out: np.ndarray | None) -> tuple[np.ndarray, Any]:
    """Return the BGR image of a recorded image message (in ``out`` when it fits), and its header.

    ``ImageEncodingError`` when its bytes cannot be read (``core.image_encoding``,
    ``core.compressed``).
    """
    if msgtype == COMPRESSED_IMAGE:
        return decode_to_bgr(memoryview(message.data), message.format), message.header
    encoding = message.encoding
    view = image_view(message.data, encoding, message.width, message.height, message.step)
    if ENCODINGS[encoding].to_bgr is not None:  # image_view took only encodings of the table
        return to_bgr(view, encoding), message.header
    if out is None or out.shape != view.shape:
        out = np.empty(view.shape, np.uint8)
    np.copyto(out, view)
    return out, message.header
