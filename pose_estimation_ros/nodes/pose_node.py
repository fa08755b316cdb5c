"""``pose_node``: images in, poses out, at most one frame behind the camera.

A lifecycle node: parameters are read and the model is loaded in
``on_configure``, the image subscription starts in ``on_activate`` and stops
in ``on_deactivate``. With ``autostart`` (default) it configures and
activates itself, so it runs without a lifecycle manager.

Newest frames only: the image subscription keeps ``image_queue_depth``
images (2) and its callback runs the model on the oldest of them, read in
place from the serialized bytes (``nodes.raw_cdr``). While it runs, images
that arrive replace the oldest waiting one without being read, so one slow
inference (a busy CPU) costs no frame, and a model slower than the camera
keeps taking recent frames. Images that were never taken are counted from the
gaps in each publisher's publication sequence numbers (two cameras on one
topic are counted apart, by publisher GID): as lost as many as the middleware
reports lost on the way (its ``message_lost`` event: a transport problem,
shown on ``/diagnostics``), the rest as dropped (replaced by newer ones before
the node took them: by design).

Images out of ``core.image_bounds`` (at most 4096 px a side and 4096x2160
pixels) or unreadable are rejected before their pixels are read: counted on
``/diagnostics``, and each problem (cause and encoding) named once in the log.

With ``image_transport: compressed`` the subscription is to
``image_raw/compressed`` (``sensor_msgs/CompressedImage``) instead, each JPEG
decoded before the same processing (``nodes.image_transports``).

With ``cameras: [front, rear]`` one node and one model serve several cameras
(``nodes.camera_input``): each camera's images from ``<camera>/image_raw``,
its poses on ``<camera>/poses`` with its own tracks and smoothing. The image
callbacks then only leave each camera's newest image in its slot
(``core.stream_slots``; an image replaced there is dropped), and one worker
thread per inference stream (``inference_streams``, OpenVINO infer requests)
runs the cameras' images in turn, so frames of different cameras run at once
and no camera starves another.
"""

from __future__ import annotations

import functools
import time
from typing import Any

import rclpy
from rclpy.event_handler import SubscriptionEventCallbacks
from rclpy.exceptions import InvalidParameterValueException
from rclpy.lifecycle import LifecycleNode, LifecycleState, TransitionCallbackReturn
from rclpy.qos import DurabilityPolicy, HistoryPolicy, QoSProfile, ReliabilityPolicy
from rclpy.subscription import MessageInfo, Subscription
from diagnostic_msgs.msg import DiagnosticArray
from sensor_msgs.msg import Image
from visualization_msgs.msg import MarkerArray

from pose_estimation_ros.core import topics
from pose_estimation_ros.core.assets import AssetError
from pose_estimation_ros.core.estimator import create_estimator, option_names
from pose_estimation_ros.core.pose_pipeline import PosePipeline
from pose_estimation_ros.core.runtimes import (
    BackendNotInstalled,
    auto_inference_streams,
    bound_onednn_caches,
)
from pose_estimation_ros.core.stream_slots import StreamSlots
from pose_estimation_ros.core.stream_workers import StreamWorkers
from pose_estimation_ros.msg import PoseArray
from pose_estimation_ros.nodes.camera_input import CameraInput
from pose_estimation_ros.nodes.image_transports import TRANSPORTS
from pose_estimation_ros.nodes.node_main import EXIT_FAILED, Refusal, run_node
from pose_estimation_ros.nodes.node_status import diagnostic_array, frame_age_s
from pose_estimation_ros.nodes.parameters import current_values, declare_parameters
from pose_estimation_ros.nodes.pose_diagnostics import (
    PoseStats,
    ProblemNotices,
    inference_status,
    pose_status,
)
from pose_estimation_ros.nodes.pose_frame_handler import PoseFrameHandler, PoseOutputs
from pose_estimation_ros.nodes.pose_params import PARAMS
from pose_estimation_ros.nodes.shutdown import spin_until_stopped

