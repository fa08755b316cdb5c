"""What a node's end means for a run that had not stopped it: the source's end, or a problem.

The runner stops nodes only after the first one ended (or on Ctrl-C), so the
first end is never one it asked for. Only the camera reaching the end of a
finite source is a clean end, and the camera says so with an exit status of
its own (``CAMERA_END_OF_SOURCE``, passed with ``--end-of-source-exit-code``):
its 0 then means a SIGINT from another process. Any other end is a node
stopped by something else (a signal: ``kill``, a service manager, the OOM
killer) or a node that failed (its own error: a parameter, a model, a damaged
video), each told in one line with what to do. With several cameras, a
camera's end (clean or not) stops only that camera while others run.

A node the run had to kill when it stopped them all (it ignored SIGINT and
SIGTERM) is a bug of that node: ``killed_at_stop`` says so, pointing at the
stacks it wrote to the log first (``nodes.stop_signals.STACKS_SIGNAL``).
"""

from __future__ import annotations

import signal
from collections.abc import Mapping
from dataclasses import dataclass

from pose_estimation_ros.graph import CAMERA
from pose_estimation_ros.nodes.camera_node import EXIT_DAMAGED_VIDEO
from pose_estimation_ros.nodes.shutdown import signal_name
from pose_estimation_ros.runner.supervisor import Exit

CAMERA_END_OF_SOURCE = 10  # the camera's exit status at the end of its source, under the runner
EXIT_NODE_FAILED = 1
EXIT_NODE_STOPPED = 5


@dataclass(frozen=True)
class Verdict:
    """The run's exit code for a node's end (0: the source ended) and the line that says so."""

    code: int
    line: str

    @property
    def source_ended(self) -> bool:
        """Whether the run ends because its source ended (cleanly)."""
        return self.code == 0


def camera_of(name: str) -> str | None:
    """Return the camera of node ``cam2/camera_node`` ("" for the one camera), else ``None``."""
    namespace, _, node = name.rpartition("/")
    return namespace if node == CAMERA else None


def judge(ended: Exit, others_go_on: bool = False) -> Verdict:
    """Judge a node that ended, which the run had not stopped.

    ``others_go_on``: a camera ended while other cameras run, which go on.
    """
    name, code = ended.name, ended.code
    camera = camera_of(name) is not None
    stopping = "the other cameras go on" if others_go_on else "stopping the other nodes"
    if camera and code == CAMERA_END_OF_SOURCE:
        return Verdict(0, f"run: {name} reached the end of its source; {stopping}")
    if camera and code == EXIT_DAMAGED_VIDEO:
        return Verdict(
            EXIT_NODE_FAILED,
            f"run: error: {name} stopped early: its video file is truncated or damaged (its "
            f"error above says how many frames it had); replace the file and run again; "
            f"{stopping} (exit code {EXIT_NODE_FAILED})",
        )
    sent = signal_name(code)
    if sent is not None or code == 0:
        how = f"stopped by {sent}" if sent else "stopped (exit code 0: a SIGINT)"
        return Verdict(
            EXIT_NODE_STOPPED,
            f"run: error: {name} was {how} from another process, not by this run: find what "
            f"stops it (a kill command, a service manager, the OOM killer in dmesg) and run "
            f"again; {stopping} (exit code {EXIT_NODE_STOPPED})",
        )
    return Verdict(
        EXIT_NODE_FAILED,
        f"run: error: {name} exited with code {code} (its error is above): fix what it says "
        f"and run again; {stopping} (exit code {EXIT_NODE_FAILED})",
    )


def killed_at_stop(codes: Mapping[str, int]) -> list[str]:
    """Return one stderr line per node that the run's stop had to kill (``Supervisor.stop``)."""
    return [
        f"run: warning: {name} ignored SIGINT and SIGTERM and was killed; the stacks of its "
        f"threads above show where it hung: report it with this log"
        for name, code in codes.items()
        if code == -signal.SIGKILL
    ]
