"""Note SIGINT and SIGTERM from a node process's first line, before its heavy imports.

A node's imports (OpenVINO, OpenCV, NumPy, rclpy) take a second or more, and
several on a loaded machine; ``ros2 launch`` may stop the graph meanwhile (a
short source already ended). Python's own SIGINT handler would raise
``KeyboardInterrupt`` inside whatever module is loading: a traceback and exit
code 130, or, where a library's ``except:`` swallows it, a node that ignores
the Ctrl-C and is killed by launch's SIGTERM 5 s later (exit 143; both
measured). So each node's executable calls ``run_node_module``, which installs
``StopSignals`` before it imports the node. Only the standard library here.

``StopSignals`` installs handlers that only note the signal; ``rclpy.init``
then adds its own, which shut the context down and chain to these
(``nodes.shutdown``). The exit status says what was noted:

- SIGINT (Ctrl-C, and what ``ros2 launch`` and ``make run`` send to stop a
  node): 0, a clean stop;
- SIGTERM (``kill``, a service manager, the runner's death, or ``ros2 launch``
  escalating after a node ignored SIGINT for 5 s): 143 (128 + 15, as a shell
  reports a process that SIGTERM ended), so a stop nobody asked for is not
  mistaken for a clean finish.

A node that ignores both (stuck in a library) is killed by whoever started it;
first, ``STACKS_SIGNAL`` (SIGUSR1) makes it write every thread's Python stack
to stderr (``faulthandler``, which works while the main thread is stuck), so
its log says where it hung. The runner sends it before its SIGKILL; by hand:
``kill -USR1 PID``.
"""

from __future__ import annotations

import contextlib
import faulthandler
import functools
import importlib
import signal
from collections.abc import Callable, Iterator

EXIT_TERMINATED = 128 + signal.SIGTERM
STACKS_SIGNAL = signal.SIGUSR1  # a node writes its threads' stacks to stderr, and goes on


class StopSignals:
    """The SIGINT and SIGTERM a node received; install before ``rclpy.init``, which chains."""

    def __init__(self) -> None:
        """Note nothing yet; ``install`` starts noting."""
        self.received: set[int] = set()
        self._wakers: list[Callable[[], None]] = []

    def install(self) -> None:
        """Replace Python's SIGINT and SIGTERM handlers by ones that only note the signal."""
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._note)

    def _note(self, signum: int, _frame: object) -> None:
        self.received.add(signum)
        for wake in self._wakers:
            wake()

    @contextlib.contextmanager
    def waking(self, wake: Callable[[], None]) -> Iterator[None]:
        """Call ``wake`` at each signal noted inside the block.

        Python runs the noting handler in the main thread, between two of its
        instructions: ``wake`` must be quick and must not raise.
        """
        self._wakers.append(wake)
        try:
            yield
        finally:
            self._wakers.remove(wake)

    def exit_code(self) -> int:
        """Return 143 once a SIGTERM came (even after a SIGINT), else 0."""
        return EXIT_TERMINATED if signal.SIGTERM in self.received else 0


@functools.cache
def process_stop_signals() -> StopSignals:
    """Return this process's ``StopSignals``, installed at the first call (handlers are global)."""
    signals = StopSignals()
    signals.install()
    return signals


def run_node_module(module: str) -> int:
    """Note stop signals, then import ``module`` and return what its ``main()`` returns.

    ``STACKS_SIGNAL`` dumps the threads' stacks from here on.
    """
    process_stop_signals()
    faulthandler.register(STACKS_SIGNAL, all_threads=True)
    return importlib.import_module(module).main()
