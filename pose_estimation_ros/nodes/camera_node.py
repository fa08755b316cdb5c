"""Camera node: a device, video file, stream, images or recording as ``sensor_msgs/Image``.

Publishes ``image_raw`` and ``camera_info`` (relative names), and a JPEG of each
frame on ``image_raw/compressed`` while that has subscribers
(``nodes.image_publisher``). Frames are read in a capture thread, stamped with
the node clock right after each read (a recording's keep their recorded stamps
unless ``restamp``), and published in order; the executor
stays free for parameter services. With ``pace_topic`` it publishes at most
``max_frames_in_flight`` frames ahead of the results a downstream node
publishes there with each frame's header (``nodes.pace_topic``).

Exit status (docs/camera.md#exit-status): 0 at the end of a finite source (or
``--end-of-source-exit-code N``: N, so that a supervisor tells it from a stop)
and when stopped by SIGINT; 1 when the node cannot start or capture fails; 65
when a video file ends short of its declared frame count (truncated or
damaged); 143 when stopped by SIGTERM.

Its health goes on ``/diagnostics`` every ``diagnostics_period_s``
(``nodes.camera_diagnostics``), one last time at once when capture fails.
"""

from __future__ import annotations

import argparse
import copy
import threading
import time
from collections.abc import Sequence
from functools import partial

from diagnostic_msgs.msg import DiagnosticArray
from rclpy.duration import Duration
from rclpy.exceptions import ParameterException
from rclpy.node import Node
from rclpy.qos import DurabilityPolicy, HistoryPolicy, QoSProfile, ReliabilityPolicy
from rclpy.task import Future
from rclpy.utilities import remove_ros_args

from pose_estimation_ros.core import topics
from pose_estimation_ros.core.capture import (
    CaptureCounts,
    DamagedVideo,
    SourceError,
    capture_frames,
    open_source,
)
from pose_estimation_ros.core.capture.calibration import (
    CalibrationError,
    CameraCalibration,
    load_calibration,
)
from pose_estimation_ros.core.capture.encoding import ENCODINGS
from pose_estimation_ros.core.capture.in_flight import InFlightWindow
from pose_estimation_ros.core.capture.rosbag_source import ReplayOptions
from pose_estimation_ros.core.options import field_names, field_specs
from pose_estimation_ros.nodes.camera_diagnostics import CameraCounts, CameraHealth, camera_status
from pose_estimation_ros.nodes.image_publisher import FramePublisher, ImageSettings
from pose_estimation_ros.nodes.node_main import Refusal, run_node
from pose_estimation_ros.nodes.node_status import (
    DIAGNOSTICS_PARAMS,
    diagnostic_array,
    difference,
    frame_age_s,
)
from pose_estimation_ros.nodes.pace_topic import PaceTopic
from pose_estimation_ros.nodes.parameters import ParamSpec, declare_parameters
from pose_estimation_ros.nodes.shutdown import spin_until_stopped, stopped_by_shutdown

RELIABILITY = {
    "reliable": ReliabilityPolicy.RELIABLE,
    "best_effort": ReliabilityPolicy.BEST_EFFORT,
}

_READER_POLL_S = 0.05
# DDS matches a publisher and a subscriber on each side separately: the publisher may count a
# reader whose own side has not matched it yet, and a volatile reader drops what comes before.
# Once wait_for_readers are counted, the first frame waits this long more (a recorder that
# matched last lost the first frame about one run in five without it).
READERS_SETTLE_S = 0.3
IN_FLIGHT_TIMEOUT_S = 1.0  # a frame unanswered this long is given up on
END_OF_SOURCE_DELIVERY_S = 5.0  # how long the last frames may take to reach reliable readers
EXIT_DAMAGED_VIDEO = 65  # sysexits' EX_DATAERR: the input data was incorrect
END_OF_SOURCE_FLAG = "--end-of-source-exit-code"

