"""One node process from start to exit status, shared by every node's ``main``.

``run_node`` loads the Fast DDS set-up made for camera frames
(``nodes.transport``), starts ROS with ``StopSignals`` (``nodes.shutdown``),
creates the node and runs it, then destroys it and shuts ROS down whatever
happened. The exit status is what the run returned; when it returned
``None`` (it spun until the context went down), or a callback that raced the
shutdown ended it, the signal's: 0 after SIGINT, 143 after SIGTERM. An error
a ``Refusal`` names (a parameter refused, a source that cannot be opened)
is one logged line and that refusal's status, never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import rclpy
from rclpy.logging import get_logger
from rclpy.node import Node

from pose_estimation_ros.nodes.shutdown import init_ros, stopped_by_shutdown
from pose_estimation_ros.nodes.transport import use_large_frame_transports

EXIT_FAILED = 1

NodeT = TypeVar("NodeT", bound=Node)


@dataclass(frozen=True)
class Refusal:
    """Errors that end a node with one error line (``template`` of the error) and ``code``."""

    errors: tuple[type[Exception], ...]
    template: str = "{}"
    code: int = EXIT_FAILED


def run_node(
    name: str,
    args: Sequence[str] | None,
    create: Callable[[], NodeT],
    run: Callable[[NodeT], int | None],
    refusals: Sequence[Refusal],
    stop: Callable[[NodeT], None] | None = None,
) -> int:
    """Create node ``name`` with ROS ``args``, ``run`` it, clean up; return its exit status.

    ``stop`` releases what the node holds before it is destroyed (a capture thread).
    """
    use_large_frame_transports(name)
    signals = init_ros(args)
    node = None
    try:
        node = create()
        code = run(node)
        return signals.exit_code() if code is None else code
    except Exception as error:  # noqa: B902 (a refusal, or a publish that raced the shutdown)
        refusal = next((r for r in refusals if isinstance(error, r.errors)), None)
        if refusal is not None:
            get_logger(name).error(refusal.template.format(error))
            return refusal.code
        if not stopped_by_shutdown(error):
            raise
        return signals.exit_code()
    finally:
        if node is not None:
            if stop is not None:
                stop(node)
            node.destroy_node()
        rclpy.try_shutdown()
