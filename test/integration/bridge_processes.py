"""Start the pose publisher and the bridge node as OS processes; UDP sockets to read them."""

from __future__ import annotations

import signal
import socket
import sys
from pathlib import Path
from typing import Any

from processes_util import REPO_ROOT, running, script_command

BRIDGE = REPO_ROOT / "scripts" / "udp_bridge_node"


def process(command: list[str], log: Path):
    """Run ``command`` with stdout and stderr in ``log``; terminate it on exit."""
    return running(command, log, sent=signal.SIGTERM)


def publisher(num_people: int, log: Path):
    """Publish ``sample_frame(num_people)`` on ``poses`` at 10 Hz in another process."""
    return process(script_command("publish_poses.py", str(num_people)), log)


def bridge(log: Path, **params: Any):
    """Run the bridge node in another process with ``-p name:=value`` for each parameter."""
    args = [arg for name, value in params.items() for arg in ("-p", f"{name}:={value}")]
    return process([sys.executable, str(BRIDGE), "--ros-args", *args], log)


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
