"""Stop a node on SIGINT or SIGTERM the ROS way, and say in its exit status which it was.

``rclpy.init`` installs handlers for SIGINT and SIGTERM that shut the context
down and wake every executor, so ``spin`` ends with ``ExternalShutdownException``.
They then call the handler Python had before: the default one would raise
``KeyboardInterrupt`` in whatever code runs at that moment (inside rclpy taking
a message it surfaces as an unrelated ``RuntimeError``, and the node exits with
a traceback). ``init_ros`` puts this process's ``StopSignals``
(``nodes.stop_signals``, already installed by a node's executable) under
them, so rclpy's stays the only reaction and the exit status tells SIGINT (0)
from SIGTERM (143).

A callback still running when the context goes down may fail on its next
publish, which ``stopped_by_shutdown`` tells apart from a real error.
"""

from __future__ import annotations

import signal
from collections.abc import Sequence

import rclpy
from rclpy.executors import ExternalShutdownException

from pose_estimation_ros.nodes.stop_signals import StopSignals, process_stop_signals


def init_ros(args: Sequence[str] | None) -> StopSignals:
    """Note stop signals, then ``rclpy.init``; a signal noted before rclpy's stops at once."""
    signals = process_stop_signals()
    rclpy.init(args=args)
    if signals.received:  # before rclpy's handlers: nothing shut the context down
        rclpy.try_shutdown()
    return signals


def stopped_by_shutdown(error: Exception) -> bool:
    """Whether ``error`` ended the spin only because the node was asked to stop."""
    return isinstance(error, ExternalShutdownException) or not rclpy.ok()


def signal_name(code: int) -> str | None:
    """Return the signal an exit status tells of: -N (killed by it) or 128+N (stopped by it)."""
    number = -code if code < 0 else code - 128 if code > 128 else 0
    try:
        return signal.Signals(number).name
    except ValueError:
        return None
