"""``ros2 launch pose_estimation_ros pose.launch.py`` run as a user runs it (issue 12).

Each test starts the ``ros2`` command as a subprocess in a session of its own
(Ctrl-C is one SIGINT to that process group, as a terminal sends it) and
checks, after the launch ended, that no process of the session is left.
Without a ``ros2`` command (neither a ROS 2 install nor the wheels of
../shared/ros2) the tests are skipped; with ``CI`` set they fail instead.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from bridge_processes import free_udp_port, udp_listener
from processes_util import (
    alive,
    frames_to_folder,
    node_pid,
    paced_params,
    session,
    stop,
    wait_for,
)
from damaged_media import truncated_mp4

from pose_estimation_ros import graph
from pose_estimation_ros.core import assets
from pose_estimation_ros.nodes.conversions import stamp_ns
from pose_estimation_ros.params_file import block_key

pytestmark = pytest.mark.slow

LAUNCH = ["launch", graph.PACKAGE, "pose.launch.py"]
LAUNCH_TIMEOUT_S = 60.0
ERROR_LINE = re.compile(r"^\[ERROR\] \[launch\]: (.*)$", re.MULTILINE)


@pytest.fixture(scope="module")
def ros2() -> str:
    """Return the ``ros2`` command a user would type; skip (fail under CI) where none."""
    path = shutil.which("ros2")
    if path is None:
        reason = "no ros2 command: neither a ROS 2 install nor the ros2 wheels of ../shared/ros2"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return path


class Launch:
    """One ``ros2 launch`` in a new session, its output in a log file."""

    def __init__(self, ros2: str, log: Path, *arguments: str) -> None:
        """Start the launch with ``arguments`` (``name:=value``)."""
        self.log = log
        # A terminal on stdin, as a user's: launch is then interactive and leaves Ctrl-C's
        # SIGINT to the terminal (non-interactive, it sends each node a second one).
        self._terminal, terminal = os.openpty()
        with log.open("w") as stream:
            self.process = subprocess.Popen(
                [ros2, *LAUNCH, *arguments],
                stdout=stream,
                stderr=subprocess.STDOUT,
                stdin=terminal,
                start_new_session=True,
            )
        os.close(terminal)
        self.members: set[int] = set()  # the session's processes seen while it ran

    def running(self) -> bool:
        """Tell whether ``ros2 launch`` still runs (and note its session's processes)."""
        self.members |= session(self.process.pid)
        return self.process.poll() is None

    def wait(self, timeout_s: float = LAUNCH_TIMEOUT_S) -> tuple[int, str]:
        """Return the exit code and output, once the launch ended by itself."""
        try:
            code = self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            pytest.fail(f"launch still running after {timeout_s} s:\n{self.output()}")
        return code, self.output()

    def ctrl_c(self) -> tuple[int, str]:
        """Send one SIGINT to the process group, as Ctrl-C in a terminal does; wait for the end."""
        self.running()
        os.killpg(self.process.pid, signal.SIGINT)
        return self.wait()

    def output(self) -> str:
        """Return everything the launch printed so far."""
        return self.log.read_text(errors="replace")

    def left_running(self) -> set[int]:
        """Return the processes of the launch's session still alive (once it ended)."""
        return session(self.process.pid) | {pid for pid in self.members if alive(pid)}

    def stop(self) -> None:
        """Leave nothing running, whatever the test saw."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
        for pid in self.left_running():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass  # ended meanwhile
        stop(self.process, 20, signal.SIGKILL)
        os.close(self._terminal)


@pytest.fixture
def launch(ros2, ros_domain_id, tmp_path):
    """Start ``ros2 launch`` with the given arguments; everything is stopped after the test."""
    started = []

    def start(*arguments: str) -> Launch:
        started.append(Launch(ros2, tmp_path / f"launch{len(started)}.log", *arguments))
        return started[-1]

    yield start
    for each in started:
        each.stop()


def _ros2(ros2: str, *command: str) -> str:
    """Return the output of a ``ros2`` command line, typed as a user does (daemon)."""
    done = subprocess.run([ros2, *command], capture_output=True, text=True, timeout=30)
    return done.stdout + done.stderr


@pytest.fixture
def ros2_daemon(ros2, ros_domain_id):
    """Start the test domain's ``ros2`` daemon early (it discovers as the graph starts).

    It is stopped after the test.
    """
    _ros2(ros2, "daemon", "start")
    yield
    _ros2(ros2, "daemon", "stop")


def _until(condition, what: str, timeout_s: float = LAUNCH_TIMEOUT_S):
    """Poll ``condition`` every 0.2 s (some ask the ``ros2`` tools) until it holds."""
    return wait_for(condition, what, timeout_s, step=lambda: time.sleep(0.2))


def test_show_args_lists_every_graph_argument_with_its_description(ros2):
    done = subprocess.run(
        [ros2, *LAUNCH, "--show-args"], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    for arg in graph.ARGUMENTS:
        assert f"'{arg.name}':\n        {arg.description}\n" in done.stdout
        assert f"(default: '{arg.default}')" in done.stdout


def _rviz_installed() -> bool:
    from ament_index_python.packages import PackageNotFoundError, get_package_prefix

    try:
        get_package_prefix("rviz2")
    except PackageNotFoundError:
        return False
    return True


@pytest.mark.parametrize(
    "argument, error",
    [
        (
            "rviz:=true",
            "rviz2 is not installed: install ros-{distro}-rviz2 or leave rviz:=false",
        ),
        (
            "params_file:=/no/such/params.yaml",
            "cannot read params file /no/such/params.yaml: No such file or directory",
        ),
        ("use_bridge:=maybe", "use_bridge:=maybe is not a boolean: use true or false (or 1 or 0)"),
        ("rviz:=yes", "rviz:=yes is not a boolean: use true or false (or 1 or 0)"),
    ],
)
def test_bad_argument_is_one_error_and_starts_nothing(launch, argument, error):
    if argument == "rviz:=true" and _rviz_installed():
        pytest.skip("rviz2 is installed here")
    run = launch(argument)
    code, output = run.wait()
    distro = os.environ.get("ROS_DISTRO") or "<distro>"
    assert code == 1, output
    assert ERROR_LINE.findall(output) == [
        "Caught exception in launch (see debug for traceback): " + error.format(distro=distro)
    ], output
    assert "process started" not in output
    assert not run.left_running()


@pytest.mark.parametrize(
    "argument, node, error",
    [
        ("model:=nope", "pose_node", "parameter 'model' must be one of"),
        ("source:=/no/such/file", "camera_node", "/no/such/file"),
        ("port:=99999", "udp_bridge_node", "port"),
        ("host:=no-such-host.invalid", "udp_bridge_node", "no-such-host.invalid"),
    ],
)
def test_node_failing_at_start_stops_the_launch_with_an_error(launch, argument, node, error):
    video = assets.resolve("pose_1_video")
    run = launch(f"source:={video}", argument)  # the camera waits for the pose node
    code, output = run.wait()
    assert code == 1, output
    node_errors = [
        line for line in output.splitlines() if line.startswith(f"[{node}-") and "ERROR" in line
    ]
    assert node_errors and error in node_errors[0], output
    assert (
        f"Caught exception in launch (see debug for traceback): {node} exited with code 1 "
        "(its error is above): stopped the whole graph" in ERROR_LINE.findall(output)
    ), output
    assert not run.left_running(), output


def _pose_subscriber(context):
    import rclpy
    from rclpy.executors import SingleThreadedExecutor

    from pose_estimation_ros.msg import PoseArray
    from pose_estimation_ros.nodes.pose_node import POSES_QOS

    node = rclpy.create_node("launch_test_poses", context=context)
    received = []
    node.create_subscription(PoseArray, "poses", received.append, POSES_QOS)
    executor = SingleThreadedExecutor(context=context)
    executor.add_node(node)
    return executor, received


def test_video_to_its_end_gives_poses_and_ends_the_launch_cleanly(
    launch, ros_context, tmp_path
):
    executor, received = _pose_subscriber(ros_context)
    # The camera paced by the poses (processes_util.paced_params): the launch ends once the
    # video's last frame has its poses, and every frame has them however busy the machine.
    # The source is the params file's: an argument not given leaves it (device 0 would fail).
    params_file = paced_params(tmp_path)
    params = yaml.safe_load(params_file.read_text())
    camera = params[block_key("camera_node")]["ros__parameters"]
    camera["source"] = str(assets.resolve("pose_1_video"))
    params_file.write_text(yaml.safe_dump(params))
    run = launch(f"port:={free_udp_port()}", f"params_file:={params_file}")
    code, output = _run_to_the_end(run, executor, LAUNCH_TIMEOUT_S)
    assert code == 0, output
    assert any(person.score >= 0.3 for msg in received for person in msg.poses), output
    assert len({stamp_ns(m) for m in received}) == 120, output  # the video's every frame
    assert "process has died" not in output
    assert "[camera_node-1]: process has finished cleanly" in output
    assert not run.left_running(), output


def test_hri_and_detections_switch_on_their_nodes(launch, ros_context):
    import rclpy
    from hri_msgs.msg import IdsList
    from rclpy.executors import SingleThreadedExecutor
    from vision_msgs.msg import Detection2DArray

    node = rclpy.create_node("launch_test_outputs", context=ros_context)
    tracked, detections = [], []
    node.create_subscription(IdsList, "/humans/bodies/tracked", tracked.append, 100)
    node.create_subscription(Detection2DArray, "detections", detections.append, 100)
    executor = SingleThreadedExecutor(context=ros_context)
    executor.add_node(node)
    run = launch(
        f"source:={assets.resolve('pose_1_video')}", "use_bridge:=false", "hri:=true",
        "detections:=True",
    )
    code, output = _run_to_the_end(run, executor, LAUNCH_TIMEOUT_S)
    node.destroy_node()
    assert code == 0, output
    assert "[hri_node-3]: process has finished cleanly" in output
    assert "[detections_node-4]: process has finished cleanly" in output
    assert any(re.fullmatch(r"b\d+_[a-z]{4}", i) for msg in tracked for i in msg.ids), output
    people = [d for msg in detections for d in msg.detections]
    assert people and all(d.results[0].hypothesis.class_id == "person" for d in people), output


def test_running_graph_answers_ros2_tools_and_stops_cleanly_on_ctrl_c(
    ros2, ros2_daemon, launch, tmp_path
):
    params = yaml.safe_load(Path(_installed_params()).read_text())
    # Still up while the tools ask; at 5 frames/s the model leaves the tools CPU time.
    params[block_key("camera_node")]["ros__parameters"].update(loop=True, fps=5.0)
    params_file = tmp_path / "params.yaml"
    params_file.write_text(yaml.safe_dump(params))
    with udp_listener("0.0.0.0") as sock:
        run = launch(
            f"source:={assets.resolve('pose_1_video')}",
            f"params_file:={params_file}",
            "host:=127.255.255.255",
            "mode:=broadcast",
            f"port:={sock.getsockname()[1]}",
            "use_bridge:=True",
        )

        def datagram():
            assert run.running(), run.output()
            try:
                return sock.recv(65536)
            except TimeoutError:
                return None

        _until(datagram, "a broadcast datagram from the bridge")
    nodes = _until(
        lambda: {"/camera_node", "/pose_node", "/udp_bridge_node"}
        <= set(_ros2(ros2, "node", "list").split()),
        "ros2 node list to show the three nodes",
    )
    assert nodes
    # The daemon's first answers can be incomplete: ask again until it has seen everything.
    _until(
        lambda: _ros2(ros2, "lifecycle", "get", "/pose_node").startswith("active [3]"),
        "ros2 lifecycle get /pose_node to say active",
    )
    _until(
        lambda: "Parameter name: model"
        in _ros2(ros2, "param", "describe", "/pose_node", "model"),
        "ros2 param describe /pose_node model",
    )
    _until(
        lambda: "model: movenet_lightning" in _ros2(ros2, "topic", "echo", "/poses", "--once"),
        "ros2 topic echo /poses --once to print a PoseArray",
    )
    assert run.running(), run.output()
    assert len(run.members) >= 4, run.members  # ros2 launch and its three nodes
    code, output = run.ctrl_c()
    assert code == 0, output
    assert "process has died" not in output
    assert not run.left_running(), output


def test_a_node_stopped_by_another_process_stops_the_launch_with_an_error(launch, ros_context):
    executor, received = _pose_subscriber(ros_context)
    try:
        run = launch(f"source:={assets.resolve('vtest_video')}", f"port:={free_udp_port()}")
        _until(lambda: executor.spin_once(timeout_sec=0.1) or received, "a PoseArray")
        os.kill(node_pid(session(run.process.pid), "pose_node"), signal.SIGTERM)
        code, output = run.wait()
    finally:
        executor.shutdown()
    assert code == 1, output
    assert ERROR_LINE.findall(output) == [
        "Caught exception in launch (see debug for traceback): pose_node was stopped by SIGTERM "
        "from another process: stopped the whole graph"
    ], output
    assert "process has died" in output and "exit code 143" in output, output
    assert "[camera_node-1]: process has finished cleanly" in output, output  # stopped by launch
    assert not run.left_running(), output


def test_a_truncated_video_stops_the_launch_with_an_error(launch, asset_dir, tmp_path):
    cut = truncated_mp4(asset_dir / "media/tfjs/pose_1.mp4", tmp_path / "cut.mp4", 0.5)
    run = launch(f"source:={cut}", f"port:={free_udp_port()}")
    code, output = run.wait()
    assert code == 1, output
    lines = output.splitlines()
    camera_errors = [x for x in lines if x.startswith("[camera_node-") and "ERROR" in x]
    assert len(camera_errors) == 1 and "of the 120 frames it declares" in camera_errors[0], output
    assert (
        "Caught exception in launch (see debug for traceback): camera_node exited with code 65 "
        "(its error is above): stopped the whole graph" in ERROR_LINE.findall(output)
    ), output
    assert "end of source" not in output
    assert not run.left_running(), output


def _idle_pose_node(tmp_path: Path) -> str:
    """Return a ``params_file:=`` argument leaving the pose node unconfigured (no autostart).

    The camera starts at its first reader: with the pose node reading too, the test's own
    reader could match after the first frames.
    """
    params = yaml.safe_load(Path(_installed_params()).read_text())
    params[block_key("pose_node")]["ros__parameters"]["autostart"] = False
    path = tmp_path / "idle_pose_node.yaml"
    path.write_text(yaml.safe_dump(params))
    return f"params_file:={path}"


def _installed_params() -> str:
    from ament_index_python.packages import get_package_share_directory

    return os.path.join(get_package_share_directory(graph.PACKAGE), "config", "params.yaml")


@pytest.fixture
def short_folder(tmp_path: Path) -> Path:
    """Return the sample video's first 10 frames as an image folder: 1 s at 10 frames/s."""
    return frames_to_folder(assets.resolve("pose_1_video"), tmp_path / "frames", 10)


def _node_argvs(pids) -> dict[str, list[str]]:
    """Return the argv of each node process among ``pids``, keyed ``cam1/camera_node``."""
    argvs = {}
    for pid in pids:
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
        except OSError:
            continue
        rules = dict(item.split(":=", 1) for item in argv if item.startswith("__"))
        if "__node" in rules:
            argvs[graph.join_namespace(rules.get("__ns", ""), rules["__node"])] = argv
    return argvs


def _parameters(argv: list[str]) -> dict[str, object]:
    """Return the parameters launch_ros set in a node's own files (after the params file)."""
    files = [argv[i + 1] for i, item in enumerate(argv) if item == "--params-file"][1:]
    parameters = {}
    for path in files:  # launch_ros writes lists as !!python/tuple (rcl reads them as lists)
        (block,) = yaml.load(Path(path).read_text(), Loader=yaml.FullLoader).values()
        parameters.update(block["ros__parameters"])
    return parameters


def test_several_sources_start_a_camera_each_and_one_pose_node_for_all(launch, short_folder):
    video = assets.resolve("pose_1_video")
    run = launch(f"sources:=[{video}, {short_folder}]", "use_bridge:=false")
    names = ["cam1/camera_node", "cam2/camera_node", "pose_node"]
    _until(
        lambda: run.running() and sorted(_node_argvs(run.members)) == names,
        f"the launch to start {names}",
    )
    argvs = _node_argvs(run.members)
    for camera, source in (("cam1", str(video)), ("cam2", str(short_folder))):
        assert f"__ns:=/{camera}" in argvs[f"{camera}/camera_node"]
        parameters = _parameters(argvs[f"{camera}/camera_node"])
        assert parameters["source"] == source
        assert parameters["frame_id"] == f"{camera}_camera_optical_frame"
        assert parameters["pace_topic"] == "poses"
    assert "__ns:=/" in argvs["pose_node"]  # the graph's own namespace
    assert tuple(_parameters(argvs["pose_node"])["cameras"]) == ("cam1", "cam2")
    code, output = run.ctrl_c()
    assert code == 0, output
    assert not run.left_running(), output


def _readers(context, topics: list[str], image: bool = False):
    """Subscribe to each of ``topics`` (PoseArrays, or images); return executor, messages."""
    import rclpy
    from rclpy.executors import SingleThreadedExecutor
    from sensor_msgs.msg import Image

    from pose_estimation_ros.msg import PoseArray
    from pose_estimation_ros.nodes.pose_node import POSES_QOS

    node = rclpy.create_node("launch_test_readers", context=context)
    received = {topic: [] for topic in topics}
    for topic, messages in received.items():
        if image:
            node.create_subscription(Image, topic, messages.append, 100)
        else:
            node.create_subscription(PoseArray, topic, messages.append, POSES_QOS)
    executor = SingleThreadedExecutor(context=context)
    executor.add_node(node)
    return executor, received


def _run_to_the_end(run, executor, timeout_s: float = 2 * LAUNCH_TIMEOUT_S) -> tuple[int, str]:
    """Spin the test's subscriptions until the launch ends by itself."""
    try:
        deadline = time.monotonic() + timeout_s
        while run.running() and time.monotonic() < deadline:
            executor.spin_once(timeout_sec=0.1)
        return run.wait(timeout_s=5)
    finally:
        executor.shutdown()


def test_several_cameras_run_until_the_last_source_ended(launch, ros_context, short_folder):
    executor, received = _readers(ros_context, ["cam1/poses", "cam2/poses"])
    video = assets.resolve("pose_1_video")
    run = launch(f"sources:=[{video}, {short_folder}]", "use_bridge:=false")
    code, output = _run_to_the_end(run, executor)
    assert code == 0, output
    # The folder (1 s) ends first; the video (4 s) plays to its end all the same.
    assert "cam2/camera_node ended (the end of its source); 1 other camera(s) go on" in output
    assert output.index("go on") < output.rindex("end of source: ")
    for topic, messages in received.items():
        camera = topic.split("/")[0]
        assert messages, f"no poses on {topic}:\n{output}"
        assert {m.header.frame_id for m in messages} == {f"{camera}_camera_optical_frame"}
    stamps = sorted({stamp_ns(m) for m in received["cam1/poses"]})
    assert (stamps[-1] - stamps[0]) / 1e9 >= 3.5, output  # the video to its end
    assert "process has died" not in output
    assert not run.left_running(), output


def test_cameras_end_one_by_one_and_the_last_one_ends_the_launch(
    launch, ros_context, short_folder, tmp_path
):
    # The test reads the images itself (each camera waits for one reader): no poses needed.
    shorter = tmp_path / "shorter"
    shorter.mkdir()
    for frame in sorted(short_folder.iterdir())[:3]:
        shutil.copy(frame, shorter / frame.name)
    executor, received = _readers(ros_context, ["cam1/image_raw", "cam2/image_raw"], image=True)
    run = launch(
        f"sources:=[{short_folder}, {shorter}]", "use_bridge:=false", _idle_pose_node(tmp_path)
    )
    code, output = _run_to_the_end(run, executor)
    assert code == 0, output
    # The shorter source usually ends first, but a camera that starts late on a loaded machine
    # may end last: either order is one camera ending while the other goes on.
    first = re.search(r"(cam[12])/camera_node ended \(the end of its source\); 1 other", output)
    assert first, output
    # Said while the other camera still ran: before launch saw its process end (its own "end of
    # source" may come first when the first camera's process is slow to exit).
    last = {"cam1": "camera_node-2", "cam2": "camera_node-1"}[first.group(1)]
    assert output.index("go on") < output.index(f"[{last}]: process has finished"), output
    for process in ("camera_node-1", "camera_node-2"):
        assert f"[{process}]: process has finished cleanly" in output, output
    assert [len(received[f"cam{i}/image_raw"]) for i in (1, 2)] == [10, 3], output
    assert {m.header.frame_id for m in received["cam2/image_raw"]} == {
        "cam2_camera_optical_frame"
    }
    assert "process has died" not in output
    assert not run.left_running(), output


def test_a_failing_camera_leaves_the_others_running_and_fails_the_launch(
    launch, ros_context, short_folder, tmp_path
):
    executor, received = _readers(ros_context, ["cam1/image_raw"], image=True)
    run = launch(
        f"sources:=[{short_folder}, /no/such/file]", "use_bridge:=false", _idle_pose_node(tmp_path)
    )
    code, output = _run_to_the_end(run, executor)
    assert code == 1, output
    assert len(received["cam1/image_raw"]) == 10, output  # the first camera ran to its end
    assert (
        "Caught exception in launch (see debug for traceback): cam1/camera_node ended, the last "
        "camera; earlier cam2/camera_node exited with code 1 (its error is above)"
        in ERROR_LINE.findall(output)
    ), output
    assert "cam2/camera_node exited with code 1 (its error is above); 1 other camera(s) go on" in (
        output
    )
    assert not run.left_running(), output
