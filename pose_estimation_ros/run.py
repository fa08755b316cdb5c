"""``make run`` / ``python -m pose_estimation_ros.run``: the whole graph without ``ros2 launch``.

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

Each run holds a ROS domain of its own (``core.domain_lock``): without
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
from rclpy.executors import SingleThreadedExecutor
from rclpy.signals import SignalHandlerOptions
from rclpy.node import Node

from pose_estimation_ros import graph
from pose_estimation_ros.core import assets, domain_lock
from pose_estimation_ros.core.frame_ledger import FrameLedger, LedgerCounts, loss_problem
from pose_estimation_ros.nodes.camera_node import END_OF_SOURCE_FLAG
from pose_estimation_ros.nodes.transport import PROFILES_VARIABLE, use_large_frame_transports
from pose_estimation_ros.runner.commands import graph_commands, node_parameter
from pose_estimation_ros.runner.recorder import AnnotatedVideoRecorder
from pose_estimation_ros.runner.status import GraphStatus, StatusNode
from pose_estimation_ros.runner.supervisor import Supervisor
from pose_estimation_ros.runner.verdict import CAMERA, CAMERA_END_OF_SOURCE, judge

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
        if arg.name == "source":  # here the sample video, where the launch file opens device 0
            sample = assets.get_asset(DEFAULT_SOURCE_ASSET).files[0].relative_path
            help_text = (
                f"{arg.description} (default: the sample video {sample}; the launch file's "
                "default is device 0)"
            )
            parser.add_argument(flag, default=None, help=help_text)
        elif arg.name == "params_file":  # its description names its default
            parser.add_argument(flag, default=arg.default, help=arg.description)
        else:
            help_text = f"{arg.description} (default: {arg.default or repr(arg.default)})"
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
    """Launch-argument values from the flags; the source defaults to the sample video."""
    arguments = {arg.name: getattr(options, arg.name, None) for arg in graph.ARGUMENTS}
    if arguments["source"] is None:
        arguments["source"] = str(assets.resolve(DEFAULT_SOURCE_ASSET))
    return {name: value for name, value in arguments.items() if value is not None}


class DomainTaken(Exception):
    """This run cannot have a ROS domain of its own; the message says why and what to do."""


def hold_domain() -> domain_lock.DomainLock | None:
    """Hold this run's ROS domain and set ``ROS_DOMAIN_ID`` for the runner and its nodes.

    Without ``ROS_DOMAIN_ID``, a free id. With it, that id, unless another run
    or test holds it; the process that started the runner may hold it for it
    (a test's fixture does). ``None``: held by that process, not by this one.
    """
    chosen = os.environ.get("ROS_DOMAIN_ID", "").strip()
    if not chosen:
        lock = domain_lock.hold_free()
        if lock is None:
            raise DomainTaken(
                f"every ROS domain id from {domain_lock.FREE_DOMAIN_IDS.start} to "
                f"{domain_lock.FREE_DOMAIN_IDS.stop - 1} is held by another run or test on this "
                "machine: set ROS_DOMAIN_ID to choose one"
            )
        os.environ["ROS_DOMAIN_ID"] = str(lock.domain_id)
        print(f"run: ROS_DOMAIN_ID={lock.domain_id} (set ROS_DOMAIN_ID to choose)", flush=True)
        return lock
    try:
        domain_id = int(chosen)
    except ValueError:
        raise DomainTaken(f"ROS_DOMAIN_ID={chosen!r} is not a number") from None
    lock = domain_lock.try_hold(domain_id)
    if lock is None:
        holder = domain_lock.holder(domain_id)
        if holder is None or not domain_lock.is_ancestor(holder):
            raise DomainTaken(
                f"ROS_DOMAIN_ID={domain_id} is held by another run or test on this machine "
                f"(process {holder or 'unknown'}): two graphs in one domain take each other's "
                "frames; unset ROS_DOMAIN_ID to get a free domain, or choose another"
            )
    print(f"run: ROS_DOMAIN_ID={domain_id} (from the environment)", flush=True)
    return lock


class Monitor:
    """The runner's own ROS nodes (status, optional recorder), spun on a background thread."""

    def __init__(
        self, options: argparse.Namespace, arguments: dict[str, str], extra: dict[str, dict]
    ) -> None:
        """Create the nodes and start spinning them."""
        namespace = arguments.get("namespace", "")
        max_rate_hz = float(
            node_parameter(arguments, "pose_node", "max_rate", extra.get("pose_node")) or 0.0
        )
        reliability = node_parameter(
            arguments, "camera_node", "reliability", extra.get("camera_node")
        )
        min_interval_s = 1.0 / max_rate_hz if max_rate_hz > 0 else 0.0
        self.status = GraphStatus(FrameLedger(min_interval_s=min_interval_s))
        self.status_node = StatusNode(
            self.status, camera_reliable=reliability != "best_effort", namespace=namespace
        )
        self.recorder = (
            AnnotatedVideoRecorder(options.record, options.record_fps, namespace=namespace)
            if options.record
            else None
        )
        self._executor = SingleThreadedExecutor()
        for node in self._nodes():
            self._executor.add_node(node)
        self._thread = threading.Thread(target=self._executor.spin, daemon=True)
        self._thread.start()

    def _nodes(self) -> list[Node]:
        return [n for n in (self.status_node, self.recorder) if n is not None]

    def close(self) -> None:
        """Stop spinning, finish the recording, destroy the nodes."""
        self._executor.shutdown()
        self._thread.join()
        if self.recorder is not None:
            self.recorder.close()
        for node in self._nodes():
            node.destroy_node()


def show_status(status: GraphStatus, stop: threading.Event, interactive: bool) -> None:
    """Print the status line: rewritten in place on a terminal, every 5 s otherwise."""
    period = 1.0 if interactive else 5.0
    while not stop.wait(period):
        line = status.line(time.time())
        print(f"\r{line}", end="", flush=True) if interactive else print(line, flush=True)


class Stopped(KeyboardInterrupt):
    """The runner got SIGINT (Ctrl-C) or SIGTERM: it stops every node."""

    def __init__(self, signum: int) -> None:
        """Remember the signal."""
        super().__init__(signum)
        self.signum = signum


def supervise(supervisor: Supervisor, names: list[str], monitor: Monitor) -> int:
    """Run until a node ends or Ctrl-C; stop every node; return the run's exit code.

    The nodes after the camera start once the runner hears the camera (at most
    ``CAMERA_MATCH_TIMEOUT_S`` later): the camera publishes its first frame when
    the pose node listens, and the runner must count that one too.
    """
    print(f"run: starting {', '.join(names)}", flush=True)
    code = 0
    try:
        for name in names:
            supervisor.start(name)
            if name == CAMERA:
                monitor.status_node.wait_for_camera(CAMERA_MATCH_TIMEOUT_S)
        verdict = judge(supervisor.first_exit())
        code = verdict.code
        if verdict.source_ended:
            # The last frames' poses are still on their way.
            monitor.status.wait_until_settled(LAST_POSES_TIMEOUT_S)
        print(f"\n{verdict.line}", file=sys.stdout if code == 0 else sys.stderr, flush=True)
    except Stopped as stop:
        if stop.signum == signal.SIGTERM:
            print("\nrun: SIGTERM, stopping every node (exit code 143)", flush=True)
            code = 128 + signal.SIGTERM
        else:
            print("\nrun: Ctrl-C, stopping every node", flush=True)
    finally:
        monitor.status.end(time.time())
        codes = supervisor.stop()
    print(f"run: exit codes {codes}", flush=True)
    return code


def loss_report(counts: LedgerCounts) -> str | None:
    """Return the one stderr line for a run that lost frames, or ``None``."""
    problem = loss_problem(counts)
    if problem is None:
        return None
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
    # The camera's own exit status at the end of its source: its 0 is then a stop by SIGINT.
    commands[CAMERA][1:1] = [END_OF_SOURCE_FLAG, str(CAMERA_END_OF_SOURCE)]
    # Ctrl-C and SIGTERM stop the run through ``Stopped`` in this thread, which then
    # stops the nodes; rclpy's own handlers would shut the runner's context down first. SIGINT
    # too: Python leaves it ignored when started ignored (a background job of a script).
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    use_large_frame_transports("run")
    rclpy.init(signal_handler_options=SignalHandlerOptions.NO)
    monitor = Monitor(options, arguments, extra)
    stop_status = threading.Event()
    if not options.quiet:
        printer = threading.Thread(
            target=show_status, args=(monitor.status, stop_status, sys.stdout.isatty())
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
    counts = monitor.status.counts(time.time())
    print(f"run: {counts.summary()}", flush=True)
    if monitor.recorder is not None:
        print(f"run: wrote {monitor.recorder.frames} annotated frames to {options.record}")
    if code == 0 and (report := loss_report(counts)) is not None:
        print(report, file=sys.stderr, flush=True)
        code = EXIT_FRAMES_LOST
    return code


def _interrupt(signum: int, _frame: object) -> None:
    raise Stopped(signum)


if __name__ == "__main__":
    sys.exit(main())
