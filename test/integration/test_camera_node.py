"""camera_node as its own process, received over Fast DDS by a subscriber in the test process.

Everything is real: the installed executable decodes the real media of
../shared/assets; the reconnect test streams real JPEGs over HTTP on loopback
from a local server (a stand-in for an IP camera, which cannot exist here).
"""

import shutil
import signal
from pathlib import Path

import cv2
import numpy as np
import pytest
import rclpy
from damaged_media import truncated_mp4
from mjpeg_server import MjpegServer
from processes_util import node_command, running, wait_for
from rclpy.executors import SingleThreadedExecutor
from geometry_msgs.msg import PointStamped
from rclpy.qos import QoSProfile, ReliabilityPolicy, qos_profile_sensor_data
from sensor_msgs.msg import CameraInfo, Image
from std_msgs.msg import String

from pose_estimation_ros.core.assets import resolve
from pose_estimation_ros.nodes.conversions import stamp_ns

STILLS = [
    "opencv/messi5.jpg",
    "tf_examples/image1.png",
    "tf_examples/image2.jpeg",
    "tf_examples/image3.jpeg",
    "tfjs/pose.jpg",
    "opencv/basketball1.png",
]  # distinct sizes, so a received frame tells which file it came from

pytestmark = pytest.mark.slow


def camera_node(log_path: Path, flags: tuple[str, ...] = (), **params):
    """Run camera_node with its ``flags`` and ``params``; interrupt it on exit if it still runs."""
    parameters = [f"{name}:={value}" for name, value in params.items()]
    command = node_command("camera_node", *parameters, flags=flags, params_file=False)
    return running(command, log_path, timeout_s=15)


class Listener:
    """Subscribe to image_raw and camera_info with ``qos`` and spin on demand."""

    def __init__(self, context, qos=10):  # noqa: D107
        self.node = rclpy.create_node("camera_listener", context=context)
        self.images: list[Image] = []
        self.infos: list[CameraInfo] = []
        self._on_image = self.images.append
        self.node.create_subscription(Image, "image_raw", lambda msg: self._on_image(msg), qos)
        self.node.create_subscription(CameraInfo, "camera_info", self.infos.append, qos)
        self.executor = SingleThreadedExecutor(context=context)
        self.executor.add_node(self.node)

    def answer_on(self, topic: str) -> None:
        """Answer each image on ``topic``: a ``PointStamped`` with the image's header."""
        publisher = self.node.create_publisher(PointStamped, topic, 10)

        def answer(image: Image) -> None:
            self.images.append(image)
            publisher.publish(PointStamped(header=image.header))

        self._on_image = answer

    def spin_until(self, condition, timeout_s: float, alive=(), what: str = "") -> None:
        """Spin until ``condition()``; fail if a process in ``alive`` ends or time runs out."""
        wait_for(
            condition,
            what or "the condition on what was received",
            timeout_s,
            alive,
            step=lambda: self.executor.spin_once(timeout_sec=0.05),
            detail=lambda: f" ({len(self.images)} images, {len(self.infos)} camera infos)",
        )

    def close(self):
        self.executor.shutdown()
        self.node.destroy_node()


@pytest.fixture
def listener(ros_context):
    listener = Listener(ros_context)
    yield listener
    listener.close()


@pytest.fixture
def best_effort_listener(ros_context):
    listener = Listener(ros_context, qos_profile_sensor_data)
    yield listener
    listener.close()


def pixels(msg: Image) -> np.ndarray:
    channels = msg.step // msg.width
    return np.frombuffer(msg.data, np.uint8).reshape(msg.height, msg.width, channels)


def frame_indices(images, decoded) -> list[int]:
    """Index in the ``decoded`` frames of each received image; frames must come in order."""
    numbered = enumerate(decoded)
    return [next(i for i, frame in numbered if np.array_equal(frame, image)) for image in images]


def decode(path: Path):
    capture = cv2.VideoCapture(str(path))
    while (image := capture.read()[1]) is not None:
        yield image


def assert_stamps_increase(images):
    stamps = [stamp_ns(msg) for msg in images]
    assert all(b > a for a, b in zip(stamps, stamps[1:])), "stamps must strictly increase"


