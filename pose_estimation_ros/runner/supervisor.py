"""Start node processes, notice the first one that ends, and stop them all cleanly."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pose_estimation_ros.nodes.stop_signals import STACKS_SIGNAL

_PR_SET_PDEATHSIG = 1
STACKS_WAIT_S = 1.0  # for a stuck node to write its stacks before its SIGKILL


def _die_with_parent() -> None:
    """In the child: get SIGTERM when the runner dies, so no node outlives it."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Exit:
    """A process that ended: its node name and exit code (negative: killed by that signal)."""

    name: str
    code: int


class Supervisor:
    """Runs one process per node, in its own session, and tears them all down together."""

    def __init__(self, commands: Mapping[str, Sequence[str]]) -> None:
        """Remember the commands; nothing starts before ``start``."""
        self._commands = dict(commands)
        self._processes: dict[str, subprocess.Popen] = {}
        self._told: set[str] = set()  # processes whose end ``next_exit`` returned

    def start(self, name: str) -> None:
        """Start one process in its own session (the terminal's Ctrl-C reaches the runner only)."""
        self._processes[name] = subprocess.Popen(
            list(self._commands[name]), start_new_session=True, preexec_fn=_die_with_parent
        )

    def pids(self) -> dict[str, int]:
        """Process id of each started node (for memory and CPU readings)."""
        return {name: process.pid for name, process in self._processes.items()}

    def exited(self) -> Exit | None:
        """Return the first started process found ended, if any."""
        for name, process in self._processes.items():
            code = process.poll()
            if code is not None:
                return Exit(name, code)
        return None

    def first_exit(self, poll_s: float = 0.1) -> Exit:
        """Block until any process ends; return which and how."""
        while (ended := self.exited()) is None:
            time.sleep(poll_s)
        return ended

    def next_exit(self, poll_s: float = 0.1) -> Exit:
        """Block until a process ends that no earlier call returned; return which and how."""
        while True:
            for name, process in self._processes.items():
                if name not in self._told and (code := process.poll()) is not None:
                    self._told.add(name)
                    return Exit(name, code)
            time.sleep(poll_s)

    def stop(self, grace_s: float = 10.0) -> dict[str, int]:
        """SIGINT every live process, then SIGTERM/SIGKILL stragglers; return all exit codes.

        Before its SIGKILL a straggler gets ``STACKS_SIGNAL``: its threads' stacks go to its
        stderr, where they show where it hung.
        """
        self._signal_alive(signal.SIGINT, grace_s)
        self._signal_alive(signal.SIGTERM, 3.0)
        self._signal_alive(STACKS_SIGNAL, STACKS_WAIT_S)
        self._signal_alive(signal.SIGKILL, 3.0)
        return {name: process.returncode for name, process in self._processes.items()}

    def _signal_alive(self, sig: int, wait_s: float) -> None:
        """Send ``sig`` to every live process's group; wait up to ``wait_s`` for them to end."""
        alive = [p for p in self._processes.values() if p.poll() is None]
        for process in alive:
            os.killpg(process.pid, sig)
        deadline = time.monotonic() + wait_s
        for process in alive:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
