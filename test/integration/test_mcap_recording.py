"""``make run --record-mcap BAG``: a whole run in a rosbag2 MCAP bag, read without ROS.

The runner starts the graph with the recorder (real processes over DDS); the
bag is then read in a separate Python with no ROS environment
(``processes/read_bag.py``): topics, counts, every message decoded from the
definitions in the bag. The oracle for the counts is the runner's own frame
accounting (its summary line), from its own subscriptions.
"""

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from processes_util import RUN, SCRIPTS, finish, paced_params, run_summary, stop, wait_for
from test_launch import Launch, ros2  # noqa: F401 (ros2: the fixture, skips without ros2)

TOPIC_LINE = re.compile(
    r"\]: (/\S+): received (\d+), written (\d+), lost (\d+), (\d+) sent before subscribed"
)
BODY_TOPIC = re.compile(r"^/humans/bodies/b\d+_[a-z]+/(skeleton2d|roi)$")


def read_bag(bag: Path) -> dict:
    """Read ``bag`` in a Python without ROS: isolated (-I), no ROS or Python variables."""
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    result = subprocess.run(
        [sys.executable, "-I", str(SCRIPTS / "read_bag.py"), str(bag)],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def recorder_lines(output: str) -> dict[str, tuple[int, int, int, int]]:
    """Return the recorder's closing line per topic: received, written, lost, sent before."""
    return {m[1]: tuple(map(int, m.groups()[1:])) for m in TOPIC_LINE.finditer(output)}


@pytest.mark.slow
def test_a_run_is_recorded_whole_and_rosbags_decodes_every_message(
    ros_domain_id, asset_dir, tmp_path
):
    bag = tmp_path / "run"
    # The camera paced by the poses (processes_util.paced_params): every frame answered,
    # however slow the machine, so the bag's counts are exact.
    runner = subprocess.Popen(
        [*RUN, "--source", str(asset_dir / "media/tfjs/pose_1.mp4"), "--use-bridge", "false",
         "--hri", "--detections", "true", "--record-mcap", str(bag),
         "--params-file", str(paced_params(tmp_path))],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    code, stdout, stderr = finish(runner, 180)
    assert code == 0, stdout + stderr
    summary = run_summary(stdout)
    frames, poses = summary["frames"], summary["poses"]
    assert (frames, poses, summary["early"]) == (120, 120, 0), stdout
    assert sorted(p.name for p in bag.iterdir()) == ["metadata.yaml", "run.mcap"]

    content = read_bag(bag)
    assert content["ros_imported"] == []  # rosbags alone: every type from the bag
    topics = content["topics"]
    counts = {topic: entry["count"] for topic, entry in topics.items()}
    assert content["metadata_counts"] == counts and content["files"] == ["run.mcap"]
    assert content["decoded"] == sum(counts.values())
    assert {topic: entry["type"] for topic, entry in topics.items() if topic[1] != "h"} == {
        "/image_raw": "sensor_msgs/msg/Image",
        "/camera_info": "sensor_msgs/msg/CameraInfo",
        "/poses": "pose_estimation_ros/msg/PoseArray",
        "/detections": "vision_msgs/msg/Detection2DArray",
        "/diagnostics": "diagnostic_msgs/msg/DiagnosticArray",
    }
    lines = recorder_lines(stderr + stdout)
    assert set(lines) == set(counts), stderr
    # Every frame the camera published and every pose the runner counted. The camera starts
    # once it has matched the recorder's reader; the recorder's side of the match can come a
    # moment later (its process started last, on a loaded machine): a first frame sent
    # before is not in the bag, and the recorder counts it (as the pose node's early frames).
    early = lines["/image_raw"][3]
    assert counts["/image_raw"] + early == counts["/camera_info"] + early == frames
    assert counts["/poses"] == poses, stdout
    # Each pose carries the header of a recorded image, and every recorded image has its pose,
    # but for the first frames the recorder missed (``early``).
    stamps = content["stamps"]
    images = stamps["/image_raw"]
    assert images == sorted(images) and len(set(images)) == frames - early
    assert stamps["/camera_info"] == images
    posed = stamps["/poses"]
    assert set(images) <= set(posed) and len(set(posed) - set(images)) == early
    assert all(s < images[0] for s in set(posed) - set(images))
    # One per PoseArray the node read, from the first it read on (hri_node and detections_node
    # may start after the first poses: those are not theirs to answer). The tracked list is
    # also sent, stamped then, when a camera goes silent (hri_node's body_timeout_s).
    for topic in ("/detections", "/humans/bodies/tracked"):
        answered = [stamp for stamp in stamps[topic] if stamp in set(posed)]
        assert answered and answered == [s for s in posed if s >= answered[0]], topic
    assert counts["/diagnostics"] > 0
    bodies = [topic for topic in counts if topic.startswith("/humans/bodies/b")]
    assert bodies and all(BODY_TOPIC.match(topic) for topic in bodies), bodies
    for topic in ["/poses", "/detections", *bodies]:
        assert stamps[topic] == sorted(stamps[topic])
    for topic in ["/detections", *bodies]:
        assert set(stamps[topic]) <= set(stamps["/poses"]), topic
    # The recorder's own account at its close: nothing lost or left unwritten.
    for topic, (received, written, lost, _) in lines.items():
        assert received == written == counts[topic] and lost == 0, topic


@pytest.mark.slow
def test_ctrl_c_mid_run_closes_the_bag_whole(ros_domain_id, asset_dir, tmp_path):
    bag = tmp_path / "interrupted"
    runner = subprocess.Popen(
        [*RUN, "--source", str(asset_dir / "media/opencv/vtest.avi"), "--use-bridge", "false",
         "--record-mcap", str(bag)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    mcap = bag / "interrupted.mcap"
    try:  # 30 frames of 768x576 BGR: about 40 MB
        wait_for(lambda: mcap.is_file() and mcap.stat().st_size > 40e6, "frames in the bag",
                 alive=[runner])
    finally:
        output = stop(runner, timeout_s=60.0, sent=signal.SIGINT)
    assert runner.returncode == 0, output
    assert "mcap_recorder_node': 0" in output, output
    content = read_bag(bag)
    counts = {topic: entry["count"] for topic, entry in content["topics"].items()}
    assert counts["/image_raw"] >= 30 and counts["/poses"] > 0, counts
    assert content["metadata_counts"] == counts
    assert content["decoded"] == sum(counts.values())


@pytest.mark.slow
def test_ros2_launch_records_with_record_mcap(
    ros2, ros_domain_id, asset_dir, tmp_path  # noqa: F811 (the fixture)
):
    bag = tmp_path / "launched"
    video = asset_dir / "media/tfjs/pose_1.mp4"
    launch = Launch(ros2, tmp_path / "launch.log", f"source:={video}", "use_bridge:=false",
                    f"record_mcap:={bag}")
    try:
        code, output = launch.wait(120)
    finally:
        launch.stop()
    assert code == 0, output
    content = read_bag(bag)
    counts = {topic: entry["count"] for topic, entry in content["topics"].items()}
    assert set(counts) == {"/image_raw", "/camera_info", "/poses", "/diagnostics"}
    early = recorder_lines(output)["/image_raw"][3]
    assert counts["/image_raw"] + early == 120, output  # every frame recorded or accounted
    assert counts["/poses"] > 0 and content["decoded"] == sum(counts.values())


def test_a_bag_that_exists_is_refused_before_any_node_starts(tmp_path):
    result = subprocess.run(
        [*RUN, "--record-mcap", str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.strip() == (
        f"run: error: record_mcap:={tmp_path} exists: a bag is never overwritten; give a new "
        "path (the directory to create) or remove that one (exit code 2)"
    )
    assert "starting" not in result.stdout