PARAMS = (
    ParamSpec(
        "source",
        0,
        "device index (0), /dev/videoN, video file, stream URL (rtsp://, http://), image folder, "
        "glob pattern of images, one image file (published repeatedly), or a recording to "
        "replay (.mcap or .db3 file, or rosbag2 folder)",
        types=(int, str),
        read_only=True,
    ),
    ParamSpec(
        "fps",
        -1.0,
        "frames per second to publish; -1: the source's own pace (a file's frame rate, a "
        "device's or stream's delivery, 10 for images, a recording's recorded timing sped up "
        "by replay_rate); 0: as fast as possible",
        min_value=-1.0,
        read_only=True,
        unit="Hz",
    ),
    ParamSpec(
        "loop", False, "restart a video file, image folder or recording at its end", read_only=True
    ),
    *field_specs(ReplayOptions),
    ParamSpec(
        "frame_id",
        "camera_optical_frame",
        "header.frame_id of images and camera info (an optical frame, REP 103), a recording's "
        "too (its recorded frame is logged at start)",
        read_only=True,
    ),
    ParamSpec(
        "width", 0, "width to ask a device for; 0: its default", 0, read_only=True, unit="px"
    ),
    ParamSpec(
        "height", 0, "height to ask a device for; 0: its default", 0, read_only=True, unit="px"
    ),
    ParamSpec(
        "encoding",
        "bgr8",
        "encoding of published images",
        choices=tuple(ENCODINGS),
        read_only=True,
    ),
    ParamSpec(
        "jpeg_quality",
        90,
        "JPEG quality of image_raw/compressed (image_transport's compressed "
        "transport), encoded only while it has subscribers",
        min_value=1,
        max_value=100,
        read_only=True,
    ),
    ParamSpec(
        "reliability",
        "reliable",
        "publisher QoS reliability; reliable reaches reliable and best-effort subscribers alike",
        choices=tuple(RELIABILITY),
        read_only=True,
    ),
    ParamSpec(
        "qos_depth",
        1,
        "publisher history depth (frames kept for slow reliable readers)",
        min_value=1,
        read_only=True,
    ),
    ParamSpec(
        "wait_for_readers",
        0,
        "publish the first frame only once this many subscribers read image_raw or "
        "image_raw/compressed (so a video file is not half played before a pose node has "
        f"loaded its model), then {READERS_SETTLE_S:g} s more for their side of the match; 0: "
        "start at once",
        min_value=0,
        read_only=True,
    ),
    ParamSpec(
        "pace_topic",
        "",
        "topic on which a downstream node publishes its results with each frame's header (a "
        "header-first message of any type, e.g. a pose node's 'poses'), read while "
        "max_frames_in_flight > 0; relative names resolve in the camera's namespace",
        read_only=True,
    ),
    ParamSpec(
        "max_frames_in_flight",
        0,
        "publish at most this many frames ahead of their results on pace_topic: a file is read "
        "no faster than the downstream node answers, and a live source's extra frames are "
        "dropped here instead of crossing DDS; 0: do not wait",
        min_value=0,
        read_only=True,
    ),
    ParamSpec(
        "camera_info_url",
        "",
        "calibration YAML (file:///path, package://pkg/path or a path); empty: uncalibrated",
        read_only=True,
    ),
    *DIAGNOSTICS_PARAMS,
)