def assert_paced_at(fps: float, images, indices) -> None:
    """Assert frames ``indices`` of a file were stamped at its ``fps``, never faster.

    A file is read on an absolute schedule, so the mean period is never shorter (10 % for
    the first read's time); a busy machine can only make it longer: up to twice as long.
    """
    seconds = (stamp_ns(images[-1]) - stamp_ns(images[0])) / 1e9
    seconds_per_frame = seconds / (indices[-1] - indices[0])
    seen = f"{seconds_per_frame * 1e3:.1f} ms a frame over frames {indices[0]}..{indices[-1]}"
    assert 0.9 / fps <= seconds_per_frame <= 2.0 / fps, f"a {fps:g} fps file: {seen}"


def test_vtest_at_its_own_pace_with_uncalibrated_info(listener, tmp_path):
    path = resolve("vtest_video")
    with camera_node(tmp_path / "node.log", source=path) as node:
        listener.spin_until(lambda: len(listener.images) >= 20, 90, [node])
        assert node.poll() is None
    images = listener.images[:20]
    for msg in images:
        assert (msg.width, msg.height, msg.encoding, msg.step) == (768, 576, "bgr8", 768 * 3)
        assert msg.header.frame_id == "camera_optical_frame" and len(msg.data) == 768 * 576 * 3
    assert_stamps_increase(images)
    indices = frame_indices([pixels(m) for m in images], decode(path))
    assert_paced_at(10.0, images, indices)  # vtest.avi is a 10 fps file
    info = listener.infos[0]
    assert (info.width, info.height) == (768, 576) and not any(info.k)
    assert info.header.frame_id == "camera_optical_frame"


def test_pose_1_rgb8_to_a_best_effort_subscriber_then_end_of_source(
    best_effort_listener, tmp_path
):
    listener, path = best_effort_listener, resolve("pose_1_video")
    log = tmp_path / "node.log"
    with camera_node(log, source=path, encoding="rgb8") as node:
        listener.spin_until(lambda: len(listener.images) >= 10, 90, [node])
        assert node.wait(timeout=60) == 0
    assert "end of source" in log.read_text() and "120 frames" in log.read_text()
    images = listener.images
    assert all((m.width, m.height, m.encoding) == (576, 576, "rgb8") for m in images)
    assert_stamps_increase(images)
    rgb = (image[..., ::-1] for image in decode(path))
    indices = frame_indices([pixels(m) for m in images], rgb)
    assert_paced_at(30.0, images, indices)  # pose_1.mp4 is a 30 fps file


def test_an_unpaced_video_reaches_a_reliable_subscriber_whole_before_exit(ros_context, tmp_path):
    # pose_1.mp4's 120 frames as fast as they decode, faster than this process takes them:
    # the node must not exit (destroying its history) before the reader has every frame.
    whole_clip = QoSProfile(depth=200, reliability=ReliabilityPolicy.RELIABLE)
    listener, path = Listener(ros_context, whole_clip), resolve("pose_1_video")
    try:
        params = {"source": path, "fps": 0, "qos_depth": 120, "wait_for_readers": 1}
        with camera_node(tmp_path / "node.log", **params) as node:
            assert node.wait(timeout=90) == 0
        listener.spin_until(lambda: len(listener.images) == 120, 10)
    finally:
        listener.close()
    assert_stamps_increase(listener.images)


def test_a_video_paced_by_header_first_answers_reaches_a_slow_reader_whole(listener, tmp_path):
    # As fast as possible into a history of one frame, but at most one frame ahead of its
    # answer, a message type the camera knows only from the graph: no frame is overwritten.
    listener.answer_on("acks")
    log = tmp_path / "node.log"
    params = {"fps": 0, "max_frames_in_flight": 1, "pace_topic": "acks", "wait_for_readers": 1}
    with camera_node(log, source=resolve("pose_1_video"), **params) as node:
        listener.spin_until(lambda: node.poll() is not None, 90, what="the end of the video")
    text = log.read_text()
    assert node.returncode == 0, text
    assert "pacing frames by '/acks' (geometry_msgs/msg/PointStamped)" in text
    assert "given up" not in text and "WARN" not in text, text
    assert len(listener.images) == 120, text
    assert_stamps_increase(listener.images)


def test_a_pace_topic_without_a_publisher_delays_frames_without_stopping_them(
    ros_domain_id, folder, tmp_path
):
    log = tmp_path / "node.log"
    params = {"fps": 0, "max_frames_in_flight": 1, "pace_topic": "nobody_answers"}
    with camera_node(log, source=folder, **params) as node:
        assert node.wait(timeout=60) == 0
    text = log.read_text()
    assert text.count("pacing frames by '/nobody_answers' once it has a publisher") == 1
    assert "'/nobody_answers' has no publisher yet; frames unanswered for 1 s" in text
    assert f"end of source: image folder {folder}, 6 frames in " in text


