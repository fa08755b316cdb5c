"""Frame capture without ROS: sources, pacing, looping, reconnecting, encodings, calibration.

``open_source(...)`` turns a ``source`` parameter (device index, video file,
stream URL, image folder, glob or single image) into an opened source;
``capture_frames(...)`` yields ``Frame(image, stamp_ns)`` from it, stamped by
the caller's clock right after each read.
"""

from pose_estimation_ros.core.capture.frames import CaptureCounts, Frame, capture_frames
from pose_estimation_ros.core.capture.sources import (
    DamagedVideo,
    FrameSource,
    SourceError,
    open_source,
)

__all__ = [
    "CaptureCounts",
    "DamagedVideo",
    "Frame",
    "FrameSource",
    "SourceError",
    "capture_frames",
    "open_source",
]
