"""Start nodes and helper scripts as OS processes, wait on conditions, stop them, find them.

One copy of what every integration test does with processes: the command line of
an installed node (``config/params.yaml`` and ``-p`` overrides), starting it with
its output in a log file or its stderr kept, waiting for a condition while the
processes it needs stay alive, and stopping it as Ctrl-C would (then killing it
when it does not end); also the process tree and session lookups by ``/proc``,
and the runner's command line, its summary line and a params file that paces the camera.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from ament_index_python.packages import get_package_prefix

PACKAGE = "pose_estimation_ros"
REPO_ROOT = Path(__file__).resolve().parent.parent.parent
EXECUTABLES = Path(get_package_prefix(PACKAGE)) / "lib" / PACKAGE
PARAMS_YAML = REPO_ROOT / "config" / "params.yaml"
SCRIPTS = Path(__file__).resolve().parent / "processes"
# The graph as ``make run`` starts it, with one summary line per camera (``core.frame_ledger``).
RUN = [sys.executable, "-P", "-m", "pose_estimation_ros.runner", "--quiet"]
SUMMARY = re.compile(
    r"^run: (\d+) frames published.*, (\d+) poses \((\d+) frames replaced while the pose node "
    r"was busy, (\d+) lost, (\d+) before its first answer, (\d+) in flight at the end\)$",
    re.MULTILINE,
)
PROCESS_TIMEOUT_S = 60.0  # generous: DDS discovery on a loaded 2-core machine
# Every line reaches the log as it is written: a test waits on lines, and a killed process
# leaves its last words.
UNBUFFERED = {"RCUTILS_LOGGING_BUFFERED_STREAM": "0", "PYTHONUNBUFFERED": "1"}


def node_command(
    executable: str, *parameters: str, flags: Iterable[str] = (), params_file: bool = True
) -> list[str]:
    """Command line of an installed node: ``flags``, config/params.yaml, ``name:=value``s."""
    args = [item for p in parameters for item in ("-p", p)]
    files = ["--params-file", str(PARAMS_YAML)] if params_file else []
    return [sys.executable, str(EXECUTABLES / executable), *flags, "--ros-args", *files, *args]


def run_summary(output: str) -> dict[str, int]:
    """Return the counts of the runner's summary line in ``output`` (fail if there is none)."""
    match = SUMMARY.search(output)
    assert match, output
    names = ("frames", "poses", "replaced", "lost", "early", "in_flight")
    return dict(zip(names, map(int, match.groups())))


def paced_params(folder: Path) -> Path:
    """Write config/params.yaml with every frame answered into ``folder``; return its path.

    With ``max_frames_in_flight: 1`` the camera publishes a frame once the previous one has
    its poses, and a reliable image subscription gets the first frame even when the pose
    node's reader matches after the camera saw it: the pose node runs on every frame, in
    order, however slow the machine is.
    """
    params = yaml.safe_load(PARAMS_YAML.read_text())
    params["/**/camera_node"]["ros__parameters"]["max_frames_in_flight"] = 1
    params["/**/pose_node"]["ros__parameters"]["image_reliability"] = "reliable"
    path = folder / "params.yaml"
    path.write_text(yaml.safe_dump(params))
    return path


def script_command(name: str, *args: str) -> list[str]:
    """Command line of a helper script in ``processes/``."""
    return [sys.executable, str(SCRIPTS / name), *args]


def name_of(process: subprocess.Popen) -> str:
    """Return what ``process`` runs, for messages: the script or the program's file name."""
    args = [str(a) for a in process.args]
    return Path(args[1] if args[0] == sys.executable and len(args) > 1 else args[0]).name


def start(command: list[str], log: Path | None = None, **popen: Any) -> subprocess.Popen:
    """Start ``command``, unbuffered: stdout and stderr in ``log``, or as ``popen`` says.

    Without ``log`` stderr is kept as text for ``stop`` unless ``popen`` names its own.
    """
    env = {**popen.pop("env", os.environ), **UNBUFFERED}
    if log is None:
        popen = {"stderr": subprocess.PIPE, "text": True, **popen}
        return subprocess.Popen(command, env=env, **popen)
    with log.open("wb") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, **popen)