def test_a_pace_topic_without_a_header_first_is_one_clear_error(listener, tmp_path):
    listener.node.create_publisher(String, "acks", 10)
    log = tmp_path / "node.log"
    params = {"max_frames_in_flight": 1, "pace_topic": "acks"}
    with camera_node(log, source=resolve("vtest_video"), **params) as node:
        listener.spin_until(lambda: node.poll() is not None, 60, what="the camera's exit")
    text = log.read_text()
    errors = [line for line in text.splitlines() if "ERROR" in line]
    assert node.returncode == 1 and len(errors) == 1, text
    assert "std_msgs/msg/String cannot pace frames: its first field must be" in errors[0]
    assert "Traceback" not in text


@pytest.fixture
def folder(tmp_path, asset_dir):
    """Copy the stills into a folder, named so that their name order is STILLS' order."""
    images = tmp_path / "images"
    images.mkdir()
    for index, name in enumerate(STILLS):
        shutil.copy(asset_dir / "media" / name, images / f"{index}_{Path(name).name}")
    return images


def sizes(asset_dir) -> list[tuple[int, int]]:
    shapes = [cv2.imread(str(asset_dir / "media" / name)).shape for name in STILLS]
    return [(width, height) for height, width, _ in shapes]


def test_image_folder_once_in_order(listener, folder, asset_dir, tmp_path):
    log = tmp_path / "node.log"
    with camera_node(log, source=folder, fps=1) as node:
        listener.spin_until(lambda: node.poll() is not None, 60)
        assert node.returncode == 0
    assert f"end of source: image folder {folder}, 6 frames" in log.read_text()
    received = [(m.width, m.height) for m in listener.images]
    assert len(received) >= 2, "the node published for 6 s; some frames must have arrived"
    first = len(STILLS) - len(received)
    assert received == sizes(asset_dir)[first:], "in name order, up to the last"


def test_image_folder_loops_and_skips_a_corrupt_file_once(listener, folder, asset_dir, tmp_path):
    (folder / "2b_corrupt.jpg").write_bytes(b"\xff\xd8 not a JPEG")
    log = tmp_path / "node.log"
    with camera_node(log, source=folder, fps=10, loop=True) as node:
        listener.spin_until(lambda: len(listener.images) >= 15, 90, [node])
        assert node.poll() is None
    cycle = sizes(asset_dir)
    received = [(m.width, m.height) for m in listener.images]
    start = cycle.index(received[0])
    assert received == [cycle[(start + i) % len(cycle)] for i in range(len(received))]
    assert log.read_text().count("2b_corrupt.jpg: not a readable image") == 1


def test_single_image_repeated_with_calibration(listener, asset_dir, tmp_path):
    image_path = asset_dir / "media" / "tfjs" / "pose.jpg"
    calibration = tmp_path / "pose.yaml"
    calibration.write_text(
        "image_width: 1000\nimage_height: 667\ncamera_name: still\n"
        "camera_matrix: {rows: 3, cols: 3, data: [900, 0, 500, 0, 900, 333, 0, 0, 1]}\n"
        "distortion_model: plumb_bob\n"
        "distortion_coefficients: {rows: 1, cols: 5, data: [0.1, -0.2, 0, 0, 0.05]}\n"
        "rectification_matrix: {rows: 3, cols: 3, data: [1, 0, 0, 0, 1, 0, 0, 0, 1]}\n"
        "projection_matrix: {rows: 3, cols: 4, data: [900, 0, 500, 0, 0, 900, 333, 0, 0, 0, 1, 0]}"
    )
    params = dict(source=image_path, fps=20, encoding="mono8", frame_id="still_optical_frame")
    with camera_node(tmp_path / "node.log", camera_info_url=f"file://{calibration}", **params):
        listener.spin_until(lambda: len(listener.images) >= 8, 60)
        listener.spin_until(lambda: len(listener.infos) >= 8, 10)
    expected = cv2.cvtColor(cv2.imread(str(image_path)), cv2.COLOR_BGR2GRAY)
    for msg in listener.images[:8]:
        assert (msg.encoding, msg.header.frame_id) == ("mono8", "still_optical_frame")
        np.testing.assert_array_equal(pixels(msg)[..., 0], expected)
    assert_stamps_increase(listener.images)
    info = listener.infos[-1]
    assert (info.width, info.height, info.distortion_model) == (1000, 667, "plumb_bob")
    assert list(info.k) == [900, 0, 500, 0, 900, 333, 0, 0, 1]
    assert list(info.d) == pytest.approx([0.1, -0.2, 0, 0, 0.05])
    image_stamps = {stamp_ns(m) for m in listener.images}
    assert stamp_ns(info) in image_stamps, "camera_info carries its image's header"


