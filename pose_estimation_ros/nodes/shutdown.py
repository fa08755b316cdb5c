"""Stop a node on SIGINT or SIGTERM the ROS way, and say in its exit status which it was.

``rclpy.init`` installs handlers for SIGINT and SIGTERM that shut the context
down and wake every executor, so ``spin`` ends with ``ExternalShutdownException``.
They then call the handler Python had before: the default one would raise
``KeyboardInterrupt`` in whatever code runs at that moment (inside rclpy taking
a message it surfaces as an unrelated ``RuntimeError``, and the node exits with
a traceback). ``StopSignals`` installs handlers that only note the signal, so
rclpy's stays the only reaction, and turns what it noted into the exit status:

- SIGINT (Ctrl-C, and what ``ros2 launch`` and ``make run`` send to stop a
  node): 0, a clean stop;
- SIGTERM (``kill``, a service manager, the runner's death, or ``ros2 launch``
  escalating after a node ignored SIGINT for 5 s): 143 (128 + 15, as a shell
  reports a process that SIGTERM ended), so a stop nobody asked for is not
  mistaken for a clean finish.

A callback still running when the context goes down may fail on its next
publish, which ``stopped_by_shutdown`` tells apart from a real error.
"""

from __future__ import annotations

import signal
from collections.abc import Sequence

import rclpy
from rclpy.executors import ExternalShutdownException

EXIT_TERMINATED = 128 + signal.SIGTERM


class StopSignals:
    """The SIGINT and SIGTERM a node received; install before ``rclpy.init``, which chains."""

    def __init__(self) -> None:
        """Note nothing yet; ``install`` starts noting."""
        self.received: set[int] = set()

    def install(self) -> None:
        """Replace Python's SIGINT and SIGTERM handlers by ones that only note the signal."""
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._note)

    def _note(self, signum: int, _frame: object) -> None:
        self.received.add(signum)

    def exit_code(self) -> int:
        """Return 143 once a SIGTERM came (even after a SIGINT), else 0."""
        return EXIT_TERMINATED if signal.SIGTERM in self.received else 0


def init_ros(args: Sequence[str] | None) -> StopSignals:
    """Install ``StopSignals``, then ``rclpy.init``; a signal that came meanwhile stops at once."""
    signals = StopSignals()
    signals.install()
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
