"""``make run`` / ``python -m pose_estimation_ros.run``: the whole graph without ``ros2 launch``.

Starts the camera, pose and UDP bridge nodes as separate processes over DDS,
exactly as ``launch/pose.launch.py`` would (same graph definition, same
params file, same argument-to-parameter mapping), shows a live status line,
and stops every process on Ctrl-C or when any of them ends. The exit code is
0 when the run ended cleanly (Ctrl-C, or the camera reached the end of its
source) and otherwise that of the node that failed.

Two runner-only parameters: the camera waits for its first reader (the pose
node), so the sample video is not half played while the model loads, and
``--record`` turns on the pose node's annotated image.
"""

from __future__ import annotations

import argparse
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
from pose_estimation_ros.core import assets
from pose_estimation_ros.nodes.transport import use_large_frame_transports
from pose_estimation_ros.runner.commands import graph_commands
from pose_estimation_ros.runner.recorder import AnnotatedVideoRecorder
from pose_estimation_ros.runner.status import GraphStatus, StatusNode
from pose_estimation_ros.runner.supervisor import Supervisor

DEFAULT_SOURCE_ASSET = "pose_1_video"


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    """Command-line flags, one per launch argument (``--source`` for ``source:=``, ...)."""
    parser = argparse.ArgumentParser(prog="run", description=__doc__.splitlines()[0])
    for arg in graph.ARGUMENTS:
        if arg.name == "rviz":
            continue  # RViz is not installable without ROS; use ros2 launch for it
        default = None if arg.name == "source" else arg.default
        flag = f"--{arg.name.replace('_', '-')}"
        parser.add_argument(flag, default=default, help=arg.description)
    parser.add_argument("--record", type=Path, help="write the annotated video to this file")
    parser.add_argument("--record-fps", type=float, default=30.0, help="frame rate of --record")
    parser.add_argument("--quiet", action="store_true", help="no live status line")
    return parser.parse_args(argv)


def launch_arguments(options: argparse.Namespace) -> dict[str, str]:
    """Launch-argument values from the flags; the source defaults to the sample video."""
    arguments = {arg.name: getattr(options, arg.name, None) for arg in graph.ARGUMENTS}
    if arguments["source"] is None:
        arguments["source"] = str(assets.resolve(DEFAULT_SOURCE_ASSET))
    return {name: value for name, value in arguments.items() if value is not None}


class Monitor:
    """The runner's own ROS nodes (status, optional recorder), spun on a background thread."""

    def __init__(self, namespace: str, record: Path | None, record_fps: float) -> None:
        """Create the nodes and start spinning them."""
        self.status = GraphStatus()
        self.status_node = StatusNode(self.status, namespace=namespace)
        self.recorder = (
            AnnotatedVideoRecorder(record, record_fps, namespace=namespace) if record else None
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
        line = status.line(time.monotonic())
        print(f"\r{line}", end="", flush=True) if interactive else print(line, flush=True)


def supervise(supervisor: Supervisor, names: list[str]) -> int:
    """Run until a node ends or Ctrl-C; stop every node; return the run's exit code."""
    print(f"run: starting {', '.join(names)}", flush=True)
    code = 0
    try:
        for name in names:
            supervisor.start(name)
        ended = supervisor.first_exit()
        if ended.code == 0:
            print(f"\nrun: {ended.name} finished; stopping the other nodes", flush=True)
        else:
            print(
                f"\nrun: {ended.name} exited with code {ended.code} (its log above says why); "
                "stopping the other nodes",
                file=sys.stderr,
                flush=True,
            )
            code = ended.code if ended.code > 0 else 128 - ended.code
    except KeyboardInterrupt:
        print("\nrun: Ctrl-C, stopping every node", flush=True)
    finally:
        codes = supervisor.stop()
    print(f"run: exit codes {codes}", flush=True)
    return code


def main(argv: list[str] | None = None) -> int:
    """Run the graph until Ctrl-C or until a node ends; return the run's exit code."""
    options = parse_arguments(argv)
    try:
        arguments = launch_arguments(options)
    except assets.AssetError as error:
        print(f"run: {error}", file=sys.stderr)
        return 2
    extra: dict[str, dict[str, object]] = {"camera_node": {"wait_for_readers": 1}}
    if options.record:
        extra["pose_node"] = {"publish_annotated": True}
    commands = graph_commands(arguments, extra)
    # Ctrl-C and SIGTERM stop the run through KeyboardInterrupt in this thread, which then
    # stops the nodes; rclpy's own handlers would shut the runner's context down first. SIGINT
    # too: Python leaves it ignored when started ignored (a background job of a script).
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    use_large_frame_transports()
    rclpy.init(signal_handler_options=SignalHandlerOptions.NO)
    monitor = Monitor(arguments.get("namespace", ""), options.record, options.record_fps)
    stop_status = threading.Event()
    if not options.quiet:
        printer = threading.Thread(
            target=show_status, args=(monitor.status, stop_status, sys.stdout.isatty())
        )
        printer.start()
    try:
        code = supervise(Supervisor(commands), list(commands))
    finally:
        stop_status.set()
        monitor.close()
        rclpy.try_shutdown()
    print(f"run: {monitor.status.total_out} pose messages seen", flush=True)
    if monitor.recorder is not None:
        print(f"run: wrote {monitor.recorder.frames} annotated frames to {options.record}")
    return code


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
