"""camera_node replaying rosbag2 recordings, received over Fast DDS in the test process.

The recordings are written here with rosbags' Writer from real pose_1.mp4 frames
(``test/recordings.py``); the installed camera_node reads them as it would a
recording made by ``ros2 bag record`` or the graph's recorder.
"""

from pathlib import Path

import numpy as np
import pytest
from processes_util import RUN, finish, paced_params, start
from rclpy.qos import QoSProfile, ReliabilityPolicy
from recordings import IMAGE, storage_file, track, video_frames, write_recording
from rosbags.highlevel import AnyReader
from test_camera_node import Listener, camera_node, pixels

from pose_estimation_ros.core.assets import resolve
from pose_estimation_ros.nodes.conversions import stamp_ns

pytestmark = pytest.mark.slow

COUNT = 30  # one second of pose_1.mp4
WHOLE = QoSProfile(depth=2 * COUNT, reliability=ReliabilityPolicy.RELIABLE)
POSE_ARRAY = "pose_estimation_ros/msg/PoseArray"
# px and score: the same model on the same bytes in the same order computes the same poses
# (measured: identical, difference 0); the margin is float32 rounding, should a runtime reorder.
KEYPOINT_TOLERANCE = 1e-3


@pytest.fixture(scope="module")
def recorded():
    return track(video_frames(resolve("pose_1_video"), COUNT))


@pytest.fixture
def whole_listener(ros_context):
    listener = Listener(ros_context, WHOLE)
    yield listener
    listener.close()


def test_a_recording_is_replayed_whole_with_its_recorded_stamps(
    whole_listener, recorded, tmp_path
):
    folder = write_recording(tmp_path / "run", {"/camera/image_raw": ("bgr8", recorded)})
    log = tmp_path / "node.log"
    params = {"source": folder, "qos_depth": COUNT, "wait_for_readers": 1}
    with camera_node(log, **params) as node:
        whole_listener.spin_until(lambda: node.poll() is not None, 90, what="the replay's end")
        whole_listener.spin_until(lambda: len(whole_listener.images) == COUNT, 10)
    text = log.read_text()
    assert node.returncode == 0, text
    assert f"end of source: recording {folder}, topic /camera/image_raw, {COUNT} frames" in text
    assert "recorded in frame 'recorded_camera_optical_frame'" in text
    images = whole_listener.images
    assert [stamp_ns(msg) for msg in images] == [r.stamp_ns for r in recorded]
    for msg, expected in zip(images, recorded):
        np.testing.assert_array_equal(pixels(msg), expected.image)
        assert (msg.encoding, msg.header.frame_id) == ("bgr8", "camera_optical_frame")
    info_stamps = {stamp_ns(info) for info in whole_listener.infos}
    assert info_stamps <= {r.stamp_ns for r in recorded}, "camera_info carries its image's header"


@pytest.mark.parametrize("rate", [0.5, 2.0])
def test_restamped_frames_keep_the_recorded_gaps_over_the_replay_rate(
    whole_listener, recorded, tmp_path, rate
):
    # Two image topics: source_topic picks one (its bare .mcap file given, without the folder).
    tracks = {"/left/image_raw": ("rgb8", recorded), "/right/image_raw": ("mono8", recorded[:2])}
    mcap = storage_file(write_recording(tmp_path / "run", tracks))
    params = {
        "source": mcap,
        "source_topic": "left/image_raw",
        "restamp": True,
        "replay_rate": rate,
        "encoding": "rgb8",
        "qos_depth": COUNT,
        "wait_for_readers": 1,
    }
    with camera_node(tmp_path / "node.log", **params) as node:
        whole_listener.spin_until(lambda: node.poll() is not None, 90, what="the replay's end")
        whole_listener.spin_until(lambda: len(whole_listener.images) == COUNT, 10)
    assert node.returncode == 0, (tmp_path / "node.log").read_text()
    images = whole_listener.images
    for msg, expected in zip(images, recorded):
        np.testing.assert_array_equal(pixels(msg), expected.image[..., ::-1])
    stamps = [stamp_ns(msg) for msg in images]
    assert all(b > a for a, b in zip(stamps, stamps[1:]))
    assert not set(stamps) & {r.stamp_ns for r in recorded}, "stamped at publish"
    # The schedule is absolute: never faster than the recording over the rate; a busy machine
    # can only make it slower (up to twice, as for video files in test_camera_node).
    recorded_s = (recorded[-1].time_ns - recorded[0].time_ns) / 1e9
    replayed_s = (stamps[-1] - stamps[0]) / 1e9
    assert 0.9 * recorded_s / rate <= replayed_s <= 2.0 * recorded_s / rate, replayed_s