# With several cameras the image callback only hands each image to its camera's slot, where
# image_queue_depth images wait; the subscription is a hand-off buffer, deep enough that an
# executor thread starved for a moment by the inference workers drops nothing (with depth 2,
# 2 of 120 frames were replaced in it so on a loaded machine).
HANDOFF_QUEUE_DEPTH = 10

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
        self._estimator: PosePipeline | None = None
        self._notices = ProblemNotices()
        self._outputs: dict[str, PoseOutputs] = {}  # per camera; on_configure
        self._cameras: dict[str, CameraInput] = {}  # per camera; on_activate
        self._subs: list[Subscription] = []
        self._slots: StreamSlots[bytes] | None = None  # several cameras: their newest images
        self._workers: StreamWorkers[bytes] | None = None  # ... and the threads running them
        self._timer = None
        self._diagnostics_pub = None
        self._params = declare_parameters(self, PARAMS)

    @property
    def autostart(self) -> bool:
        """Whether to configure and activate without waiting for a lifecycle manager."""
        return self._params["autostart"]

    def on_configure(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Read parameters, load the model, create the publishers."""
        self._params = current_values(self, PARAMS)
        model = self._params["model"]
        try:
            names = option_names(model)
            options = {k: v for k, v in self._params.items() if k in names}
            options["inference_streams"] = self._inference_streams()
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
        self._outputs = {camera: self._camera_outputs(camera) for camera in self._camera_names()}
        self._diagnostics_pub = self.create_lifecycle_publisher(
            DiagnosticArray, topics.DIAGNOSTICS, 10
        )
        served = f" for {len(self._outputs)} cameras" if len(self._outputs) > 1 else ""
        self.get_logger().info(
            f"loaded {model} on {self._params['backend']}{served} "
            f"(first inference {warm_up_ms:.0f} ms)"
        )
        return super().on_configure(state)

    def on_activate(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Subscribe to images and start the diagnostics timer."""
        reliability = (
            ReliabilityPolicy.RELIABLE
            if self._params["image_reliability"] == "reliable"
            else ReliabilityPolicy.BEST_EFFORT
        )
        depth = self._params["image_queue_depth"]
        qos = QoSProfile(
            history=HistoryPolicy.KEEP_LAST,
            depth=depth if len(self._outputs) == 1 else max(depth, HANDOFF_QUEUE_DEPTH),
            reliability=reliability,
        )
        transport = TRANSPORTS[self._params["image_transport"]]
        for index, (camera, outputs) in enumerate(self._outputs.items()):
            estimator = self._estimator if index == 0 else self._estimator.for_stream()
            stats = PoseStats()
            handler = PoseFrameHandler(
                estimator, transport.read, outputs, stats, self._notices, self.get_logger()
            )
            self._cameras[camera] = CameraInput(camera, handler, stats, self._params["max_rate"])
            self._subs.append(
                self.create_subscription(
                    transport.msg_type,
                    topics.in_camera(camera, transport.topic()),
                    functools.partial(self._on_image, self._cameras[camera]),
                    qos,
                    event_callbacks=SubscriptionEventCallbacks(
                        message_lost=self._cameras[camera].lost_on_the_way
                    ),
                    raw=True,
                )
            )
        if len(self._cameras) > 1:  # one thread per inference stream, fed the newest images
            self._slots = StreamSlots(list(self._cameras), self._params["image_queue_depth"])
            streams = self._inference_streams()
            self._workers = StreamWorkers(self._slots, self._run_waiting, streams)
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

    def destroy_node(self) -> None:
        """Let the inference workers finish their frames, then destroy the node.

        A worker still inside OpenVINO when the process exits would abort it
        (``terminate called without an active exception``).
        """
        if self._workers is not None:
            self._workers.stop()
        super().destroy_node()

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

    def _camera_names(self) -> tuple[str, ...]:
        """Return the cameras served: ``cameras``, or the one in the node's own namespace."""
        return self._params["cameras"] or ("",)

    def _inference_streams(self) -> int:
        """Return ``inference_streams``, 0 resolved: one per camera, at most two per core."""
        streams = self._params["inference_streams"]
        return streams or auto_inference_streams(len(self._camera_names()))

    def _camera_outputs(self, camera: str) -> PoseOutputs:
        """Create ``camera``'s publishers: poses, markers and, if asked, the annotated image."""
        annotated = None
        if self._params["publish_annotated"]:
            annotated = self.create_lifecycle_publisher(
                Image, topics.in_camera(camera, topics.IMAGE_ANNOTATED), 1
            )
        return PoseOutputs(
            self.create_lifecycle_publisher(
                PoseArray, topics.in_camera(camera, topics.POSES), POSES_QOS
            ),
            self.create_lifecycle_publisher(
                MarkerArray, topics.in_camera(camera, topics.POSE_MARKERS), 10
            ),
            annotated,
        )

    def _unsubscribe(self) -> None:
        if self._workers is not None:
            self._workers.stop()
        self._slots = self._workers = None
        for subscription in self._subs:
            self.destroy_subscription(subscription)
        self._subs = []
        self._cameras = {}
        if self._timer is not None:
            self.destroy_timer(self._timer)
            self._timer = None

    def _release(self) -> None:
        publishers = [p for outputs in self._outputs.values() for p in outputs.publishers()]
        for publisher in publishers + [self._diagnostics_pub]:
            if publisher is not None:
                self.destroy_lifecycle_publisher(publisher)
        self._outputs, self._diagnostics_pub = {}, None
        self._estimator = None

    def _on_image(self, camera: CameraInput, serialized: bytes, info: MessageInfo) -> None:
        """Run one camera's image here, or leave it to the workers with several cameras."""
        if camera.arrived(info):
            if self._slots is None:
                camera.handle(serialized, self._score_threshold())
            elif self._slots.offer(camera.name, serialized) is not None:
                camera.stats.dropped()  # newer images pushed it out before a worker took it

    def _run_waiting(self, name: str, serialized: bytes) -> None:
        """Run a camera's newest image on a worker thread (several cameras).

        A frame still running when Ctrl-C shuts the context down cannot be published (rclpy
        raises): the node is stopping, so it is let go quietly instead of killing the worker
        with a traceback in the log.
        """
        try:
            self._cameras[name].handle(serialized, self._score_threshold())
        except Exception:  # noqa: BLE001 (rclpy's RCLError: publisher's context is invalid)
            if not self.interrupted():
                raise

    def _score_threshold(self) -> float:
        return self.get_parameter("score_threshold").value  # may change while running

    def _publish_diagnostics(self) -> None:
        """Publish one status per camera; with several, the shared inference's load too."""
        name, model = self.get_fully_qualified_name(), self._params["model"]
        period_s, now_s = self._params["diagnostics_period_s"], time.monotonic()
        for camera in self._cameras.values():
            camera.count_missed()
        statuses = [
            pose_status(
                name,
                model,
                period_s,
                camera.stats.take_window(),
                camera.stats,
                age_s=frame_age_s(camera.stats.last_image_s, now_s),
                stale_warn_s=self._params["stale_frame_warn_s"],
                camera=camera.name,
            )
            for camera in self._cameras.values()
        ]
        if self._workers is not None:
            busy_s = self._workers.take_busy_s()
            statuses.append(
                inference_status(name, model, period_s, busy_s, self._workers.count, len(statuses))
            )
        self._diagnostics_pub.publish(
            diagnostic_array(statuses, self.get_clock().now().to_msg())
        )


def main(args: list[str] | None = None) -> int:
    """Run the pose node until a signal stops it; return its exit status.

    Exit status: 0 after SIGINT (also while the model loads), 143 after SIGTERM
    (``nodes.shutdown``), 1 when a parameter, the model or its activation fails.
    """
    bound_onednn_caches()  # before OpenVINO compiles the model
    refused = Refusal((ValueError, InvalidParameterValueException), "cannot start: {}")
    return run_node("pose_node", args, PoseNode, start_and_spin, [refused])


def start_and_spin(node: PoseNode) -> int | None:
    """Configure and activate (with ``autostart``), then spin until a signal stops the node.

    Return 1 when starting failed; ``None`` when a signal stopped it (``run_node``).
    """
    if node.autostart and not node.start():
        return None if node.interrupted() else EXIT_FAILED
    spin_until_stopped(node)
    return None