class CameraNode(Node):
    """Publish the frames of one source, stamped at capture, with matching camera info."""

    def __init__(self) -> None:
        """Declare parameters, open the source (``SourceError`` if impossible) and publishers."""
        super().__init__("camera_node")
        self._params = declare_parameters(self, PARAMS)
        params = self._params
        if params["max_frames_in_flight"] and not params["pace_topic"]:
            raise ValueError(
                f"max_frames_in_flight: {params['max_frames_in_flight']} needs pace_topic: the "
                "topic of the results to pace frames by (e.g. a pose node's poses)"
            )
        calibration: CameraCalibration | None = (
            load_calibration(params["camera_info_url"]) if params["camera_info_url"] else None
        )
        request = (params["width"], params["height"], max(params["fps"], 0.0))
        replay = ReplayOptions(**{name: params[name] for name in field_names(ReplayOptions)})
        self._source = open_source(params["source"], self.get_logger(), request, replay)
        qos = QoSProfile(
            history=HistoryPolicy.KEEP_LAST,
            depth=params["qos_depth"],
            reliability=RELIABILITY[params["reliability"]],
            durability=DurabilityPolicy.VOLATILE,
        )
        settings = ImageSettings(params["encoding"], params["frame_id"], params["jpeg_quality"])
        self._frames = FramePublisher(self, qos, settings, calibration)
        self._in_flight = InFlightWindow(params["max_frames_in_flight"], IN_FLIGHT_TIMEOUT_S)
        self._pace: PaceTopic | None = None
        if self._in_flight.limit:
            self._pace = PaceTopic(
                self, params["pace_topic"], self._in_flight.answered, self._fail
            )
        self._counts, self._reported = CameraCounts(), CameraCounts()  # totals, at last report
        self._capture_counts = CaptureCounts()
        self._failure = ""  # why capture (or pacing) failed
        self._awaited_readers = 0
        self._diagnostics_lock = threading.Lock()  # the timer and a failing capture thread
        self._diagnostics_pub = self.create_publisher(DiagnosticArray, topics.DIAGNOSTICS, 10)
        self.create_timer(params["diagnostics_period_s"], self._publish_diagnostics)
        self._stop = threading.Event()
        self.finished = Future()
        self._thread = threading.Thread(target=self._capture, name="capture", daemon=True)
        self.get_logger().info(f"publishing {self._source.description} on image_raw")

    def start(self) -> None:
        """Start the capture thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop the capture thread and release the source."""
        self._stop.set()
        self._in_flight.close()
        if self._thread.is_alive():
            self._thread.join(timeout=10.0)
        self._source.close()

    def _wait_for_readers(self) -> None:
        readers = self._params["wait_for_readers"]
        if readers and self._frames.readers() < readers:
            self.get_logger().info(
                f"waiting for {readers} subscriber(s) of image_raw or image_raw/compressed"
            )
            self._awaited_readers = readers
            while self._frames.readers() < readers and not self._stop.wait(_READER_POLL_S):
                pass
            self._awaited_readers = 0
        if readers:
            self._stop.wait(READERS_SETTLE_S)

    def _wait_for_pace_publisher(self) -> None:
        """Let the pace topic's publisher match first (answers need it), for 1 s at most."""
        deadline = time.monotonic() + IN_FLIGHT_TIMEOUT_S
        while (
            self._pace
            and not self._pace.publishers()
            and time.monotonic() < deadline
            and not self._stop.wait(_READER_POLL_S)
        ):
            pass

    def _wait_for_room(self, window: InFlightWindow) -> bool:
        """Wait until fewer than ``max_frames_in_flight`` frames are unanswered."""
        given_up = window.given_up
        room = window.wait_for_room()
        pace = self._pace
        if window.given_up > given_up and pace is not None:
            late = f"frames unanswered for {IN_FLIGHT_TIMEOUT_S:g} s are given up on"
            self.get_logger().warning(
                f"no result on '{pace.topic}' answered a frame; {late} (is the node that "
                "publishes it running?)"
                if pace.publishers()
                else f"'{pace.topic}' has no publisher yet; {late}",
                throttle_duration_sec=10.0,
            )
        return room

    def _capture(self) -> None:
        frames = capture_frames(
            self._source,
            lambda: self.get_clock().now().nanoseconds,
            self._stop,
            self.get_logger(),
            self._params["fps"],
            self._params["loop"],
            into=self._frames.decode_target,
            counts=self._capture_counts,
        )
        live, window, counts = self._source.live, self._in_flight, self._counts
        try:
            # Inside the try: Ctrl-C while waiting invalidates the context under these calls.
            self._wait_for_readers()
            self._wait_for_pace_publisher()
            publish_s, start = 0.0, time.perf_counter()
            for frame in frames:
                counts.captured += 1
                if live and window.full():
                    counts.dropped_in_flight += 1
                    continue  # the downstream node is busy: drop the frame here, not in transport
                before = time.perf_counter()
                self._frames.publish(frame)
                window.sent(frame.stamp_ns)
                publish_s += time.perf_counter() - before
                counts.published += 1
                if not live and not self._wait_for_room(window):
                    break
        except Exception as error:  # noqa: B902 - reported through the future: main's exit status
            self._fail(error)
            return
        count, elapsed_s = counts.published, time.perf_counter() - start
        if not self._stop.is_set():
            self.get_logger().info(
                f"end of source: {self._source.description}, {count} frames in {elapsed_s:.2f} s "
                f"({count / max(elapsed_s, 1e-9):.1f} frames/s; per frame "
                f"{1e3 * (elapsed_s - publish_s) / max(count, 1):.2f} ms reading (and pacing), "
                f"{1e3 * publish_s / max(count, 1):.2f} ms converting and publishing)"
            )
            self._deliver_last_frames()
        self.finished.set_result(None)

    def _publish_diagnostics(self) -> None:
        with self._diagnostics_lock:
            totals, capture = copy.copy(self._counts), copy.copy(self._capture_counts)
            period, self._reported = difference(totals, self._reported), totals
            age_s = frame_age_s(capture.last_frame_s, time.monotonic())
            health = CameraHealth(
                totals, period, capture, age_s, self._failure, self._awaited_readers
            )
            status = camera_status(
                self.get_fully_qualified_name(),
                self._source.description,
                self._params["diagnostics_period_s"],
                health,
                self._params["stale_frame_warn_s"],
            )
            stamp = self.get_clock().now().to_msg()
            self._diagnostics_pub.publish(diagnostic_array(status, stamp))

    def _fail(self, error: Exception) -> None:
        """End the node with ``error`` (main's exit status), reported on /diagnostics first."""
        if not stopped_by_shutdown(error):
            self._report_failure(error)
        self.finished.set_exception(error)

    def _report_failure(self, error: Exception) -> None:
        """Publish an ERROR status at once: the node exits next, before its timer fires."""
        self._failure = str(error) or type(error).__name__
        try:
            self._publish_diagnostics()
        except Exception as late:  # noqa: B902 - the failure itself goes to main either way
            if not stopped_by_shutdown(late):
                self.get_logger().warning(f"failure not published on /diagnostics: {late!r}")

    def _deliver_last_frames(self) -> None:
        """Wait until reliable subscribers acknowledged the frames still in the history.

        Exiting at once would destroy frames a slower reader has not received yet: the end
        of a video would be missing for a recorder or a reliable pose node.
        """
        deadline = time.monotonic() + END_OF_SOURCE_DELIVERY_S
        for pub in self._frames.publishers:
            left = Duration(seconds=max(deadline - time.monotonic(), 0.0))
            if not pub.wait_for_all_acked(left):
                self.get_logger().warning(
                    f"a reliable subscriber did not acknowledge the last frames within "
                    f"{END_OF_SOURCE_DELIVERY_S:g} s; exiting without them"
                )
                return


