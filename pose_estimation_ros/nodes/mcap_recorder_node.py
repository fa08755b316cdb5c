"""MCAP recorder node: topics of the graph into a rosbag2 bag (MCAP storage), as received.

Writes ``path`` as ``ros2 bag record -s mcap -o <path>`` lays a bag out: a
directory (which must not exist) holding ``metadata.yaml`` and
``<name>.mcap``, ``<name>`` being the directory's own name. Each message is
written as the CDR bytes it arrived in (a raw subscription: nothing decoded
or re-encoded), stamped with its reception time, under its topic's type
definition and RIHS01 hash (``nodes.message_definitions``), so ``ros2 bag
info``/``play`` and the ROS-free ``rosbags`` library read it.

What to record (``core.topic_selection``): ``topics``, exact names, each
subscribed at once when given with its type (``poses:pose_estimation_ros/msg/PoseArray``:
no first message is missed, as the graph gives them), else when a scan of
the ROS graph (every ``scan_period_s``) first sees it published, and
``topic_patterns``, subscribed as their topics appear (REP-155's
``/humans/bodies/<id>/...``). Subscriptions are reliable (best effort when a
publisher already offers only that), ``queue_depth`` deep.

Nothing is lost silently: per topic, messages received, written and lost
(gaps in each publisher's sequence numbers and the middleware's lost-message
events, a message both show counted once: ``core.sequence_gaps``) go on
``/diagnostics`` (``nodes.recorder_diagnostics``) and into the log when the
node stops. It stops on SIGINT or SIGTERM and then closes the
bag (the MCAP summary and ``metadata.yaml``); messages still on their way
then are not in it, as with ``ros2 bag record``. A SIGKILL leaves the MCAP
without its summary and no ``metadata.yaml``.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from diagnostic_msgs.msg import DiagnosticArray
from rclpy.event_handler import (
    QoSMessageLostInfo,
    QoSRequestedIncompatibleQoSInfo,
    SubscriptionEventCallbacks,
)
from rclpy.exceptions import InvalidParameterValueException
from rclpy.node import Node
from rclpy.qos import qos_policy_name_from_kind
from rclpy.subscription import MessageInfo, Subscription
from rosbags.interfaces import Connection
from rosbags.rosbag2 import StoragePlugin, Writer, WriterError
from rosidl_runtime_py.utilities import get_message

from pose_estimation_ros.core import topics
from pose_estimation_ros.core.sequence_gaps import MissedSplit, ReaderGaps
from pose_estimation_ros.core.topic_selection import Scan, TopicSelection
from pose_estimation_ros.nodes.adapted_qos import adapted_qos
from pose_estimation_ros.nodes.camera_input import publisher_id
from pose_estimation_ros.nodes.message_definitions import DefinitionNotFound, message_definition
from pose_estimation_ros.nodes.node_main import Refusal, run_node
from pose_estimation_ros.nodes.node_status import diagnostic_array
from pose_estimation_ros.nodes.parameters import ParamSpec, declare_parameters
from pose_estimation_ros.nodes.recorder_diagnostics import TopicCounts, recorder_status
from pose_estimation_ros.nodes.shutdown import spin_until_stopped

ROSBAG2_VERSION = 9  # metadata.yaml version of rosbag2 since Jazzy (type hashes per topic)
DIAGNOSTICS_PERIOD_S = 1.0

PARAMS = (
    ParamSpec(
        "path",
        "",
        "rosbag2 bag to write: a directory, which must not exist, with metadata.yaml and "
        "<its name>.mcap (as ros2 bag record -s mcap -o <path>)",
        read_only=True,
    ),
    ParamSpec(
        "topics",
        (),
        "topics to record (relative to the node's namespace, or absolute): name:pkg/msg/Type "
        "is subscribed at once, a bare name once a scan finds it published",
        read_only=True,
    ),
    ParamSpec(
        "topic_patterns",
        (),
        "topics to record as they appear, '*' for one name token (e.g. "
        "/humans/bodies/*/roi)",
        read_only=True,
    ),
    ParamSpec(
        "queue_depth",
        100,
        "messages each subscription keeps while the recorder is busy",
        1,
        10000,
        read_only=True,
    ),
    ParamSpec(
        "scan_period_s",
        0.2,
        "period of the scans of the ROS graph for the topics to record",
        0.05,
        60.0,
        read_only=True,
        unit="s",
    ),
)


class McapRecorderNode(Node):
    """Record topics into a rosbag2 MCAP bag, as received, with counts of what was lost."""

    def __init__(self, **node_options: Any) -> None:
        """Declare parameters, then open the bag (``WriterError``: the path exists)."""
        super().__init__("mcap_recorder_node", **node_options)
        self._writer: Writer | None = None  # until the parameters are known to be valid
        params = declare_parameters(self, PARAMS)
        if not params["path"]:
            raise ValueError("parameter 'path' is empty: give the bag directory to write")
        self._path = Path(params["path"]).expanduser().absolute()
        self._selection = TopicSelection(
            params["topics"], params["topic_patterns"], self.get_namespace()
        )
        self._depth = params["queue_depth"]
        self._counts: dict[str, TopicCounts] = {}
        self._gaps: dict[str, ReaderGaps] = {}
        self._missed: dict[str, MissedSplit] = {}
        self._heard_from: dict[str, set[bytes | None]] = {}  # each topic's publishers heard
        self._subs: dict[str, Subscription] = {}
        self._connections: dict[str, Connection] = {}  # kept for a topic that comes back
        self._last_scan = Scan()
        self._unrecordable: set[str] = set()  # types without an installed definition
        writer = Writer(self._path, version=ROSBAG2_VERSION, storage_plugin=StoragePlugin.MCAP)
        writer.open()
        self._writer = writer
        self._diagnostics_pub = self.create_publisher(DiagnosticArray, topics.DIAGNOSTICS, 10)
        self._scan_timer = self.create_timer(params["scan_period_s"], self._scan)
        self._timer = self.create_timer(DIAGNOSTICS_PERIOD_S, self._publish_diagnostics)
        exact = [*self._selection.typed, *self._selection.untyped]
        self.get_logger().info(
            f"recording to {self._path}: topics {', '.join(exact) or 'none'}; "
            f"patterns {', '.join(self._selection.patterns) or 'none'}"
        )
        for topic, msgtype in self._selection.typed.items():
            self._subscribe(topic, msgtype)
        self._scan()

    def _scan(self) -> None:
        """Subscribe to the topics the graph now has that the selection wants."""
        advertised = dict(self.get_topic_names_and_types())
        scan = self._selection.scan(advertised, self._subs.keys() | self._unrecordable)
        if scan.other_type and scan.other_type != self._last_scan.other_type:
            types = {topic: advertised[topic] for topic in scan.other_type}
            self.get_logger().error(
                f"never recorded, published with another type than given: {types}"
            )
        if scan.several_types and scan.several_types != self._last_scan.several_types:
            self.get_logger().warning(
                f"not recorded, published with several types: {', '.join(scan.several_types)}"
            )
        self._last_scan = scan
        for topic in scan.gone:  # a body that left; its counts stay for the report
            self._unrecordable.discard(topic)
            if (subscription := self._subs.pop(topic, None)) is not None:
                self.destroy_subscription(subscription)
        for topic, msgtype in scan.subscribe:
            self._subscribe(topic, msgtype)

    def _subscribe(self, topic: str, msgtype: str) -> None:
        """Add ``topic`` to the bag and subscribe to its serialized messages."""
        try:
            definition = message_definition(msgtype)
            msg_class = get_message(msgtype)
        except (DefinitionNotFound, ImportError, AttributeError, ValueError) as error:
            self._unrecordable.add(topic)
            self.get_logger().error(
                f"cannot record {topic}: no installed definition of {msgtype} ({error}); "
                "install its message package"
            )
            return
        connection = self._connections.get(topic)
        if connection is None or connection.msgtype != msgtype:
            connection = self._writer.add_connection(
                topic, msgtype, msgdef=definition.text, rihs01=definition.rihs01
            )
            self._connections[topic] = connection
        self._counts.setdefault(topic, TopicCounts())
        self._gaps.setdefault(topic, ReaderGaps())
        self._missed.setdefault(topic, MissedSplit())
        self._heard_from.setdefault(topic, set())
        self._subs[topic] = self.create_subscription(
            msg_class,
            topic,
            functools.partial(self._on_message, topic, connection),
            adapted_qos(
                [info.qos_profile for info in self.get_publishers_info_by_topic(topic)],
                self._depth,
            ),
            event_callbacks=SubscriptionEventCallbacks(
                message_lost=functools.partial(self._on_lost, topic),
                incompatible_qos=functools.partial(self._on_incompatible, topic),
            ),
            raw=True,
        )
        self.get_logger().info(f"recording {topic} ({msgtype})")

    def _on_message(
        self, topic: str, connection: Connection, data: bytes, info: MessageInfo
    ) -> None:
        counts = self._counts[topic]
        counts.received += 1
        received_ns = info.get("received_timestamp") or self.get_clock().now().nanoseconds
        sequence, publisher = info.get("publication_sequence_number"), publisher_id(info)
        if publisher not in self._heard_from[topic]:  # numbered from 1: what it sent before
            self._heard_from[topic].add(publisher)
            counts.before_subscribed += max(sequence - 1, 0) if sequence else 0
        # A recorder keeps every message: each number missing in a publisher's sequence is lost.
        self._missed[topic].missed(self._gaps[topic].missed(sequence, received_ns, publisher))
        try:
            self._writer.write(connection, received_ns, data)
        except (OSError, WriterError) as error:
            self.get_logger().error(f"cannot write a message of {topic} to {self._path}: {error}")
            return
        counts.written += 1

    def _on_lost(self, topic: str, event: QoSMessageLostInfo) -> None:
        self._missed[topic].lost(event.total_count_change)

    def _count_lost(self) -> None:
        """Add each topic's messages lost since the last call, whichever way they showed."""
        for topic, missed in self._missed.items():
            self._counts[topic].lost += sum(missed.split())

    def _on_incompatible(self, topic: str, event: QoSRequestedIncompatibleQoSInfo) -> None:
        policy = qos_policy_name_from_kind(event.last_policy_kind)
        self.get_logger().error(
            f"a publisher of {topic} is not recorded: its {policy} policy does not match the "
            "recorder's subscription (reliable unless its publishers were all best effort when "
            "it subscribed): publish it reliable, or list it without its type"
        )

    def _publish_diagnostics(self) -> None:
        self._count_lost()
        status = recorder_status(
            self.get_fully_qualified_name(),
            str(self._path),
            self._counts,
            self._last_scan,
        )
        self._diagnostics_pub.publish(diagnostic_array(status, self.get_clock().now().to_msg()))

    def destroy_node(self) -> None:
        """Destroy the node, close the bag (summary, metadata.yaml), log what each topic got."""
        writer, logger = self._writer, self.get_logger()
        super().destroy_node()  # first: no message arrives while the bag closes
        if writer is None:  # the constructor failed before the bag was opened
            return
        self._count_lost()
        try:
            writer.close()
        except (OSError, WriterError) as error:  # a full disk: the counts below still tell
            logger.error(f"cannot close {self._path} ({error}): its summary or metadata.yaml "
                         "is missing; free space and record again")
        total = sum(counts.written for counts in self._counts.values())
        logger.info(
            f"stopping: wrote {total} messages on {len(self._counts)} topics to {self._path} "
            f"(metadata.yaml, {self._path.name}.mcap)"
        )
        for topic in sorted(self._counts):
            counts = self._counts[topic]
            line = f"{topic}: {counts.summary()}"
            if counts.lost or counts.not_written:
                logger.error(f"{line}: the bag misses messages of {topic}")
            else:
                logger.info(line)
        typed = self._selection.typed
        never = [t for t, counts in self._counts.items() if t in typed and not counts.received]
        never += self._last_scan.waiting_for + self._last_scan.other_type
        if never:
            logger.warning(f"nothing recorded of {', '.join(sorted(set(never)))}")


def main(args: list[str] | None = None) -> int:
    """Record until a signal stops it; 1 when a parameter is invalid or the path exists.

    Exit status: 0 after SIGINT, 143 after SIGTERM (``nodes.shutdown``).
    """
    refused = Refusal((ValueError, InvalidParameterValueException), "{}; fix the parameter")
    exists = Refusal((WriterError,), "cannot record: {} Give 'path' a new directory to create")
    return run_node(
        "mcap_recorder_node", args, McapRecorderNode, spin_until_stopped, [refused, exists]
    )
