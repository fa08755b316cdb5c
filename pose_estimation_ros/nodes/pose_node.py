"""``pose_node``: images in, poses out, at most one frame behind the camera.

A lifecycle node: parameters are read and the model is loaded in
``on_configure``, the image subscription starts in ``on_activate`` and stops
in ``on_deactivate``. With ``autostart`` (default) it configures and
activates itself, so it runs without a lifecycle manager.

Newest frames only: the image subscription keeps ``image_queue_depth``
images (2) and its callback runs the model on the oldest of them, read in
place from the serialized bytes (``nodes.image_cdr``). While it runs, images
that arrive replace the oldest waiting one without being read, so one slow
inference (a busy CPU) costs no frame, and a model slower than the camera
keeps taking recent frames. Images that were never taken are counted from the
gaps in each publisher's publication sequence numbers (two cameras on one
topic are counted apart, by publisher GID): as dropped when they came
while the node was busy (by design), as lost when it was idle (they never
arrived: a transport problem, shown on ``/diagnostics``).

Images out of ``core.image_bounds`` (at most 4096 px a side and 4096x2160
pixels) or unreadable are rejected before their pixels are read: counted on
``/diagnostics``, and each problem (cause and encoding) named once in the log.

With ``image_transport: compressed`` the subscription is to
``image_raw/compressed`` (``sensor_msgs/CompressedImage``) instead, each JPEG
decoded before the same processing (``nodes.image_transports``).
"""

from __future__ import annotations

import time
from typing import Any

import rclpy
from rclpy.exceptions import InvalidParameterValueException
from rclpy.lifecycle import LifecycleNode, LifecycleState, TransitionCallbackReturn
from rclpy.qos import DurabilityPolicy, HistoryPolicy, QoSProfile, ReliabilityPolicy
from rclpy.subscription import MessageInfo
from diagnostic_msgs.msg import DiagnosticArray
from sensor_msgs.msg import Image
from visualization_msgs.msg import MarkerArray

from pose_estimation_ros.core.assets import AssetError
from pose_estimation_ros.core.drawing import draw_people
from pose_estimation_ros.core.estimator import PoseEstimator, create_estimator, option_names
from pose_estimation_ros.core.image_encoding import ImageEncodingError
from pose_estimation_ros.core.rate_limit import RateLimiter
from pose_estimation_ros.core.runtimes import BackendNotInstalled
from pose_estimation_ros.core.sequence_gaps import ReaderGaps
from pose_estimation_ros.core.types import PoseFrame
from pose_estimation_ros.msg import PoseArray
from pose_estimation_ros.nodes.conversions import bgr_to_image_msg
from pose_estimation_ros.nodes.diagnostics import PoseStats, ProblemNotices, diagnostics_msg
from pose_estimation_ros.nodes.image_transports import TRANSPORTS
from pose_estimation_ros.nodes.markers import people_markers
from pose_estimation_ros.nodes.node_status import frame_age_s
from pose_estimation_ros.nodes.parameters import coerce, declare_parameters
from pose_estimation_ros.nodes.pose_array_cdr import serialize_pose_array
from pose_estimation_ros.nodes.pose_params import PARAMS
from pose_estimation_ros.nodes.shutdown import init_ros, stopped_by_shutdown
from pose_estimation_ros.nodes.transport import use_large_frame_transports

# PoseArrays are small (0.5 kB a person) and come at up to hundreds a second: a history of 100
# gives a reliable subscriber (a recorder, a robot's logic) time to recover a lost sample while
# the pose node's images crowd the transport, where ROS's usual 10 lost some for good.
# Transient local: a subscriber that asks for it (the runner, a recorder) gets the PoseArrays
# published before it matched, up to that depth (volatile subscribers get new ones only).
POSES_QOS = QoSProfile(
    depth=100, reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.TRANSIENT_LOCAL
)


