"""Shared fixtures: asset search path, an isolated ROS domain per test, ROS contexts."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pose_estimation_ros.core import domain_lock
from pose_estimation_ros.nodes.transport import use_large_frame_transports

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_ASSETS = REPO_ROOT.parent / "shared" / "assets"

# Tests use the real weights and media in ../shared/assets unless told otherwise,
# and never download: a missing asset must fail loudly, not fetch.
os.environ.setdefault("POSE_ESTIMATION_ROS_ASSET_PATH", str(SHARED_ASSETS))
os.environ.setdefault("POSE_ESTIMATION_ROS_OFFLINE", "1")
# The test process subscribes to camera frames beside the nodes: the same transports as theirs
# (the processes it starts inherit the variable).
use_large_frame_transports("test")


@pytest.fixture
def ros_domain_id(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """Hold a ROS_DOMAIN_ID that no other test, run or benchmark on this machine holds.

    Set in the environment, so child processes inherit it; held for the test's duration
    (``core.domain_lock``).
    """
    lock = domain_lock.hold_free()
    if lock is None:
        pytest.fail(f"no free ROS domain id in {domain_lock.LOCK_DIR}")
    monkeypatch.setenv("ROS_DOMAIN_ID", str(lock.domain_id))
    try:
        yield lock.domain_id
    finally:
        lock.release()


@pytest.fixture
def ros_context(ros_domain_id: int):
    """Give an initialised rclpy context on the test's own domain."""
    import rclpy

    context = rclpy.Context()
    rclpy.init(context=context, domain_id=ros_domain_id)
    try:
        yield context
    finally:
        rclpy.try_shutdown(context=context)


@pytest.fixture
def asset_dir() -> Path:
    """Return the asset directory tests read real weights and media from."""
    path = Path(os.environ["POSE_ESTIMATION_ROS_ASSET_PATH"].split(os.pathsep)[0])
    if not path.is_dir():
        pytest.fail(f"asset directory {path} missing: set POSE_ESTIMATION_ROS_ASSET_PATH")
    return path
