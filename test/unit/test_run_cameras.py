"""``make run`` with several cameras: each camera's end, the run's end and its exit code."""

import sys
from pathlib import Path

import pytest

from pose_estimation_ros.runner import cli
from pose_estimation_ros.runner.commands import graph_commands
from pose_estimation_ros.runner.supervisor import Exit, Supervisor
from pose_estimation_ros.runner.verdict import CAMERA_END_OF_SOURCE, camera_of, judge

NAMES = ["cam1/camera_node", "cam2/camera_node", "pose_node", "udp_bridge_node"]


class _Ends:
    """Stands in for the supervisor: the nodes end in the order given."""

    def __init__(self, *ends: tuple[str, int]) -> None:
        self._ends = [Exit(name, code) for name, code in ends]

    def next_exit(self) -> Exit:
        return self._ends.pop(0)


class _Monitor:
    settled = False

    def wait_until_settled(self, timeout_s: float) -> None:
        self.settled = True


def _run(capsys, *ends: tuple[str, int]) -> tuple[int, list[str], bool]:
    monitor = _Monitor()
    code = cli._until_the_end(_Ends(*ends), NAMES, monitor)
    out, err = capsys.readouterr()
    return code, (out + err).split(), monitor.settled


def test_the_run_ends_when_the_last_camera_reached_its_end(capsys):
    end = CAMERA_END_OF_SOURCE
    code, _, settled = _run(capsys, ("cam2/camera_node", end), ("cam1/camera_node", end))
    assert code == 0 and settled


def test_a_failing_camera_lets_the_other_go_on_and_fails_the_run(capsys):
    ends = [("cam1/camera_node", 1), ("cam2/camera_node", CAMERA_END_OF_SOURCE)]
    code, words, settled = _run(capsys, *ends)
    assert code == 1 and not settled
    assert " ".join(words).count("the other cameras go on") == 1


def test_the_pose_node_ending_ends_the_run_at_once(capsys):
    code, words, _ = _run(capsys, ("pose_node", 1), ("cam1/camera_node", CAMERA_END_OF_SOURCE))
    assert code == 1 and "stopping the other nodes" in " ".join(words)


def test_cameras_are_told_apart_by_their_namespace():
    assert [camera_of(name) for name in NAMES] == ["cam1", "cam2", None, None]
    assert camera_of("camera_node") == ""
    verdict = judge(Exit("cam1/camera_node", CAMERA_END_OF_SOURCE), others_go_on=True)
    assert verdict.line == (
        "run: cam1/camera_node reached the end of its source; the other cameras go on"
    )


def test_sources_flags_become_the_launch_files_yaml_list():
    options = cli.parse_arguments(["--sources", "a.mp4", "0", "/data/frames, 2"])
    arguments = cli.launch_arguments(options)
    assert arguments["sources"] == "[a.mp4, 0, '/data/frames, 2']"
    assert "source" not in arguments  # no sample video: the sources are the cameras


def test_switches_are_bare_flags_or_take_a_value():
    options = cli.parse_arguments(["--hri", "--detections", "--use-bridge", "false"])
    arguments = cli.launch_arguments(options)
    assert (arguments["hri"], arguments["detections"], arguments["use_bridge"]) == (
        "true", "true", "false"
    )
    defaults = cli.launch_arguments(cli.parse_arguments(["--sources", "a.mp4", "b.mp4"]))
    assert (defaults["hri"], defaults["detections"], defaults["use_bridge"]) == (
        "false", "false", "true"
    )
    commands = graph_commands(
        cli.launch_arguments(cli.parse_arguments(["--sources", "a.mp4", "b.mp4", "--hri"]))
    )
    assert list(commands)[-2:] == ["udp_bridge_node", "hri_node"]
    assert "cameras:=[cam1, cam2]" in commands["hri_node"]


def _exits_once_released(release: Path, code: int) -> list[str]:
    """Command of a process that exits with ``code`` once the file ``release`` exists."""
    wait = f"while not os.path.exists({str(release)!r}): time.sleep(0.01)"
    return [sys.executable, "-c", f"import os, sys, time\n{wait}\nsys.exit({code})"]


@pytest.mark.parametrize("first", ["p0", "p1"])
def test_next_exit_tells_each_process_once_in_the_order_they_end(first, tmp_path):
    # Each process ends only when the test releases it: the order is the test's, not a race.
    codes = {"p0": 3, "p1": 0}
    commands = {name: _exits_once_released(tmp_path / name, code) for name, code in codes.items()}
    supervisor = Supervisor(commands)
    try:
        for name in commands:
            supervisor.start(name)
        for name in (first, *(name for name in codes if name != first)):
            (tmp_path / name).touch()
            assert supervisor.next_exit(0.01) == Exit(name, codes[name])
    finally:
        supervisor.stop()
