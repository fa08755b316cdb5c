"""A running node writes every thread's stack on ``STACKS_SIGNAL`` and goes on running.

What the runner sends a node that ignored its SIGINT and SIGTERM before killing it
(``runner.supervisor``), so the log of a hang says where it hung.
"""

from __future__ import annotations

import signal

from processes_util import finish, node_command, start, wait_for

from pose_estimation_ros.nodes.stop_signals import STACKS_SIGNAL


def test_a_node_writes_its_stacks_and_still_stops_cleanly(ros_domain_id, tmp_path):
    log = tmp_path / "bridge.log"
    node = start(node_command("udp_bridge_node"), log=log)
    wait_for(lambda: "sending poses from" in log.read_text(), "the bridge to start", alive=[node])
    node.send_signal(STACKS_SIGNAL)
    # faulthandler: "Current thread 0x... (most recent call first):", then its frames.
    wait_for(
        lambda: "most recent call first" in log.read_text() and "in spin" in log.read_text(),
        "the bridge's stacks",
        alive=[node],
    )
    node.send_signal(signal.SIGINT)
    code, _, _ = finish(node, timeout_s=30)
    assert code == 0, log.read_text()