def test_several_image_topics_without_source_topic_is_one_clear_error(
    ros_domain_id, recorded, tmp_path
):
    tracks = {topic: ("bgr8", recorded[:2]) for topic in ("/left/image_raw", "/right/image_raw")}
    folder = write_recording(tmp_path / "run", tracks)
    log = tmp_path / "node.log"
    with camera_node(log, source=folder) as node:
        assert node.wait(timeout=60) == 1
    text = log.read_text()
    errors = [line for line in text.splitlines() if "ERROR" in line]
    assert len(errors) == 1 and "Traceback" not in text, text
    assert f"recording {folder} holds 2 image topics: /left/image_raw (" in errors[0]
    assert "/right/image_raw (sensor_msgs/msg/Image, 2 messages); set source_topic" in errors[0]


def run_graph(source: Path, record: Path, params: Path) -> str:
    """Run the graph (``make run``) on ``source``, recording to ``record``; return its output."""
    log = record.with_suffix(".log")
    command = [*RUN, "--source", str(source), "--record-mcap", str(record)]
    runner = start([*command, "--params-file", str(params), "--port", "9"], log)
    code = finish(runner, 240)[0]
    output = log.read_text()
    assert code == 0, output
    return output


def recorded_messages(folder: Path, msgtype: str) -> list:
    """Return every message of type ``msgtype`` in a rosbag2 folder, in recorded order."""
    with AnyReader([folder]) as reader:
        connections = [c for c in reader.connections if c.msgtype == msgtype]
        return [reader.deserialize(raw, msgtype) for _, _, raw in reader.messages(connections)]


def poses_by_stamp(folder: Path) -> dict[int, list]:
    """Return the recorded PoseArrays' people by their stamp (= their image's)."""
    return {stamp_ns(msg): msg.poses for msg in recorded_messages(folder, POSE_ARRAY)}


def person_values(person) -> np.ndarray:
    """Return a PersonPose's score, box and keypoints (x, y, score) as one array."""
    box = [person.score, person.x_min, person.y_min, person.x_max, person.y_max]
    return np.array(box + [v for k in person.keypoints for v in (k.x, k.y, k.score)])


def test_a_recorded_run_replayed_through_the_graph_gives_the_same_poses(ros_domain_id, tmp_path):
    params = paced_params(tmp_path)
    first, second = tmp_path / "run1", tmp_path / "run2"
    run_graph(resolve("pose_1_video"), first, params)
    output = run_graph(first, second, params)  # the recording of run 1 as the source
    assert f"recording {first}, topic /image_raw: 120 sensor_msgs/msg/Image messages" in output
    images = [stamp_ns(msg) for msg in recorded_messages(first, IMAGE)]
    assert len(images) == 120
    assert [stamp_ns(msg) for msg in recorded_messages(second, IMAGE)] == images
    recorded, replayed = poses_by_stamp(first), poses_by_stamp(second)
    # Every frame answered in both runs (the recorder may miss poses still on their way when
    # the run stops it, as ros2 bag record does: at most the last one).
    assert len(recorded) >= 119 and len(replayed) >= 119
    assert set(recorded) <= set(images) and set(replayed) <= set(images)
    common = sorted(set(recorded) & set(replayed))
    assert len(common) >= 119
    people = 0
    for stamp in common:
        before, after = recorded[stamp], replayed[stamp]
        assert [p.id for p in after] == [p.id for p in before], stamp
        for old, new in zip(before, after):
            people += 1
            np.testing.assert_allclose(person_values(new), person_values(old), rtol=0,
                                       atol=KEYPOINT_TOLERANCE, err_msg=f"stamp {stamp}")
    assert people >= 100, "pose_1.mp4 shows one person throughout"