def stop(
    process: subprocess.Popen, timeout_s: float = 30.0, sent: int = signal.SIGINT
) -> str:
    """Send ``sent`` (as Ctrl-C by default) if it still runs, wait, kill it after ``timeout_s``.

    Returns what it wrote to the pipes it was started with (stdout, then stderr), "" if none.
    """
    if process.poll() is None:
        process.send_signal(sent)
    try:
        out, err = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
    return (out or "") + (err or "")


@contextmanager
def running(
    command: list[str], log: Path, sent: int = signal.SIGINT, timeout_s: float = 20.0
) -> Iterator[subprocess.Popen]:
    """Run ``command`` with its output in ``log``; on exit, ``stop`` it with ``sent``."""
    process = start(command, log)
    try:
        yield process
    finally:
        stop(process, timeout_s, sent)


def finish(process: subprocess.Popen, timeout_s: float) -> tuple[int, str, str]:
    """Wait for ``process`` to end by itself; its exit code, stdout and stderr (killed if late)."""
    try:
        stdout, stderr = process.communicate(timeout=timeout_s)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return process.returncode, stdout, stderr


def wait_for(
    condition: Callable[[], Any],
    what: str,
    timeout_s: float = PROCESS_TIMEOUT_S,
    alive: Iterable[subprocess.Popen] = (),
    step: Callable[[], object] | None = None,
    detail: Callable[[], str] = lambda: "",
) -> Any:
    """Return ``condition()`` once truthy; fail if a process in ``alive`` ends or time runs out.

    Between polls ``step()`` runs (spin an executor), or a 50 ms sleep; ``detail()`` is added
    to a failure's message.
    """
    alive = list(alive)
    deadline = time.monotonic() + timeout_s
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}{detail()}")
        for process in alive:
            code = process.poll()
            if code is not None:
                raise AssertionError(f"{name_of(process)} exited ({code}) before {what}{detail()}")
        if step is None:
            time.sleep(0.05)
        else:
            step()
    return result


def _stat(pid: int) -> list[str] | None:
    """Fields of ``/proc/PID/stat`` after the command name (state first); None if gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def alive(pid: int) -> bool:
    """Tell whether process ``pid`` exists and is not a zombie."""
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z"


def _pids() -> list[int]:
    return [int(path.name) for path in Path("/proc").iterdir() if path.name.isdigit()]


def children(pid: int) -> set[int]:
    """Return the direct children of ``pid``."""
    return {child for child in _pids() if (fields := _stat(child)) and int(fields[1]) == pid}


def session(session_id: int) -> set[int]:
    """Return the live processes of session ``session_id``."""
    members = set()
    for pid in _pids():
        fields = _stat(pid)
        if fields and int(fields[3]) == session_id and fields[0] != "Z":
            members.add(pid)
    return members


def node_pid(pids: Iterable[int], name: str) -> int:
    """Return the one of ``pids`` that runs node ``name`` (its ``__node:=name`` remapping)."""
    for pid in pids:
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"__node:={name}".encode() in argv:
            return pid
    raise AssertionError(f"no {name} process among {sorted(pids)}")


def receive_until(
    context,
    topic: str,
    msg_type,
    until: Callable[[list], Any],
    alive: Iterable[subprocess.Popen] = (),
    timeout_s: float = PROCESS_TIMEOUT_S,
) -> list:
    """Subscribe to ``topic``; spin until ``until(messages so far)``; return the messages."""
    import rclpy
    from rclpy.executors import SingleThreadedExecutor

    node = rclpy.create_node("test_receiver", context=context)
    received: list = []
    node.create_subscription(msg_type, topic, received.append, 10)
    executor = SingleThreadedExecutor(context=context)
    executor.add_node(node)
    try:
        wait_for(
            lambda: until(received),
            f"messages on {topic}",
            timeout_s,
            alive,
            step=lambda: executor.spin_once(timeout_sec=0.1),
        )
    finally:
        executor.shutdown()
        node.destroy_node()
    return received


def frames_to_folder(video: Path, folder: Path, count: int, first: int = 0) -> Path:
    """Write frames ``first`` to ``first + count - 1`` of ``video`` as JPEG files in ``folder``."""
    import cv2

    folder.mkdir()
    capture = cv2.VideoCapture(str(video))
    capture.set(cv2.CAP_PROP_POS_FRAMES, first)
    for index in range(count):
        ok, frame = capture.read()
        assert ok, f"{video.name} has fewer than {first + count} frames"
        cv2.imwrite(str(folder / f"{index:02d}.jpg"), frame)
    capture.release()
    return folder
