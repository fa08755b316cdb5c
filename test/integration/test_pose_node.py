"""pose_node end to end over real DDS: camera_node frames in, PoseArrays out, bad input survived.

Every process is the installed executable: camera_node decodes the real media,
pose_node runs MoveNet Lightning or OpenPose hpe-0001 on OpenVINO with the real
weights, and the test process subscribes like any consumer. Bad images cannot
come from camera_node, so that test sends them from a small publisher process
(``processes/publish_video.py``). Processes are started and stopped with
``processes_util``.
"""

import signal
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pytest
from diagnostic_msgs.msg import DiagnosticArray
from rclpy.qos import QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import Image
from processes_util import name_of, node_command, script_command, start, stop, wait_for
from visualization_msgs.msg import Marker, MarkerArray

from pose_estimation_ros.msg import PoseArray
from pose_estimation_ros.nodes.conversions import stamp_ns
from pose_estimation_ros.nodes.node_status import status_name
from pose_estimation_ros.nodes.pose_diagnostics import ROLE as POSE_ROLE

FRAME_ID = "camera_optical_frame"  # what camera_node and the publisher process stamp
TIMEOUT_S = 240.0
PERSON_SCORE = 0.3
CLIP_FRAMES = 120  # pose_1.mp4

pytestmark = pytest.mark.slow


def start_pose_node(*parameters: str) -> subprocess.Popen:
    """Start the installed pose_node with ``name:=value`` parameters; stderr kept for ``stop``."""
    return start(node_command("pose_node", *parameters))


class Recorder:
    """Subscribes to everything pose_node publishes, and to the images it reads."""

    def __init__(self, context, images: bool = True) -> None:
        """Subscribe on ``context``; to ``image_raw`` too unless ``images`` is false."""
        import rclpy
        from rclpy.executors import SingleThreadedExecutor

        self.node = rclpy.create_node("pose_test_recorder", context=context)
        reliable = QoSProfile(depth=500, reliability=ReliabilityPolicy.RELIABLE)
        self.images, self.poses, self.diagnostics, self.markers, self.annotated = (
            [],
            [],
            [],
            [],
            [],
        )
        if images:
            self.node.create_subscription(Image, "image_raw", self.images.append, reliable)
        self.node.create_subscription(PoseArray, "poses", self.poses.append, reliable)
        # The pose node's statuses only: camera_node (and the bridge) publish their own.
        self.node.create_subscription(DiagnosticArray, "/diagnostics", self._on_diagnostics, 10)
        self.node.create_subscription(MarkerArray, "pose_markers", self.markers.append, 10)
        self.node.create_subscription(Image, "image_annotated", self.annotated.append, 10)
        self.executor = SingleThreadedExecutor(context=context)
        self.executor.add_node(self.node)

    def spin_until(
        self, condition: Callable[[], bool], alive: list[subprocess.Popen], what: str
    ) -> None:
        """Spin until ``condition()``; fail if a process in ``alive`` exits or time runs out."""
        wait_for(
            condition,
            what,
            TIMEOUT_S,
            alive,
            step=lambda: self.executor.spin_once(timeout_sec=0.1),
            detail=lambda: f"; {self}",
        )

    def _on_diagnostics(self, array: DiagnosticArray) -> None:
        if array.status[0].name == status_name("/pose_node", POSE_ROLE):
            self.diagnostics.append(array)

    def __str__(self) -> str:
        """Describe what was recorded so far, for failure messages."""
        return (
            f"recorded {len(self.images)} images, {len(self.poses)} PoseArrays, "
            f"last /diagnostics {self.counters()} after {self.counters(-2)}"
        )

    def pose_node_subscribed(self, topic: str = "image_raw") -> bool:
        """Tell whether pose_node's subscription to ``topic`` is known here (so it is matched)."""
        infos = self.node.get_subscriptions_info_by_topic(topic)
        return any(info.node_name == "pose_node" for info in infos)

    def values(self, index: int = -1) -> dict[str, str]:
        """Key/values of a /diagnostics message (the last by default); empty if none."""
        if len(self.diagnostics) < abs(index):
            return {}
        return {v.key: v.value for v in self.diagnostics[index].status[0].values}

    def counters(self, index: int = -1) -> dict[str, int]:
        """Frame totals from a /diagnostics message (the last by default); empty if none."""
        values = self.values(index)
        return {k: int(v) for k, v in values.items() if k.endswith("_frames_total")}

    def close(self) -> None:
        """Stop spinning and destroy the node."""
        self.executor.shutdown()
        self.node.destroy_node()


