"""rosbag2 recordings written in a test's tmp_path with rosbags' Writer: real frames, known times.

Each frame is recorded with a header stamp (its capture time) and a log time
(when a recorder received it) that differ, and gaps that are not all equal, so
a test tells which of the two a replay kept or paced by.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from rosbags.rosbag2 import StoragePlugin, Writer
from rosbags.typesys import Stores, get_typestore

from pose_estimation_ros.core.compressed import compressed_format, encode_jpeg
from pose_estimation_ros.core.image_encoding import ENCODINGS

TYPESTORE = get_typestore(Stores.ROS2_KILTED)
IMAGE = "sensor_msgs/msg/Image"
COMPRESSED_IMAGE = "sensor_msgs/msg/CompressedImage"
JPEG = "jpeg"  # a track's encoding for CompressedImage messages
FIRST_STAMP_NS = 1_700_000_000_123_456_789
STAMP_PERIOD_NS = 33_333_333  # a 30 frames/s camera
# Receive delays of the frames in turn: the log times' gaps alternate 23.3 and 43.3 ms.
RECEIVE_DELAYS_NS = (5_000_000, 15_000_000)
FRAME_ID = "recorded_camera_optical_frame"


@dataclass(frozen=True)
class RecordedImage:
    """One frame as recorded: its BGR image, header stamp and log time (ns)."""

    image: np.ndarray
    stamp_ns: int
    time_ns: int


def video_frames(path: Path, count: int) -> list[np.ndarray]:
    """Return the first ``count`` frames of a video, BGR."""
    capture = cv2.VideoCapture(str(path))
    frames = [capture.read()[1] for _ in range(count)]
    capture.release()
    assert all(frame is not None for frame in frames), f"{path} has fewer than {count} frames"
    return frames


def track(
    frames: Sequence[np.ndarray], first_stamp_ns: int = FIRST_STAMP_NS
) -> list[RecordedImage]:
    """Stamp ``frames`` at 30 frames/s from ``first_stamp_ns``; log times follow with delays."""
    return [
        RecordedImage(
            image,
            first_stamp_ns + index * STAMP_PERIOD_NS,
            first_stamp_ns + index * STAMP_PERIOD_NS + RECEIVE_DELAYS_NS[index % 2],
        )
        for index, image in enumerate(frames)
    ]


def image_message(recorded: RecordedImage, encoding: str, frame_id: str = FRAME_ID) -> object:
    """Return ``recorded`` as an Image in ``encoding``, or a CompressedImage for ``JPEG``."""
    types = TYPESTORE.types
    sec, nanosec = divmod(recorded.stamp_ns, 1_000_000_000)
    header = types["std_msgs/msg/Header"](
        stamp=types["builtin_interfaces/msg/Time"](sec=sec, nanosec=nanosec), frame_id=frame_id
    )
    if encoding == JPEG:
        data = np.frombuffer(encode_jpeg(recorded.image, 95), np.uint8)
        return types[COMPRESSED_IMAGE](
            header=header, format=compressed_format("bgr8"), data=data
        )
    conversion = ENCODINGS[encoding].from_bgr
    pixels = recorded.image if conversion is None else cv2.cvtColor(recorded.image, conversion)
    height, width = pixels.shape[:2]
    return types[IMAGE](
        header=header,
        height=height,
        width=width,
        encoding=encoding,
        is_bigendian=0,
        step=pixels.strides[0],
        data=np.ascontiguousarray(pixels).reshape(-1),
    )


def write_recording(
    path: Path,
    tracks: Mapping[str, tuple[str, Sequence[RecordedImage]]],
    storage: StoragePlugin = StoragePlugin.MCAP,
) -> Path:
    """Write a rosbag2 folder at ``path``: per topic, ``(encoding, frames)``; return ``path``.

    Messages go in in log-time order, as a recorder writes them.
    """
    with Writer(path, version=Writer.VERSION_LATEST, storage_plugin=storage) as writer:
        messages = []
        for topic, (encoding, frames) in tracks.items():
            msgtype = COMPRESSED_IMAGE if encoding == JPEG else IMAGE
            connection = writer.add_connection(topic, msgtype, typestore=TYPESTORE)
            for recorded in frames:
                data = TYPESTORE.serialize_cdr(image_message(recorded, encoding), msgtype)
                messages.append((recorded.time_ns, connection, data))
        for time_ns, connection, data in sorted(messages, key=lambda item: item[0]):
            writer.write(connection, time_ns, data)
    return path


def storage_file(folder: Path) -> Path:
    """Return the one storage file (``.mcap``, ``.db3``) of a rosbag2 folder."""
    (found,) = [p for p in folder.iterdir() if p.suffix in (".mcap", ".db3")]
    return found
