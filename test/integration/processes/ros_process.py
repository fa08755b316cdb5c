"""What every helper process here does around its node: start ROS, end quietly on a stop."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import rclpy
from rclpy.executors import ExternalShutdownException
from rclpy.node import Node


@contextmanager
def ros_node(name: str) -> Iterator[Node]:
    """Give a node named ``name``; a SIGINT or SIGTERM ends the block quietly, then shut down."""
    rclpy.init()
    node = rclpy.create_node(name)
    try:
        yield node
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        node.destroy_node()
        rclpy.try_shutdown()
