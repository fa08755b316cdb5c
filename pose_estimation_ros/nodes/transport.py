"""One Fast DDS transport set-up for every process of the graph, made for camera frames.

Fast DDS (the default RMW) sends a message bigger than 64 kB in fragments
allocated from the sending participant's shared-memory segment (512 kB by
default) or queued in UDP socket buffers: a 1.3 MB frame does not fit, and
best-effort readers lose most frames. Every process of this package therefore
loads ``config/fastdds_large_frames.xml`` (16 MB segment and socket buffers) as
its default Fast DDS profile. A profile, unlike ``FASTDDS_BUILTIN_TRANSPORTS``,
is also honoured with ``ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST``, where
rmw_fastrtps replaces the built-in transports with its own default-sized ones.

A Fast DDS set-up of the user's own (a profiles file or the built-in transports
variable) is kept as it is; ``use_large_frame_transports`` then logs a warning
for what in it cannot carry frames. Other RMWs ignore all
of this.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from ament_index_python.packages import get_package_share_directory
from rclpy.logging import get_logger

from pose_estimation_ros.nodes.fastdds_profile import ProfileError, read_transports

PROFILES_VARIABLE = "FASTDDS_DEFAULT_PROFILES_FILE"
LEGACY_PROFILES_VARIABLE = "FASTRTPS_DEFAULT_PROFILES_FILE"  # Fast DDS 2 (Humble, Jazzy)
BUILTIN_TRANSPORTS_VARIABLE = "FASTDDS_BUILTIN_TRANSPORTS"
USER_VARIABLES = (PROFILES_VARIABLE, LEGACY_PROFILES_VARIABLE, BUILTIN_TRANSPORTS_VARIABLE)
PROFILE_FILE = "fastdds_large_frames.xml"
# Smallest buffers that carry a few 1.3 MB frames at once (2 MB carried one reader's every frame).
MIN_FRAME_BUFFER_BYTES = 4 * 1024 * 1024


def large_frame_profile() -> Path:
    """Path of the installed Fast DDS profile made for camera frames."""
    return Path(get_package_share_directory("pose_estimation_ros")) / "config" / PROFILE_FILE


def localhost_discovery(environ: Mapping[str, str]) -> bool:
    """Whether ROS discovery is kept to this machine (rmw_fastrtps then builds its transports)."""
    return (
        environ.get("ROS_AUTOMATIC_DISCOVERY_RANGE", "").upper() == "LOCALHOST"
        or environ.get("ROS_LOCALHOST_ONLY") == "1"
    )


def use_large_frame_transports(logger_name: str) -> None:
    """Load the large-frame profile unless the user set up Fast DDS; call before ``init``.

    A user's set-up that cannot carry frames is kept, with a warning under
    ``logger_name`` that says what to change.
    """
    if not any(os.environ.get(name) for name in USER_VARIABLES):
        os.environ[PROFILES_VARIABLE] = str(large_frame_profile())
        return
    for problem in user_setup_problems(os.environ):
        get_logger(logger_name).warning(problem)


def user_setup_problems(environ: Mapping[str, str]) -> list[str]:
    """List what in the user's own Fast DDS set-up keeps 1.3 MB frames from best-effort readers."""
    fix = (
        f"use {large_frame_profile()} or give your profile's default participant a SHM "
        f"transport with <segment_size> and UDPv4 buffers of at least "
        f"{MIN_FRAME_BUFFER_BYTES // 2**20} MB (docs/deployment.md)"
    )
    profile = environ.get(PROFILES_VARIABLE) or environ.get(LEGACY_PROFILES_VARIABLE)
    if not profile:
        if localhost_discovery(environ):
            return [
                f"{BUILTIN_TRANSPORTS_VARIABLE} is ignored by rmw_fastrtps with localhost-only "
                f"discovery: camera frames will not fit its 512 kB shared memory; unset it "
                f"(this package then loads its own profile) or {fix}"
            ]
        return []
    try:
        transports = read_transports(Path(profile))
    except ProfileError as error:
        return [f"Fast DDS profile {profile}: {error}"]
    problems = []
    for name, size in transports.buffer_sizes().items():
        if size < MIN_FRAME_BUFFER_BYTES:
            problems.append(
                f"Fast DDS profile {profile} gives {name} {size // 1024} kB: 1.3 MB camera "
                f"frames do not fit and best-effort readers lose most of them; {fix}"
            )
    return problems