class PoseNodeRun:
    """A Recorder, pose_node started after it, the other processes a test adds; their logs."""

    def __init__(self, recorder: Recorder, parameters: tuple[str, ...]) -> None:
        """Start pose_node with ``parameters`` once ``recorder`` subscribes (it misses nothing)."""
        self.recorder = recorder
        self.node = start_pose_node(*parameters)
        self._others: list[tuple[subprocess.Popen, int]] = []
        self.logs: dict[str, str] = {}  # by process name, once stopped; pose_node's last

    def add(self, process: subprocess.Popen, sent: int = signal.SIGINT) -> subprocess.Popen:
        """Stop ``process`` with ``sent`` at the end of the run, before pose_node."""
        self._others.append((process, sent))
        return process

    def wait_subscribed(self, topic: str = "image_raw") -> None:
        """Spin until pose_node's subscription to ``topic`` is matched (its model loaded)."""
        self.recorder.spin_until(
            lambda: self.recorder.pose_node_subscribed(topic), [self.node], f"{topic} subscription"
        )

    @property
    def node_log(self) -> str:
        """Return what pose_node wrote on stderr (once the run ended)."""
        return self.logs["pose_node"]

    def close(self) -> None:
        """Destroy the recorder, stop the added processes, then pose_node; keep their logs."""
        self.recorder.close()
        for process, sent in self._others:
            self.logs[name_of(process)] = stop(process, sent=sent)
        self.logs["pose_node"] = stop(self.node)


@contextmanager
def pose_node_run(
    context, *parameters: str, images: bool = True, recorder: Recorder | None = None
) -> Iterator[PoseNodeRun]:
    """Run pose_node with ``parameters`` beside a Recorder (``images``: of image_raw too).

    Everything is stopped at the end of the block; a failure in it reports every log.
    """
    run = PoseNodeRun(recorder or Recorder(context, images), parameters)
    failure = None
    try:
        yield run
    except AssertionError as error:
        failure = error
    finally:
        run.close()
    if failure is not None:
        logs = "".join(f"\n{name}: {log}" for name, log in run.logs.items())
        raise AssertionError(f"{failure}{logs}") from failure


def start_camera_after_pose_node(
    recorder: Recorder, pose_node: subprocess.Popen, *camera_params: str, topic: str = "image_raw"
) -> subprocess.Popen:
    """Start camera_node once pose_node subscribes to ``topic`` (its model loaded).

    camera_node publishes its first frame only once both pose_node and the
    recorder are matched (``wait_for_readers``), and keeps every frame of the
    clip for the reliable recorder (``qos_depth``): an unpaced camera outruns
    the test process, and a shallower history would overwrite frames it has
    not acknowledged yet.
    """
    recorder.spin_until(
        lambda: recorder.pose_node_subscribed(topic), [pose_node], f"{topic} subscription"
    )
    return start(
        node_command(
            "camera_node",
            "reliability:=reliable",
            f"qos_depth:={CLIP_FRAMES}",
            "wait_for_readers:=2",
            *camera_params,
        )
    )


def check_headers(poses: list[PoseArray], images: list[Image]) -> None:
    """Assert that every PoseArray's header is an image's header, copied."""
    frame_ids = {(i.header.stamp.sec, i.header.stamp.nanosec): i.header.frame_id for i in images}
    for msg in poses:
        stamp = (msg.header.stamp.sec, msg.header.stamp.nanosec)
        assert stamp in frame_ids, f"PoseArray stamp {stamp} matches no image"
        assert msg.header.frame_id == frame_ids[stamp] == FRAME_ID


