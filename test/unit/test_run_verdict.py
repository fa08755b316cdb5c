"""What the runner makes of the first node that ended: the source's end, a stop, a failure."""

import pytest

from pose_estimation_ros.nodes.shutdown import signal_name
from pose_estimation_ros.runner.supervisor import Exit
from pose_estimation_ros.runner.verdict import CAMERA_END_OF_SOURCE, judge


def test_only_the_camera_end_of_source_status_is_a_clean_end():
    verdict = judge(Exit("camera_node", CAMERA_END_OF_SOURCE))
    assert verdict.source_ended and verdict.code == 0
    assert verdict.line == (
        "run: camera_node reached the end of its source; stopping the other nodes"
    )
    assert not judge(Exit("pose_node", CAMERA_END_OF_SOURCE)).source_ended


@pytest.mark.parametrize(
    "name, code, told",
    [
        ("pose_node", 143, "was stopped by SIGTERM from another process"),
        ("udp_bridge_node", -9, "was stopped by SIGKILL from another process"),
        ("camera_node", 0, "was stopped (exit code 0: a SIGINT) from another process"),
        ("pose_node", 0, "was stopped (exit code 0: a SIGINT) from another process"),
        ("camera_node", -2, "was stopped by SIGINT from another process"),
    ],
)
def test_a_signal_or_an_unasked_end_is_a_stop_by_someone_else(name, code, told):
    verdict = judge(Exit(name, code))
    assert verdict.code == 5 and not verdict.source_ended
    assert verdict.line.startswith(f"run: error: {name} {told}, not by this run: "), verdict.line
    assert verdict.line.endswith("(exit code 5)")


@pytest.mark.parametrize(
    "name, code, told",
    [
        ("camera_node", 65, "camera_node stopped early: its video file is truncated or damaged"),
        ("pose_node", 1, "pose_node exited with code 1 (its error is above)"),
        ("udp_bridge_node", 2, "udp_bridge_node exited with code 2 (its error is above)"),
    ],
)
def test_an_error_status_is_a_failure(name, code, told):
    verdict = judge(Exit(name, code))
    assert verdict.code == 1 and verdict.line.startswith(f"run: error: {told}"), verdict.line
    assert verdict.line.endswith("(exit code 1)")


@pytest.mark.parametrize(
    "code, name", [(-15, "SIGTERM"), (143, "SIGTERM"), (130, "SIGINT"), (0, None), (1, None)]
)
def test_signal_name_reads_both_ways_a_signal_shows_in_an_exit_status(code, name):
    assert signal_name(code) == name
