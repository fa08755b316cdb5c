"""A node stopped while it still loads its modules exits cleanly, as a stop at any other time.

``ros2 launch`` stops the graph when a short source ends, which on a loaded machine
can be while a node is still importing OpenVINO, OpenCV and rclpy. Python's own
SIGINT handler used to raise ``KeyboardInterrupt`` inside those imports: a
traceback and exit code 130, or a node that ignored the Ctrl-C (a library's
``except:`` swallowed it) until launch's SIGTERM 5 s later (CI failed so).
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from processes_util import finish, node_command, start, wait_for

NODES = [
    "camera_node", "pose_node", "udp_bridge_node", "hri_node", "detections_node",
    "mcap_recorder_node",
]
# Shared libraries the nodes' imports load early: once one is mapped, the imports are under way.
EARLY_LIBRARIES = ("_multiarray_umath", "_rclpy_pybind11")


def _loading_modules(pid: int) -> bool:
    """Whether process ``pid`` has started loading its compiled modules."""
    try:
        maps = Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False
    return any(library in maps for library in EARLY_LIBRARIES)


@pytest.mark.parametrize("executable", NODES)
@pytest.mark.parametrize(
    "sent, expected", [(signal.SIGINT, 0), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"]
)
def test_a_stop_during_the_imports_is_a_clean_stop(ros_domain_id, executable, sent, expected):
    node = start(node_command(executable))
    wait_for(lambda: _loading_modules(node.pid), f"{executable} to load its modules", alive=[node])
    node.send_signal(sent)
    code, _, stderr = finish(node, timeout_s=30)
    assert code == expected, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
