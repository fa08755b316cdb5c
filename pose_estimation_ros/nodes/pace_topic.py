"""The stamps of a downstream node's results, on a topic whose type the ROS graph tells.

A processing node publishes each result with its input image's header (the
ROS convention: output header = input header), so a result's stamp names the
frame it answers. ``PaceTopic`` learns the topic's type and QoS from the graph
once it has a publisher (as ``ros2 topic echo`` and topic_tools' relay do),
refuses a type whose first field is not ``std_msgs/Header header``, subscribes
to the serialized messages and reads only their stamps
(``nodes.raw_cdr``): the camera knows no downstream message package.
"""

from __future__ import annotations

from collections.abc import Callable

from rclpy.node import Node
from rosidl_runtime_py.utilities import get_message

from pose_estimation_ros.nodes.adapted_qos import adapted_qos
from pose_estimation_ros.nodes.raw_cdr import header_first_stamp_ns

POLL_S = 0.2  # how often the graph is looked at until the topic appears
DEPTH = 10
HEADER_FIRST = ("header", "std_msgs/Header")


def header_first_type(type_name: str) -> type:
    """Load message type ``type_name``; ``ValueError`` unless its first field is the header."""
    try:
        msg_type = get_message(type_name)
    except (AttributeError, ImportError, ValueError):
        raise ValueError(f"message type {type_name} is not installed here") from None
    first = next(iter(msg_type.get_fields_and_field_types().items()), None)
    if first != HEADER_FIRST:
        raise ValueError(
            f"{type_name} cannot pace frames: its first field must be "
            f"'std_msgs/Header header' (the frame's header), not {first}"
        )
    return msg_type


class PaceTopic:
    """Pass the stamp of each message on ``topic`` to ``on_stamp``, once its type is known.

    A problem with the topic (a type without a header first, several types,
    bytes that are not plain CDR) goes to ``on_error``, and the topic is no
    longer read.
    """

    def __init__(
        self,
        node: Node,
        topic: str,
        on_stamp: Callable[[int], None],
        on_error: Callable[[ValueError], None],
    ) -> None:
        """Look for ``topic`` (relative names resolve in ``node``'s namespace) in the graph."""
        self.topic = node.resolve_topic_name(topic)
        self._node, self._on_stamp, self._on_error = node, on_stamp, on_error
        self._subscription = None
        self._timer = node.create_timer(POLL_S, self._look_up)
        node.get_logger().info(f"pacing frames by '{self.topic}' once it has a publisher")

    def publishers(self) -> int:
        """Count the publishers matched so far (0 while the topic's type is unknown)."""
        return self._subscription.get_publisher_count() if self._subscription else 0

    def _look_up(self) -> None:
        offered = self._node.get_publishers_info_by_topic(self.topic)
        if not offered:
            return
        self._timer.cancel()
        self._node.destroy_timer(self._timer)
        types = sorted({info.topic_type for info in offered})
        try:
            if len(types) > 1:
                raise ValueError(f"'{self.topic}' has several types: {', '.join(types)}")
            msg_type = header_first_type(types[0])
        except ValueError as error:
            self._on_error(error)
            return
        qos = adapted_qos([info.qos_profile for info in offered], DEPTH)
        self._subscription = self._node.create_subscription(
            msg_type, self.topic, self._on_message, qos, raw=True
        )
        self._node.get_logger().info(f"pacing frames by '{self.topic}' ({types[0]})")

    def _on_message(self, serialized: bytes) -> None:
        try:
            stamp_ns = header_first_stamp_ns(serialized)
        except ValueError as error:
            self._node.destroy_subscription(self._subscription)
            self._subscription = None
            self._on_error(ValueError(f"'{self.topic}': {error}"))
            return
        self._on_stamp(stamp_ns)
