"""``make run`` / ``python -m pose_estimation_ros.run``: the whole graph without ``ros2 launch``.

Starts the camera, pose and UDP bridge nodes as separate processes over DDS,
exactly as ``launch/pose.launch.py`` would (same graph definition, same
params file, same argument-to-parameter mapping), shows a live status line,
and stops every process on Ctrl-C or when any of them ends. The exit code is
0 when the run ended cleanly (Ctrl-C, or the camera reached the end of its
source) and otherwise that of the node that failed.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time

import rclpy
from rclpy.executors import ExternalShutdownException, SingleThreadedExecutor

from pose_estimation_ros import graph
from pose_estimation_ros.core import assets
from pose_estimation_ros.runner.commands import graph_commands
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
    parser.add_argument("--quiet", action="store_true", help="no live status line")
    return parser.parse_args(argv)


def launch_arguments(options: argparse.Namespace) -> dict[str, str]:
    """Launch-argument values from the flags; the source defaults to the sample video."""
    arguments = {arg.name: getattr(options, arg.name, None) for arg in graph.ARGUMENTS}
    if arguments["source"] is None:
        arguments["source"] = str(assets.resolve(DEFAULT_SOURCE_ASSET))
    return {name: value for name, value in arguments.items() if value is not None}


def show_status(status: GraphStatus, stop: threading.Event, interactive: bool) -> None:
    """Print the status line: rewritten in place on a terminal, every 5 s otherwise."""
    period = 1.0 if interactive else 5.0
    while not stop.wait(period):
        line = status.line(time.monotonic())
        print(f"\r{line}", end="", flush=True) if interactive else print(line, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the graph until Ctrl-C or until a node ends; return the run's exit code."""
    options = parse_arguments(argv)
    try:
        commands = graph_commands(launch_arguments(options))
    except assets.AssetError as error:
        print(f"run: {error}", file=sys.stderr)
        return 2
    supervisor = Supervisor(commands)
    status = GraphStatus()
    rclpy.init()
    executor = SingleThreadedExecutor()
    executor.add_node(StatusNode(status))
    threading.Thread(target=_spin, args=(executor,), daemon=True).start()
    stop_status = threading.Event()
    if not options.quiet:
        interactive = sys.stdout.isatty()
        threading.Thread(
            target=show_status, args=(status, stop_status, interactive), daemon=True
        ).start()
    print(f"run: starting {', '.join(commands)}", flush=True)
    supervisor.start()
    code = 0
    try:
        ended = supervisor.first_exit()
        if ended.code == 0:
            print(f"\nrun: {ended.name} finished; stopping the other nodes", flush=True)
        else:
            print(
                f"\nrun: {ended.name} exited with code {ended.code} (see its log above); "
                f"stopping the other nodes",
                file=sys.stderr,
                flush=True,
            )
            code = ended.code if ended.code > 0 else 128 - ended.code
    except KeyboardInterrupt:
        print("\nrun: Ctrl-C, stopping every node", flush=True)
    finally:
        stop_status.set()
        codes = supervisor.stop()
        executor.shutdown()
        rclpy.try_shutdown()
    print(f"run: {status.total_out} pose messages received; exit codes {codes}", flush=True)
    return code


def _spin(executor: SingleThreadedExecutor) -> None:
    try:
        executor.spin()
    except (ExternalShutdownException, KeyboardInterrupt):
        pass


if __name__ == "__main__":
    sys.exit(main())
