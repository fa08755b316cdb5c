"""``python -m pose_estimation_ros.run``: three node processes over DDS, stopped cleanly."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pose_estimation_ros.core.wire.decode import decode_datagram

RUN = [sys.executable, "-P", "-m", "pose_estimation_ros.run", "--quiet"]


def _children(pid: int) -> set[int]:
    """Direct children of ``pid``, read from /proc."""
    children = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.add(int(stat.parent.name))
    return children


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
def test_run_streams_poses_over_udp_and_stops_cleanly_on_ctrl_c(ros_domain_id, asset_dir):
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    receiver.settimeout(60.0)
    port = receiver.getsockname()[1]
    video = asset_dir / "media/opencv/vtest.avi"  # 80 s: Ctrl-C comes long before its end
    runner = subprocess.Popen(
        [*RUN, "--source", str(video), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # Started with SIGINT ignored, as a script's background job is: Ctrl-C must still work.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        frames_with_people = 0
        node_pids: set[int] = set()
        while frames_with_people < 10:
            part = decode_datagram(receiver.recv(65536))
            node_pids |= _children(runner.pid)
            assert part.frame.layout.name == "coco17"
            if any(person.score >= 0.3 for person in part.frame.people):
                frames_with_people += 1
        assert len(node_pids) == 3, f"expected camera, pose and bridge processes, saw {node_pids}"
        runner.send_signal(signal.SIGINT)
        output, _ = runner.communicate(timeout=60)
    finally:
        receiver.close()
        if runner.poll() is None:
            runner.kill()
    assert runner.returncode == 0, output
    assert "Ctrl-C, stopping every node" in output, output
    assert "Traceback" not in output, output  # no node was interrupted mid-callback
    deadline = time.monotonic() + 5.0
    while any(_alive(pid) for pid in node_pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in node_pids if _alive(pid)], "node processes outlived the runner"


@pytest.mark.slow
def test_a_node_that_cannot_start_ends_the_run_with_an_error(ros_domain_id, asset_dir):
    """movenet_thunder weights are not in the shared assets, and tests never download."""
    env = {**os.environ, "POSE_ESTIMATION_ROS_OFFLINE": "1"}
    video = asset_dir / "media/tfjs/pose_1.mp4"
    result = subprocess.run(
        [*RUN, "--source", str(video), "--model", "movenet_thunder"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "pose_node exited with code" in output, output
    assert "movenet_thunder" in output and "not found" in output, output
