"""Stop a node on Ctrl-C the ROS way: rclpy shuts the context down, the spin ends.

``rclpy.init`` installs a SIGINT handler that shuts the context down and wakes
every executor, so ``spin`` ends with ``ExternalShutdownException``. It then
calls Python's own handler, whose ``KeyboardInterrupt`` lands in whatever code
runs at that moment: inside rclpy taking a message it surfaces as an
unrelated ``RuntimeError`` ("Unable to convert call argument"), and the node
exits with a traceback. ``quiet_interrupts`` leaves rclpy's handler as the
only reaction; a callback still running when the context goes down may fail
on its next publish, which ``stopped_by_shutdown`` tells apart from a real
error.
"""

from __future__ import annotations

import signal

import rclpy
from rclpy.executors import ExternalShutdownException


def quiet_interrupts() -> None:
    """Make SIGINT raise nothing in Python; call before ``rclpy.init``, which chains to it."""
    signal.signal(signal.SIGINT, lambda _signum, _frame: None)


def stopped_by_shutdown(error: Exception) -> bool:
    """Whether ``error`` ended the spin only because the node was asked to stop."""
    return isinstance(error, ExternalShutdownException) or not rclpy.ok()
