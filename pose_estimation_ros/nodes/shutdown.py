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

rclpy's signal thread wakes the executors *before* it shuts the context down:
an executor that looks at the context in between finds it still up and waits
again, and a node with no timer (the pose node before activation) then ignores
the signal until launch's SIGTERM 5 s later (CI failed so; ``rclpy.spin``
missed 5 of 200 stops in a loop here, ``test_stop_never_missed``).
``spin_until_stopped`` spins as ``rclpy.spin`` does, but the noting handler
wakes it too, and once a signal was noted it looks at the context again until
it is down. It never ends before that: a node destroyed while rclpy's thread
still shuts the context down can crash the process (a segmentation fault in
``destroy_node``, measured).

A callback still running when the context goes down may fail on its next
publish, which ``stopped_by_shutdown`` tells apart from a real error.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Sequence

import rclpy
from rclpy.exceptions import InvalidHandle
from rclpy.executors import ExternalShutdownException, SingleThreadedExecutor
from rclpy.guard_condition import GuardCondition
from rclpy.node import Node
from rclpy.task import Future

from pose_estimation_ros.nodes.stop_signals import StopSignals, process_stop_signals

SHUTDOWN_POLL_S = 0.02  # after a signal, until the context is down


def init_ros(args: Sequence[str] | None) -> StopSignals:
    """Note stop signals, then ``rclpy.init``; a signal noted before rclpy's stops at once."""
    signals = process_stop_signals()
    rclpy.init(args=args)
    if signals.received:  # before rclpy's handlers: nothing shut the context down
        rclpy.try_shutdown()
    return signals


def spin_until_stopped(node: Node, finished: Future | None = None) -> None:
    """Spin ``node`` until a signal stops it, or ``finished`` is done; never miss the signal."""
    finished = Future() if finished is None else finished  # by default, nothing finishes
    signals = process_stop_signals()
    woken = node.create_guard_condition(lambda: None)  # its callback ends a ``spin_once``

    def wake(*_: object) -> None:
        _trigger_quietly(woken)

    finished.add_done_callback(wake)
    executor = SingleThreadedExecutor(context=node.context)
    executor.add_node(node)
    try:
        with signals.waking(wake):
            while node.context.ok() and not finished.done():
                # Once a signal was noted, look again until rclpy's thread has shut ROS down:
                # the node may not be destroyed while it does.
                executor.spin_once(timeout_sec=SHUTDOWN_POLL_S if signals.received else None)
    finally:
        executor.shutdown()
        node.destroy_guard_condition(woken)


def _trigger_quietly(guard: GuardCondition) -> None:
    """Trigger ``guard`` unless it is gone (called from a signal handler: it must not raise)."""
    with contextlib.suppress(InvalidHandle):
        guard.trigger()


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