def all_frames_counted(recorder: Recorder, published: int) -> bool:
    """Every frame reached the recorder, and pose_node received or dropped each one.

    The recorder has all ``published`` images, two /diagnostics in a row agree, and their
    totals account for every frame.

    Counting starts at the first frame pose_node took (frames published before it, if any,
    were replaced before its first take and are not its drops): its index among the images.
    """
    if len(recorder.images) < published or not recorder.poses:
        return False
    counts = recorder.counters()
    if not counts or counts != recorder.counters(-2):
        return False
    stamps = [(i.header.stamp.sec, i.header.stamp.nanosec) for i in recorder.images]
    first = recorder.poses[0].header.stamp
    counted = published - stamps.index((first.sec, first.nanosec))
    return (
        counts["received_frames_total"]
        + counts["dropped_frames_total"]
        + counts["lost_frames_total"]
        == counted
        and len(recorder.poses) >= counts["processed_frames_total"]
    )


@dataclass
class Pose1Run:
    """What a run of pose_1.mp4 through camera_node and pose_node left behind."""

    recorder: Recorder
    camera_code: int
    camera_log: str
    node_log: str


def run_pose_1(
    ros_context,
    asset_dir,
    pose_params: list[str],
    *camera_params: str,
    recorder: Recorder | None = None,
    topic: str = "image_raw",
    also: Callable[[], bool] = lambda: True,
) -> Pose1Run:
    """Send pose_1.mp4's 120 frames through camera_node and pose_node until all are counted.

    The recorder comes first, so pose_node's publishers match it as they are created and
    it misses no PoseArray; pass one with more subscriptions, and what else must hold
    (``also``) before the run ends. pose_node reads the images from ``topic``.
    """
    with pose_node_run(ros_context, *pose_params, recorder=recorder) as run:
        recorder, source = run.recorder, f"source:={asset_dir / 'media/tfjs/pose_1.mp4'}"
        camera = run.add(
            start_camera_after_pose_node(recorder, run.node, source, *camera_params, topic=topic)
        )
        recorder.spin_until(lambda: camera.poll() is not None, [run.node], "end of pose_1.mp4")
        recorder.spin_until(
            lambda: all_frames_counted(recorder, CLIP_FRAMES) and also(),
            [run.node],
            "every frame of pose_1.mp4 recorded and counted",
        )
    return Pose1Run(recorder, camera.returncode, run.logs["camera_node"], run.node_log)


def test_camera_to_movenet_poses_over_dds(ros_context, asset_dir):
    # pose_1.mp4: 120 frames of 576x576 at 30 fps, sent at 15 fps so none waits.
    run = run_pose_1(
        ros_context,
        asset_dir,
        [
            "model:=movenet_lightning",
            "backend:=openvino",
            "image_reliability:=reliable",
            "publish_annotated:=true",
        ],
        "fps:=15.0",
    )
    recorder, camera_log, node_log = run.recorder, run.camera_log, run.node_log
    assert run.camera_code == 0, camera_log
    assert len(recorder.images) == CLIP_FRAMES  # camera_node waited for both readers
    counts = recorder.counters()
    received = counts["received_frames_total"]
    assert counts["processed_frames_total"] == len(recorder.poses), node_log
    assert received == counts["processed_frames_total"] + counts["rejected_frames_total"]
    check_headers(recorder.poses, recorder.images)
    with_person = 0
    for msg in recorder.poses:
        assert (msg.model, msg.layout) == ("movenet_lightning", "coco17")
        assert (msg.image_width, msg.image_height) == (576, 576)
        assert len(msg.poses) <= 1
        for person in msg.poses:
            assert len(person.keypoints) == 17
            for k in person.keypoints:
                assert 0.0 <= k.x <= 576 and 0.0 <= k.y <= 576, (k.x, k.y)
                assert 0.0 <= k.score <= 1.0
        with_person += any(p.score >= PERSON_SCORE for p in msg.poses)
    assert with_person >= 0.95 * received, f"a person in {with_person} of {received} frames"

    for marker_array in recorder.markers:
        assert marker_array.markers[0].action == Marker.DELETEALL
        assert all(m.header.frame_id == FRAME_ID for m in marker_array.markers)
    assert any(len(m.markers) == 3 for m in recorder.markers)  # clear, joints, skeleton
    assert recorder.annotated
    pose_headers = {(p.header.stamp.sec, p.header.stamp.nanosec) for p in recorder.poses}
    for image in recorder.annotated:
        assert (image.encoding, image.width, image.height) == ("bgr8", 576, 576)
        assert (image.header.stamp.sec, image.header.stamp.nanosec) in pose_headers
    assert recorder.diagnostics[-1].status[0].name == "/pose_node: pose estimation"