def test_mjpeg_stream_that_dies_is_reconnected(listener, asset_dir, tmp_path):
    image = cv2.imread(str(asset_dir / "media" / "opencv" / "messi5.jpg"))
    server = MjpegServer(cv2.imencode(".jpg", image)[1].tobytes())
    port = server.start()
    log = tmp_path / "node.log"
    try:
        with camera_node(log, source=f"http://127.0.0.1:{port}/stream.mjpg") as node:
            listener.spin_until(lambda: len(listener.images) >= 5, 60, [node])
            server.stop()
            listener.spin_until(lambda: "reconnect attempt 2" in log.read_text(), 60)
            before = len(listener.images)
            server.start()
            listener.spin_until(lambda: len(listener.images) >= before + 5, 60)
            assert node.poll() is None, "the node keeps running through the outage"
    finally:
        server.stop()
    text = log.read_text()
    assert "publishing resumes" in text
    assert text.count("reconnect attempt") <= 6, "one line per attempt, not per frame"
    assert all((m.width, m.height) == (548, 342) for m in listener.images)
    assert_stamps_increase(listener.images)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"source": "/no/such/clip.mp4"}, "source '/no/such/clip.mp4' does not exist"),
        ({"source": 99}, "cannot open device 99"),
        ({"source": 99, "qos_depth": 0}, "qos_depth out of range"),
        ({"source": 99, "max_frames_in_flight": 1}, "max_frames_in_flight: 1 needs pace_topic"),
    ],
)
def test_unopenable_source_or_bad_parameter_is_one_clear_error(
    ros_domain_id, tmp_path, params, message
):
    with camera_node(tmp_path / "node.log", **params) as node:
        assert node.wait(timeout=60) != 0
    text = (tmp_path / "node.log").read_text()
    assert message in text and "ERROR" in text and "Traceback" not in text


@pytest.mark.parametrize("loop", [False, True])
def test_a_truncated_video_is_one_clear_error_and_exit_65(
    ros_domain_id, asset_dir, tmp_path, loop
):
    """Its index declares 120 frames; its frame data stops half-way (a cut fast-start MP4)."""
    cut = truncated_mp4(asset_dir / "media/tfjs/pose_1.mp4", tmp_path / "cut.mp4", 0.5)
    log = tmp_path / "node.log"
    with camera_node(log, source=cut, fps=0, loop=loop) as node:
        assert node.wait(timeout=60) == 65
    text = log.read_text()
    errors = [line for line in text.splitlines() if "ERROR" in line]
    assert len(errors) == 1, text
    assert f"file {cut} ended after " in errors[0], errors
    assert " of the 120 frames it declares" in errors[0], errors
    assert "truncated" in errors[0] and "intact copy" in errors[0]
    assert errors[0].endswith("(exit code 65)")
    assert "end of source" not in text and "Traceback" not in text


@pytest.mark.parametrize("sent, code", [(signal.SIGINT, 0), (signal.SIGTERM, 143)])
def test_a_stop_by_signal_says_which_in_the_exit_status(listener, tmp_path, sent, code):
    with camera_node(tmp_path / "node.log", source=resolve("vtest_video")) as node:
        listener.spin_until(lambda: len(listener.images) >= 1, 90, [node])
        node.send_signal(sent)
        assert node.wait(timeout=30) == code
    assert "Traceback" not in (tmp_path / "node.log").read_text()


def test_a_stop_while_waiting_for_readers_is_clean(ros_domain_id, folder, tmp_path):
    log = tmp_path / "node.log"
    with camera_node(log, source=folder, wait_for_readers=1) as node:
        wait_for(lambda: "waiting for 1 subscriber(s)" in log.read_text(), "the wait", 60, [node])
        node.send_signal(signal.SIGINT)
        assert node.wait(timeout=30) == 0
    assert "Traceback" not in log.read_text() and "ERROR" not in log.read_text()


def test_the_end_of_the_source_can_have_an_exit_status_of_its_own(ros_domain_id, folder, tmp_path):
    flags = ("--end-of-source-exit-code", "10")
    with camera_node(tmp_path / "node.log", flags, source=folder, fps=0) as node:
        assert node.wait(timeout=60) == 10
    assert f"end of source: image folder {folder}, 6 frames" in (tmp_path / "node.log").read_text()