def parse_flags(args: Sequence[str] | None) -> argparse.Namespace:
    """Read the node's own flags (before ``--ros-args``)."""
    parser = argparse.ArgumentParser(prog="camera_node")
    parser.add_argument(
        END_OF_SOURCE_FLAG,
        type=int,
        default=0,
        choices=range(126),
        metavar="N",
        help="exit status at the end of a finite source (default 0; make run sets one of its "
        "own to tell the end from a stop by SIGINT)",
    )
    return parser.parse_args(remove_ros_args(args)[1:])


def main(args: list[str] | None = None) -> int:
    """Run the camera node until its source ends, it fails or a signal stops it.

    Return the exit status of the module docstring.
    """
    end_of_source = parse_flags(args).end_of_source_exit_code
    refusals = (
        Refusal((DamagedVideo,), f"{{}} (exit code {EXIT_DAMAGED_VIDEO})", EXIT_DAMAGED_VIDEO),
        Refusal((SourceError, CalibrationError, ValueError, ParameterException)),
    )
    run = partial(capture_to_the_end, end_of_source=end_of_source)
    return run_node("camera_node", args, CameraNode, run, refusals, stop=CameraNode.stop)


def capture_to_the_end(node: CameraNode, end_of_source: int) -> int | None:
    """Capture until the source ends (``end_of_source``) or fails (raised); ``None``: a signal."""
    node.start()
    spin_until_stopped(node, node.finished)
    if not node.finished.done():  # the context went down: a signal
        return None
    node.finished.result()  # raises what ended the capture, if anything did
    return end_of_source
