"""``make run``, ``python -m pose_estimation_ros.runner``: the graph without ``ros2 launch``.

Starts the camera, pose and UDP bridge nodes as separate processes over DDS,
exactly as ``launch/pose.launch.py`` would (same graph definition, same
params file, same argument-to-parameter mapping), shows a live status line,
and stops every process on Ctrl-C or when any of them ends. Only the camera
reaching the end of its source is a clean end (``runner.verdict``): a node
stopped by something else (a signal from another process) or failing ends the
run with one line that says which node, what happened and what to do.

Every frame is accounted for (``core.frame_ledger``): answered by a pose,
replaced while the pose node was busy (by design), or lost. A loss is never
silent: the run ends with one summary line, and when frames came in but no
poses came out, or more than 1 % of the frames were lost, with one line on
stderr that says what to check, and exit code 3.

Each run holds a ROS domain of its own (``runner.domain``): without
``ROS_DOMAIN_ID`` it picks one that no other run or test on this machine
holds, so two runs never take each other's frames; a ``ROS_DOMAIN_ID`` that
another run holds is refused (exit code 4), since two graphs in one domain
would mix their frames and poses.

Exit codes: 0 the run ended cleanly (Ctrl-C, also while the pose model
loads, or the camera reached the end of its source) and every frame is
accounted for; 1 a node failed (its error is in its log: a parameter, a
model, a truncated or damaged video); 2 bad arguments, a params file that is
missing or not YAML (checked before any node starts), or a missing asset; 3
frames lost or no poses at all; 4 the ROS domain is taken; 5 a node was
stopped by something other than this run (SIGTERM, SIGKILL or SIGINT from
another process); 143 the runner itself got SIGTERM (it stops every node).
A node that ignores the run's SIGINT and SIGTERM is killed once it wrote its
threads' stacks to the log: one warning line, the exit code unchanged.

Several cameras (``--sources a.mp4 0 /data/frames``, as ``sources:=`` of the
launch file): a camera's end, clean or not, stops only that camera; the run
ends when the last camera has ended (exit code of the first camera that
failed, if any), or at once when the pose node or the bridge ends. The status
and the frame accounting are per camera, one line each (``cam1: ...``).

Two runner-only parameters: the camera waits for its first reader (the pose
node), so the sample video is not half played while the model loads, and
``--record`` turns on the pose node's annotated image.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from pathlib import Path

import rclpy
import yaml
from rclpy.signals import SignalHandlerOptions

from pose_estimation_ros import graph
from pose_estimation_ros.core import assets
from pose_estimation_ros.core.frame_ledger import LedgerCounts, loss_problem
from pose_estimation_ros.nodes.camera_node import END_OF_SOURCE_FLAG
from pose_estimation_ros.nodes.transport import PROFILES_VARIABLE, use_large_frame_transports
from pose_estimation_ros.runner.commands import graph_commands
from pose_estimation_ros.runner.domain import DomainTaken, hold_domain
from pose_estimation_ros.runner.monitor import Monitor
from pose_estimation_ros.runner.supervisor import Supervisor
from pose_estimation_ros.runner.verdict import (
    CAMERA_END_OF_SOURCE,
    camera_of,
    judge,
    killed_at_stop,
)

DEFAULT_SOURCE_ASSET = "pose_1_video"
EXIT_FRAMES_LOST = 3
EXIT_DOMAIN_TAKEN = 4
CAMERA_MATCH_TIMEOUT_S = 10.0
LAST_POSES_TIMEOUT_S = 10.0  # after the camera's end: the pose node answers its last frames


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    """Command-line flags, one per launch argument (``--source`` for ``source:=``, ...)."""
    parser = argparse.ArgumentParser(prog="run", description=__doc__.splitlines()[0])
    for arg in graph.ARGUMENTS:
        if arg.name == "rviz":
            continue  # RViz is not installable without ROS; use ros2 launch for it
        flag = f"--{arg.name.replace('_', '-')}"
        if arg.name == "source":  # here the sample video, where launch reads the params file
            sample = assets.get_asset(DEFAULT_SOURCE_ASSET).files[0].relative_path
            help_text = f"{arg.description}; not given here: the sample video {sample}"
            parser.add_argument(flag, default=None, help=help_text)
        elif arg.name == "sources":  # a list of flags' values, not one YAML list
            parser.add_argument(
                flag, nargs="+", metavar="SOURCE", help=f"{arg.description.split(':')[0]}: one "
                "camera per SOURCE (what --source takes), in namespaces cam1, cam2, ..."
            )
        elif arg.name == "params_file":  # its description names its default
            parser.add_argument(flag, default=arg.default, help=arg.description)
        elif arg.switch:  # a bare --hri is --hri true; --use-bridge false still works
            help_text = f"{arg.description}; the flag alone: true (default: {arg.default})"
            parser.add_argument(
                flag, nargs="?", const="true", default=arg.default, metavar="BOOL", help=help_text
            )
        else:  # one that sets a parameter says itself what not giving it means
            help_text = arg.description
            if not arg.node:
                help_text += f" (default: {arg.default or repr(arg.default)})"
            parser.add_argument(flag, default=arg.default, help=help_text)
    parser.add_argument("--record", type=Path, help="write the annotated video to this file")
    parser.add_argument(
        "--record-fps",
        type=float,
        default=30.0,
        help="frame rate of --record (default: %(default)s)",
    )
    parser.add_argument("--quiet", action="store_true", help="no live status line")
    return parser.parse_args(argv)


def launch_arguments(options: argparse.Namespace) -> dict[str, str]:
    """Launch-argument values from the flags; the one source defaults to the sample video."""
    arguments = {arg.name: getattr(options, arg.name, None) for arg in graph.ARGUMENTS}
    if arguments["sources"] is not None:  # typed like the launch file's YAML list
        sources = [graph.parse_value(source) for source in arguments["sources"]]
        arguments["sources"] = yaml.safe_dump(sources, default_flow_style=True).strip()
    elif arguments["source"] is None:
        arguments["source"] = str(assets.resolve(DEFAULT_SOURCE_ASSET))
    return {name: value for name, value in arguments.items() if value is not None}


def show_status(monitor: Monitor, stop: threading.Event, interactive: bool) -> None:
    """Print the status: one line rewritten in place on a terminal, else lines every 5 s."""
    period = 1.0 if interactive else 5.0
    while not stop.wait(period):
        lines = monitor.lines(time.time())
        if interactive and len(lines) == 1:
            print(f"\r{lines[0]}", end="", flush=True)
        else:
            print("\n".join(lines), flush=True)


class Stopped(KeyboardInterrupt):
    """The runner got SIGINT (Ctrl-C) or SIGTERM: it stops every node."""

    def __init__(self, signum: int) -> None:
        """Remember the signal."""
        super().__init__(signum)
        self.signum = signum


def supervise(supervisor: Supervisor, names: list[str], monitor: Monitor) -> int:
    """Run until the last camera or another node ends, or Ctrl-C; stop all; return the exit code.

    The nodes after the cameras start once the runner hears each camera (at
    most ``CAMERA_MATCH_TIMEOUT_S`` later): a camera publishes its first frame
    when the pose node listens, and the runner must count that one too.
    """
    print(f"run: starting {', '.join(names)}", flush=True)
    code = 0
    try:
        for name in names:
            supervisor.start(name)
            if (camera := camera_of(name)) is not None:
                monitor.wait_for_camera(camera, CAMERA_MATCH_TIMEOUT_S)
        code = _until_the_end(supervisor, names, monitor)
    except Stopped as stop:
        if stop.signum == signal.SIGTERM:
            print("\nrun: SIGTERM, stopping every node (exit code 143)", flush=True)
            code = 128 + signal.SIGTERM
        else:
            print("\nrun: Ctrl-C, stopping every node", flush=True)
    finally:
        monitor.end(time.time())
        codes = supervisor.stop()
    print(f"run: exit codes {codes}", flush=True)
    for line in killed_at_stop(codes):
        print(line, file=sys.stderr, flush=True)
    return code


def _until_the_end(supervisor: Supervisor, names: list[str], monitor: Monitor) -> int:
    """Judge each node's end until the last camera or another node ended; return the exit code.

    A camera's end stops only that camera while others run; the code is that
    of the first end that was not clean, else 0.
    """
    running = [name for name in names if camera_of(name) is not None]
    code = 0
    while True:
        ended = supervisor.next_exit()
        if ended.name in running:
            running.remove(ended.name)
        last = camera_of(ended.name) is None or not running
        verdict = judge(ended, others_go_on=not last)
        code = code or verdict.code
        if last and code == 0:
            # The last frames' poses are still on their way.
            monitor.wait_until_settled(LAST_POSES_TIMEOUT_S)
        stream = sys.stdout if verdict.code == 0 else sys.stderr
        print(f"\n{verdict.line}", file=stream, flush=True)
        if last:
            return code


def loss_report(counts: LedgerCounts, camera: str = "") -> str | None:
    """Return the one stderr line for a run (or its ``camera``) that lost frames, or ``None``."""
    problem = loss_problem(counts)
    if problem is None:
        return None
    if camera:
        problem = f"{camera}: {problem}"
    profile = os.environ.get(PROFILES_VARIABLE)
    setup = f"{PROFILES_VARIABLE}={profile}" if profile else f"{PROFILES_VARIABLE} unset"
    return (
        f"run: error: {problem}: the frames were lost on their way to the pose node (or it "
        f"rejected them: its log says); check the Fast DDS transports ({setup}, "
        f"ROS_AUTOMATIC_DISCOVERY_RANGE="
        f"{os.environ.get('ROS_AUTOMATIC_DISCOVERY_RANGE', 'unset')}): a profile must give 1.3 MB "
        "frames shared memory and socket buffers of several MB, see docs/deployment.md "
        f"(exit code {EXIT_FRAMES_LOST})"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the graph until Ctrl-C or until a node ends; return the run's exit code."""
    options = parse_arguments(argv)
    try:
        arguments = launch_arguments(options)
    except assets.AssetError as error:
        print(f"run: {error}", file=sys.stderr)
        return 2
    try:  # before any node starts: each would print its own traceback about it
        graph.check_arguments(arguments)
    except graph.ArgumentError as error:
        print(f"run: error: {error} (exit code 2)", file=sys.stderr)
        return 2
    try:
        domain = hold_domain()
    except DomainTaken as error:
        print(f"run: error: {error} (exit code {EXIT_DOMAIN_TAKEN})", file=sys.stderr)
        return EXIT_DOMAIN_TAKEN
    extra: dict[str, dict[str, object]] = {}
    if options.record:
        extra["pose_node"] = {"publish_annotated": True}
    commands = graph_commands(arguments, extra)
    # A camera's own exit status at the end of its source: its 0 is then a stop by SIGINT.
    for name, command in commands.items():
        if camera_of(name) is not None:
            command[1:1] = [END_OF_SOURCE_FLAG, str(CAMERA_END_OF_SOURCE)]
    # Ctrl-C and SIGTERM stop the run through ``Stopped`` in this thread, which then
    # stops the nodes; rclpy's own handlers would shut the runner's context down first. SIGINT
    # too: Python leaves it ignored when started ignored (a background job of a script).
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    use_large_frame_transports("run")
    rclpy.init(signal_handler_options=SignalHandlerOptions.NO)
    monitor = Monitor(arguments, extra, options.record, options.record_fps)
    stop_status = threading.Event()
    if not options.quiet:
        printer = threading.Thread(
            target=show_status, args=(monitor, stop_status, sys.stdout.isatty())
        )
        printer.start()
    try:
        code = supervise(Supervisor(commands), list(commands), monitor)
    finally:
        stop_status.set()
        monitor.close()
        rclpy.try_shutdown()
        if domain is not None:
            domain.release()
    for watch, counts in monitor.counts(time.time()):
        print(f"run: {watch.tagged(counts.summary())}", flush=True)
        if watch.recorder is not None:
            print(f"run: wrote {watch.recorder.frames} annotated frames to {watch.record_path}")
        if code in (0, EXIT_FRAMES_LOST) and (report := loss_report(counts, watch.name)):
            print(report, file=sys.stderr, flush=True)
            code = EXIT_FRAMES_LOST
    return code


def _interrupt(signum: int, _frame: object) -> None:
    raise Stopped(signum)