def test_a_camera_faster_than_inference_gets_newest_frames_and_counted_drops(
    ros_context, asset_dir
):
    # pose_1.mp4's 120 frames as fast as they decode (hundreds a second): most must be
    # dropped unread, and every one published is either received or counted as dropped.
    # Reliable, still depth 1: a best-effort reader can lose the burst's last frames in
    # transport on a loaded machine, and no later sequence number would tell the node.
    run = run_pose_1(
        ros_context,
        asset_dir,
        ["model:=movenet_lightning", "image_reliability:=reliable"],
        "fps:=0",
    )
    assert run.camera_code == 0, run.camera_log
    counts = run.recorder.counters()
    assert counts["dropped_frames_total"] > 0, counts
    assert counts["processed_frames_total"] == len(run.recorder.poses), run.node_log
    check_headers(run.recorder.poses, run.recorder.images)
    stamps = [(p.header.stamp.sec, p.header.stamp.nanosec) for p in run.recorder.poses]
    assert stamps == sorted(set(stamps)), "a frame was processed twice or after a newer one"


def test_a_camera_paced_by_the_pose_node_gets_every_frame_processed(ros_context, asset_dir):
    # As fast as possible, but at most one frame ahead of its PoseArray: nothing is dropped.
    run = run_pose_1(
        ros_context,
        asset_dir,
        ["model:=movenet_lightning"],
        "fps:=0",
        "max_frames_in_flight:=1",
        "pace_topic:=poses",
    )
    assert run.camera_code == 0, run.camera_log
    assert "given up" not in run.camera_log, run.camera_log  # no frame was given up on
    counts = run.recorder.counters()
    assert counts["dropped_frames_total"] == 0, counts
    assert counts["processed_frames_total"] == len(run.recorder.poses) == CLIP_FRAMES, run.node_log
    check_headers(run.recorder.poses, run.recorder.images)


def test_max_rate_skips_frames_and_counts_them_as_dropped(ros_context, asset_dir):
    # 120 frames at 15 fps (8 s, longer on a busy machine) into a node allowed 5 inferences a
    # second: the limiter lets one through once 200 ms have passed since the last, so at most
    # one per 200 ms of the frames' span (plus the first, and one for the last frame's delay).
    run = run_pose_1(
        ros_context, asset_dir, ["model:=movenet_lightning", "max_rate:=5"], "fps:=15.0"
    )
    assert run.camera_code == 0, run.camera_log
    counts = run.recorder.counters()
    stamps = [stamp_ns(image) for image in run.recorder.images]
    span_s = (max(stamps) - min(stamps)) / 1e9
    most = int(span_s / 0.2) + 2
    processed = counts["processed_frames_total"]
    seen = f"{counts}, frames over {span_s:.1f} s"
    assert 5 <= processed <= most, seen  # unlimited, up to all 120 (every frame in 66 ms)
    assert processed == len(run.recorder.poses), run.node_log
    # run_pose_1 saw every frame received, dropped or lost; those not let through are dropped.
    assert counts["received_frames_total"] == processed + counts["rejected_frames_total"], seen
    assert counts["dropped_frames_total"] > 0, seen


