"""Stop a node with no timer by SIGINT, many times in one process; print the stops it missed.

Usage: ``stop_cycles.py CYCLES [--spin ours|rclpy]``.

Each cycle starts ROS as a node's executable does (``StopSignals``, then
``init_ros``), creates a node with nothing that ever wakes its executor (the pose
node before activation), spins it (``ours``: ``nodes.shutdown.spin_until_stopped``;
``rclpy``: ``rclpy.spin``, for comparison) and SIGINTs this process from another
thread. A spin still running ``RESCUE_S`` later missed the signal: under
``ros2 launch`` its node would get SIGTERM then. It is counted and woken, so the
next cycle can run. Prints ``MISSED m OF n``.
"""

from __future__ import annotations

import argparse
import os
import signal
import threading
from collections.abc import Callable

import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node

from pose_estimation_ros.nodes.shutdown import init_ros, spin_until_stopped, stopped_by_shutdown
from pose_estimation_ros.nodes.stop_signals import process_stop_signals

RESCUE_S = 5.0  # launch's wait between its SIGINT and its SIGTERM
SIGNAL_AFTER_S = 0.02  # the spin is under way by then
SPINS = {
    "ours": spin_until_stopped,
    "rclpy": lambda node: rclpy.spin(node, SingleThreadedExecutor(context=node.context)),
}


def stop_once(spin: Callable[[Node], None]) -> bool:
    """Run one cycle; return whether the spin missed the SIGINT."""
    signals = process_stop_signals()
    signals.received.clear()
    init_ros(None)
    node = Node("stop_cycles")
    rescue_call = node.create_guard_condition(lambda: None)  # wakes whatever spins the node
    ended = threading.Event()
    threading.Timer(SIGNAL_AFTER_S, os.kill, (os.getpid(), signal.SIGINT)).start()
    missed = []

    def rescue() -> None:
        if not ended.wait(RESCUE_S):
            missed.append(True)
            rescue_call.trigger()

    rescuer = threading.Thread(target=rescue)
    rescuer.start()
    try:
        spin(node)
    except Exception as error:  # noqa: B902 (a stop: as ``node_main.run_node`` tells it)
        if not stopped_by_shutdown(error):
            raise
    ended.set()
    rescuer.join()
    node.destroy_node()
    rclpy.try_shutdown()
    return bool(missed)


def main() -> None:
    """Run the cycles and print how many stops were missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cycles", type=int)
    parser.add_argument("--spin", choices=sorted(SPINS), default="ours")
    options = parser.parse_args()
    missed = sum(stop_once(SPINS[options.spin]) for _ in range(options.cycles))
    print(f"MISSED {missed} OF {options.cycles}", flush=True)


if __name__ == "__main__":
    main()
