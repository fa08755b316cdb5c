"""Live status of a running graph: frames/s in and out, latency, people, and every frame's fate.

A small ROS node in the runner's own process listens to ``camera_info`` (one
per published frame, with its stamp, much lighter than the image) and
``poses``, both reliably and with room for a long stall of the runner, so
the runner itself loses none. ``GraphStatus`` keeps a ``FrameLedger`` of
them (answered, replaced, lost) and turns what it heard into one status line.
Times are receipt times as the middleware reports them (system clock).
"""

from __future__ import annotations

import threading
import time
from collections import deque

import numpy as np
from rclpy.node import Node
from rclpy.qos import DurabilityPolicy, HistoryPolicy, QoSProfile, ReliabilityPolicy
from rclpy.subscription import MessageInfo
from sensor_msgs.msg import CameraInfo

from pose_estimation_ros.core import topics
from pose_estimation_ros.core.frame_ledger import FrameLedger, LedgerCounts
from pose_estimation_ros.msg import PoseArray
from pose_estimation_ros.nodes.conversions import stamp_ns

_WINDOW_S = 2.0
# Messages the runner's subscriptions keep while its executor is held up (a minute at 30 fps).
_QUEUE_DEPTH = 2000


class GraphStatus:
    """Rates and latencies over a sliding window, and the ledger, fed from callbacks."""

    def __init__(self, ledger: FrameLedger) -> None:
        """Start with empty windows."""
        self._lock = threading.Lock()
        self._ledger = ledger
        self._frames_in: deque[float] = deque()
        self._frames_out: deque[tuple[float, float, int]] = deque()  # (t, latency_s, people)

    def frame_in(self, stamp_ns: int, received_s: float) -> None:
        """Record one frame published by the camera, received at ``received_s``."""
        with self._lock:
            self._frames_in.append(received_s)
            self._ledger.frame(stamp_ns, received_s)

    def poses_out(self, stamp_ns: int, received_s: float, people: int) -> None:
        """Record one PoseArray for the frame stamped ``stamp_ns``."""
        with self._lock:
            self._frames_out.append((received_s, received_s - stamp_ns * 1e-9, people))
            self._ledger.pose(stamp_ns, received_s)

    def end(self, end_s: float) -> None:
        """Mark the graph told to stop: frames unanswered by then are in flight, not lost."""
        with self._lock:
            self._ledger.end(end_s)

    def counts(self, now_s: float) -> LedgerCounts:
        """Count what became of the frames so far."""
        with self._lock:
            return self._ledger.counts(now_s)

    def wait_until_settled(self, timeout_s: float) -> bool:
        """Wait until every frame seen is answered or judged, and some pose came, if any can.

        Poses published before this runner's reader matched the pose node come once it
        matches (transient local), which on a loaded machine can take a second or two.
        """
        deadline = time.monotonic() + timeout_s
        while (counts := self.counts(time.time())).in_flight or (
            counts.frames and not counts.poses
        ):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def line(self, now_s: float) -> str:
        """One human-readable status line for the last couple of seconds."""
        with self._lock:
            while self._frames_in and self._frames_in[0] < now_s - _WINDOW_S:
                self._frames_in.popleft()
            while self._frames_out and self._frames_out[0][0] < now_s - _WINDOW_S:
                self._frames_out.popleft()
            fps_in = len(self._frames_in) / _WINDOW_S
            fps_out = len(self._frames_out) / _WINDOW_S
            latencies = [lat for _, lat, _ in self._frames_out]
            people = self._frames_out[-1][2] if self._frames_out else 0
            counts = self._ledger.counts(now_s)
        latency = (
            f"latency p50 {np.percentile(latencies, 50) * 1e3:5.1f} ms "
            f"p95 {np.percentile(latencies, 95) * 1e3:5.1f} ms"
            if latencies
            else "latency    -"
        )
        ratio = f"{counts.poses / counts.frames:4.0%}" if counts.frames else "   -"
        return (
            f"in {fps_in:5.1f} fps | out {fps_out:5.1f} fps | {latency} | people {people} | "
            f"poses/frames {counts.poses}/{counts.frames} {ratio} | lost {counts.lost}"
        )


def _received_s(info: MessageInfo) -> float:
    """When the middleware received a message (s, system clock); now when it does not say."""
    return (info.get("received_timestamp") or time.time_ns()) * 1e-9


class StatusNode(Node):
    """Feeds a ``GraphStatus`` from the graph's topics."""

    def __init__(self, status: GraphStatus, camera_reliable: bool = True, **kwargs) -> None:
        """Subscribe to camera_info and poses, reliably: the runner must not lose any.

        ``camera_reliable`` False: the camera publishes best effort, which a
        reliable reader would not match; frames the runner then misses are
        not counted at all (never counted as lost).
        """
        super().__init__("run_status", **kwargs)
        self._status = status
        camera = ReliabilityPolicy.RELIABLE if camera_reliable else ReliabilityPolicy.BEST_EFFORT
        self._info_sub = self.create_subscription(
            CameraInfo, topics.CAMERA_INFO, self._on_info, _queue(camera)
        )
        # Transient local: the PoseArrays published before this reader matched come too.
        poses = _queue(ReliabilityPolicy.RELIABLE)
        poses.durability = DurabilityPolicy.TRANSIENT_LOCAL
        self.create_subscription(PoseArray, topics.POSES, self._on_poses, poses)

    def wait_for_camera(self, timeout_s: float) -> bool:
        """Wait until the camera's ``camera_info`` publisher is matched (so no frame is missed)."""
        deadline = time.monotonic() + timeout_s
        while not self._info_sub.get_publisher_count():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def _on_info(self, msg: CameraInfo, info: MessageInfo) -> None:
        self._status.frame_in(stamp_ns(msg), _received_s(info))

    def _on_poses(self, msg: PoseArray, info: MessageInfo) -> None:
        self._status.poses_out(stamp_ns(msg), _received_s(info), len(msg.poses))


def _queue(reliability: ReliabilityPolicy) -> QoSProfile:
    return QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=_QUEUE_DEPTH, reliability=reliability)