def test_camera_to_openpose_poses_over_dds(ros_context, asset_dir):
    wanted, max_people = 30, 4
    parameters = ["model:=openpose_hpe0001", "image_reliability:=reliable"]
    with pose_node_run(ros_context, *parameters, f"max_people:={max_people}") as run:
        recorder, source = run.recorder, f"source:={asset_dir / 'media/opencv/vtest.avi'}"
        # vtest.avi: 768x576 pedestrians, sent at 3 fps (its own is 10) so that pose_node keeps
        # up on a loaded machine and the 30 PoseArrays come from the first 30 to 60 frames.
        camera = run.add(start_camera_after_pose_node(recorder, run.node, source, "fps:=3.0"))
        recorder.spin_until(
            lambda: len(recorder.poses) >= wanted, [run.node, camera], f"{wanted} PoseArrays"
        )

    check_headers(recorder.poses, recorder.images)
    people = []
    logs = run.node_log + run.logs["camera_node"]
    for msg in recorder.poses:
        assert (msg.model, msg.layout) == ("openpose_hpe0001", "openpose18"), logs
        assert (msg.image_width, msg.image_height) == (768, 576)
        assert len(msg.poses) <= max_people
        people.append(len(msg.poses))
        ids = [person.id for person in msg.poses]
        assert all(i >= 1 for i in ids) and len(set(ids)) == len(ids)  # tracked, distinct
        for person in msg.poses:
            assert len(person.keypoints) == 18
            for k in person.keypoints:
                assert 0.0 <= k.score <= 1.0
                if k.score > 0:
                    assert 0.0 <= k.x <= 768 and 0.0 <= k.y <= 576, (k.x, k.y)
    # Measured: the first 30 frames hold 2.9 people a frame on average, the first 60 3.0
    # (1 to 6; no one in frames 87 to 99), and 2.6 to 2.9 here (capped at 4, five runs; the
    # frames that arrive while the network compiles for the first image are replaced).
    assert np.mean(people) >= 2.0, f"{np.mean(people):.2f} people a frame: {people}"


def test_bad_images_are_dropped_and_the_node_lives_on(ros_context, asset_dir):
    wanted, parameters = 5, ["model:=movenet_lightning", "image_reliability:=reliable"]
    with pose_node_run(ros_context, *parameters) as run:
        recorder = run.recorder
        run.wait_subscribed()
        video = asset_dir / "media/tfjs/pose_1.mp4"
        command = script_command("publish_video.py", str(video), "15", "--bad-first")
        publisher = run.add(subprocess.Popen(command), signal.SIGTERM)
        recorder.spin_until(
            lambda: len(recorder.poses) >= wanted
            and recorder.counters().get("processed_frames_total", 0) >= wanted,
            [run.node, publisher],
            f"{wanted} PoseArrays after the bad images",
        )
    node_log = run.node_log

    # Zero-size and yuv422 images (3 of each) were dropped with one warning per cause (a newer
    # image may replace one before the node reads it); the node lived on.
    assert node_log.count("dropping image: empty image (0x0)") == 1, node_log
    assert node_log.count("dropping image: unsupported image encoding 'yuv422'") == 1, node_log
    assert 2 <= recorder.counters()["rejected_frames_total"] <= 6


@pytest.mark.parametrize(
    "parameter, expected",
    [
        ("model:=movenet_giant", "must be one of movenet_lightning"),
        ("score_threshold:=2.0", "score_threshold"),
        ("precision:=fp16", "asset 'movenet_lightning_fp16'"),
        ("model_path:=/nonexistent/model.tflite", "/nonexistent/model.tflite"),
        ("model:=openpose_hpe0001 input_height:=250", "input_height must be 0 or a positive"),
        ("model:=openpose_hpe0001 min_parts:=1", "min_parts out of range. Min: 2"),
    ],
)
def test_node_exits_with_a_clear_error_when_it_cannot_load(ros_domain_id, parameter, expected):
    result = subprocess.run(
        node_command("pose_node", *parameter.split()), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