class PoseNode(LifecycleNode):
    """Subscribes ``image_raw``; publishes ``poses``, ``pose_markers``, ``/diagnostics``.

    With ``image_transport: compressed``, ``image_raw/compressed`` instead of ``image_raw``.
    """

    def __init__(self, **kwargs: Any) -> None:
        """Declare the parameters (``kwargs`` go to ``Node``); nothing is loaded yet."""
        super().__init__("pose_node", **kwargs)
        self._estimator: PoseEstimator | None = None
        self._gaps = ReaderGaps()
        self._rate = RateLimiter(0.0)
        self._stats = PoseStats()
        self._notices = ProblemNotices()
        self._sub = None
        self._read = TRANSPORTS["raw"].read  # serialized image -> (msg with header, BGR image)
        self._timer = None
        self._poses_pub = self._markers_pub = self._diagnostics_pub = self._annotated_pub = None
        self._params = declare_parameters(self, PARAMS)

    @property
    def autostart(self) -> bool:
        """Whether to configure and activate without waiting for a lifecycle manager."""
        return self._params["autostart"]

    def on_configure(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Read parameters, load the model, create the publishers."""
        self._params = {
            spec.name: coerce(spec, self.get_parameter(spec.name).value) for spec in PARAMS
        }
        model = self._params["model"]
        try:
            names = option_names(model)
            options = {k: v for k, v in self._params.items() if k in names}
            self._estimator = create_estimator(model, **options)
            started = time.perf_counter()
            self._estimator.warm_up()
            warm_up_ms = (time.perf_counter() - started) * 1e3
        except Exception as error:  # noqa: B902 (missing asset, bad option, file refused)
            if self._interrupted():
                return TransitionCallbackReturn.FAILURE
            readable = (AssetError, BackendNotInstalled, ValueError)
            why = str(error) if isinstance(error, readable) else repr(error)
            self.get_logger().error(
                f"cannot load model {model!r} on {self._params['backend']}: {why}"
            )
            return TransitionCallbackReturn.FAILURE
        if self._interrupted():  # Ctrl-C while the model loaded (the longest step)
            return TransitionCallbackReturn.FAILURE
        self._poses_pub = self.create_lifecycle_publisher(
            PoseArray, "poses", POSES_QOS
        )
        self._markers_pub = self.create_lifecycle_publisher(MarkerArray, "pose_markers", 10)
        self._diagnostics_pub = self.create_lifecycle_publisher(
            DiagnosticArray, "/diagnostics", 10
        )
        if self._params["publish_annotated"]:
            self._annotated_pub = self.create_lifecycle_publisher(Image, "image_annotated", 1)
        self.get_logger().info(
            f"loaded {model} on {self._params['backend']} (first inference {warm_up_ms:.0f} ms)"
        )
        return super().on_configure(state)

    def on_activate(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Subscribe to images and start the diagnostics timer."""
        reliability = (
            ReliabilityPolicy.RELIABLE
            if self._params["image_reliability"] == "reliable"
            else ReliabilityPolicy.BEST_EFFORT
        )
        qos = QoSProfile(
            history=HistoryPolicy.KEEP_LAST,
            depth=self._params["image_queue_depth"],
            reliability=reliability,
        )
        self._gaps = ReaderGaps()
        self._rate = RateLimiter(self._params["max_rate"])
        transport = TRANSPORTS[self._params["image_transport"]]
        self._read = transport.read
        self._sub = self.create_subscription(
            transport.msg_type, transport.topic(), self._on_image, qos, raw=True
        )
        period = self._params["diagnostics_period_s"]
        self._timer = self.create_timer(period, self._publish_diagnostics)
        if self._interrupted():
            return TransitionCallbackReturn.FAILURE
        return super().on_activate(state)

    def on_deactivate(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Stop taking images."""
        self._unsubscribe()
        return super().on_deactivate(state)

    def on_cleanup(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Free the model and the publishers."""
        self._release()
        return super().on_cleanup(state)

    def on_shutdown(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Stop everything, whatever the state."""
        self._unsubscribe()
        self._release()
        return super().on_shutdown(state)

    def start(self) -> bool:
        """Configure and activate; ``False`` (after logging why) when either fails."""
        return (
            self.trigger_configure() == TransitionCallbackReturn.SUCCESS
            and self.trigger_activate() == TransitionCallbackReturn.SUCCESS
        )

    def interrupted(self) -> bool:
        """Whether Ctrl-C (or SIGTERM) stopped the node: its context is shut down."""
        return not self.context.ok()

    def _interrupted(self) -> bool:
        """Whether the node was stopped during a transition; if so, silence its logger.

        rclpy cannot complete a transition once the context is shut down and
        would log ``Failed to complete transition``; a stop is not a failure.
        """
        if not self.interrupted():
            return False
        self.get_logger().set_level(rclpy.logging.LoggingSeverity.FATAL)
        return True

    def _unsubscribe(self) -> None:
        if self._sub is not None:
            self.destroy_subscription(self._sub)
            self._sub = None
        if self._timer is not None:
            self.destroy_timer(self._timer)
            self._timer = None

    def _release(self) -> None:
        for publisher in (
            self._poses_pub,
            self._markers_pub,
            self._diagnostics_pub,
            self._annotated_pub,
        ):
            if publisher is not None:
                self.destroy_lifecycle_publisher(publisher)
        self._poses_pub = self._markers_pub = self._diagnostics_pub = self._annotated_pub = None
        self._estimator = None

    def _on_image(self, serialized: bytes, info: MessageInfo) -> None:
        self._stats.arrived(time.monotonic())
        replaced, lost = self._gaps.missed(
            info.get("publication_sequence_number"),
            info.get("source_timestamp"),
            info.get("received_timestamp") or time.time_ns(),
            publisher_id(info),
        )
        if replaced:
            self._stats.dropped(replaced)
        if lost:
            self._stats.lost(lost)
        if self._rate.allow(time.monotonic()):
            self._stats.received()
            self._process(serialized)
        else:
            self._stats.dropped()
        self._gaps.idle(time.time_ns())

    def _process(self, serialized: bytes) -> None:
        try:
            msg, image = self._read(serialized)  # raw or compressed; msg has the header
        except ImageEncodingError as error:
            self._stats.rejected(str(error))
            notice = self._notices.first(error.problem, str(error))
            if notice:
                self.get_logger().warning(notice)
            return
        stamp = msg.header.stamp
        timestamp_s = stamp.sec + stamp.nanosec * 1e-9 or time.monotonic()
        started = time.perf_counter()
        try:
            people = self._estimator.estimate(image, timestamp_s)
        except Exception as error:  # noqa: BLE001 (a bad frame must not kill the node)
            self._stats.failed()
            self.get_logger().error(f"inference failed: {error!r}", throttle_duration_sec=10.0)
            return
        self._stats.processed((time.perf_counter() - started) * 1e3)
        estimator = self._estimator
        height, width = image.shape[:2]
        frame = PoseFrame(estimator.model, estimator.layout, width, height, people)
        self._poses_pub.publish(serialize_pose_array(frame, msg.header))
        threshold = self.get_parameter("score_threshold").value  # may change while running
        if self._markers_pub.get_subscription_count():  # building markers costs ~1 ms
            markers = people_markers(people, estimator.layout, msg.header, threshold)
            self._markers_pub.publish(markers)
        if self._annotated_pub is not None and self._annotated_pub.get_subscription_count():
            drawn = draw_people(image, people, estimator.layout, threshold)
            self._annotated_pub.publish(bgr_to_image_msg(drawn, msg.header))

    def _publish_diagnostics(self) -> None:
        self._diagnostics_pub.publish(
            diagnostics_msg(
                self._stats.take_window(),
                self._stats,
                self._params["diagnostics_period_s"],
                self.get_clock().now().to_msg(),
                self._params["model"],
                self.get_fully_qualified_name(),
                age_s=frame_age_s(self._stats.last_image_s, time.monotonic()),
                stale_warn_s=self._params["stale_frame_warn_s"],
            )
        )


def publisher_id(info: MessageInfo) -> bytes | None:
    """Return the GID of the message's publisher; ``None`` when the middleware gives none."""
    gid = info.get("publisher_gid")
    data = gid.get("data") if isinstance(gid, dict) else None
    return bytes(data) if data is not None else None


def main(args: list[str] | None = None) -> None:
    """Run the pose node until a signal stops it; exit with its status (``SystemExit``).

    Exit status: 0 after SIGINT (also while the model loads), 143 after SIGTERM
    (``nodes.shutdown``), 1 when a parameter, the model or its activation fails.
    """
    use_large_frame_transports("pose_node")
    signals = init_ros(args)
    node = None
    try:
        node = PoseNode()
        if node.autostart and not node.start() and not node.interrupted():
            code = 1
        else:
            if not node.interrupted():
                rclpy.spin(node)
            code = signals.exit_code()
    except (ValueError, InvalidParameterValueException) as error:  # a parameter refused
        rclpy.logging.get_logger("pose_node").error(f"cannot start: {error}")
        code = 1
    except Exception as error:  # noqa: B902 (a publish that raced the shutdown ends it too)
        if not stopped_by_shutdown(error):
            raise
        code = signals.exit_code()
    finally:
        if node is not None:
            node.destroy_node()
        rclpy.try_shutdown()
    if code:
        raise SystemExit(code)
