"""Start the pose publisher and the bridge node as OS processes; wait on conditions."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
PUBLISHER = Path(__file__).parent / "processes" / "publish_poses.py"
BRIDGE = REPO_ROOT / "scripts" / "udp_bridge_node"
PROCESS_TIMEOUT_S = 60.0  # generous: DDS discovery on a loaded 2-core machine


@contextmanager
def process(command: list[str], log: Path) -> Iterator[subprocess.Popen]:
    """Run ``command`` with stdout and stderr in ``log``; terminate it on exit."""
    env = dict(os.environ, RCUTILS_LOGGING_BUFFERED_STREAM="0", PYTHONUNBUFFERED="1")
    with log.open("wb") as out:
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
        try:
            yield child
        finally:
            child.terminate()
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def publisher(num_people: int, log: Path):
    """Publish ``sample_frame(num_people)`` on ``poses`` at 10 Hz in another process."""
    return process([sys.executable, str(PUBLISHER), str(num_people)], log)


def bridge(log: Path, **params: Any):
    """Run the bridge node in another process with ``-p name:=value`` for each parameter."""
    args = [arg for name, value in params.items() for arg in ("-p", f"{name}:={value}")]
    return process([sys.executable, str(BRIDGE), "--ros-args", *args], log)


def wait_for(condition: Callable[[], Any], what: str, timeout_s: float = PROCESS_TIMEOUT_S):
    """Poll ``condition`` until it returns something truthy; fail saying ``what`` never came."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")


def udp_listener(bind: str = "127.0.0.1") -> socket.socket:
    """Open a UDP socket on an ephemeral port with a short receive timeout."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((bind, 0))
    sock.settimeout(0.2)
    return sock


def free_udp_port() -> int:
    """Return a UDP port nobody listens on right now (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
