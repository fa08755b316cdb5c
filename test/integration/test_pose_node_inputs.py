"""pose_node against what may arrive: two cameras on one topic, bad images, random sizes.

The images come from ``processes/publish_images.py`` processes over real DDS
into the installed pose_node; what the node says is read from its
``/diagnostics`` key/values (its interface) and, for the names a user sees,
from its log.
"""

import subprocess
import sys
from pathlib import Path
from statistics import median

import pytest

from test_pose_node import Recorder, start_pose_node, stop

PUBLISHER = Path(__file__).parent / "processes" / "publish_images.py"
# Resident memory the pose node may gain over the fuzz, after its warm-up (docs/pose_node.md;
# measured: 26 MB for MoveNet Lightning, 19 MB for hpe-0001, most of it DDS buffers grown for
# the 8.8 MB images).
RSS_BUDGET_MB = 64

pytestmark = pytest.mark.slow


def publish(mode: str, *args: str) -> subprocess.Popen:
    """Start ``publish_images.py MODE ARGS`` for the pose node alone (one reader)."""
    return subprocess.Popen([sys.executable, str(PUBLISHER), mode, "--readers", "1", *args])


def resident_mb(process: subprocess.Popen) -> float:
    """Return a process's resident memory (VmRSS) in MB."""
    for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for {process.pid}")


def end(processes: list[subprocess.Popen]) -> None:
    """Stop the publisher processes that still run."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
        process.wait(timeout=30)


def test_two_cameras_on_one_topic_are_counted_apart(ros_context):
    # Each camera numbers its frames from 1; the second starts a second or more after the first,
    # so mixing their numbers would count their difference as dropped at every alternation.
    pose_node = start_pose_node("model:=movenet_lightning")
    recorder = Recorder(ros_context, images=False)
    cameras: list[subprocess.Popen] = []
    try:
        recorder.spin_until(recorder.pose_node_subscribed, [pose_node], "image_raw subscription")
        cameras.append(publish("frames", "--fps", "10", "--seed", "1"))
        recorder.spin_until(
            lambda: recorder.counters().get("processed_frames_total", 0) >= 10,
            [pose_node, *cameras],
            "10 frames of the first camera",
        )
        cameras.append(publish("frames", "--fps", "10", "--seed", "2"))
        both_from = len(recorder.diagnostics) + 2  # windows with both cameras (one to match)
        recorder.spin_until(
            lambda: len(recorder.diagnostics) >= both_from + 5,
            [pose_node, *cameras],
            "5 diagnostics windows with both cameras",
        )
    finally:
        recorder.close()
        end(cameras)
        node_log = stop(pose_node)
    windows = [recorder.values(i) for i in range(both_from, both_from + 5)]
    rates = [float(w["input_rate_hz"]) for w in windows]
    totals = recorder.counters(both_from + 4)
    seen = f"rates {rates}, totals {totals}\n{node_log}"
    assert 12.0 <= median(rates) <= 30.0, seen  # 20 Hz: two 10 fps cameras
    assert totals["dropped_frames_total"] + totals["lost_frames_total"] <= max(
        5, 0.1 * totals["received_frames_total"]
    ), seen
    assert totals["failed_frames_total"] == totals["rejected_frames_total"] == 0, seen


BAD_NAMES = [
    "unsupported image encoding 'yuv422'",
    "unsupported image encoding 'rgb16'",
    "empty image (0x0)",
    "empty image (4x0)",
    "image 4097x1 is wider than 4096 px",
    "image 1x4097 is taller than 4096 px",
    "image 4096x2161 has 8851456 pixels, more than 8847360",
    "bgr8 image 4x4, step 12: needs 48 B, got 47",
]


def test_each_kind_of_bad_image_is_named_once_and_counted(ros_context):
    # Eight kinds of bad image, each sent twice, each once the node handled the one before.
    pose_node = start_pose_node("model:=movenet_lightning", "diagnostics_period_s:=0.1")
    recorder = Recorder(ros_context, images=False)
    publisher = None
    try:
        recorder.spin_until(recorder.pose_node_subscribed, [pose_node], "image_raw subscription")
        publisher = publish("bad", "--size", "320x240", "--fps", "10")
        recorder.spin_until(
            lambda: any(p.image_width == 320 for p in recorder.poses),
            [pose_node, publisher],
            "a PoseArray of a good frame after the bad ones",
        )
    finally:
        recorder.close()
        end([publisher] if publisher else [])
        node_log = stop(pose_node)
    for name in BAD_NAMES:
        assert node_log.count(f"dropping image: {name}") == 1, (name, node_log)
    assert node_log.count("dropping image:") == len(BAD_NAMES), node_log
    values = recorder.values()
    assert BAD_NAMES[-1] in values["last_rejection"], values  # why the last bad image was refused
    counts = recorder.counters()
    assert counts["rejected_frames_total"] == 2 * len(BAD_NAMES), counts
    assert counts["failed_frames_total"] == 0, counts


@pytest.mark.parametrize("model", ["movenet_lightning", "openpose_hpe0001"])
def test_random_image_sizes_keep_memory_within_budget(ros_context, model):
    pose_node = start_pose_node(
        f"model:={model}", "image_reliability:=reliable", "diagnostics_period_s:=0.1"
    )
    recorder = Recorder(ros_context, images=False)
    publishers: list[subprocess.Popen] = []
    try:
        recorder.spin_until(recorder.pose_node_subscribed, [pose_node], "image_raw subscription")
        publishers.append(publish("frames", "--count", "10", "--fps", "5"))
        recorder.spin_until(
            lambda: publishers[0].poll() is not None and len(recorder.poses) >= 5,
            [pose_node],
            "the warm-up frames",
        )
        before_mb = resident_mb(pose_node)
        publishers.append(publish("fuzz", "--size", "320x240", "--fps", "5", "--seed", "7"))
        recorder.spin_until(
            lambda: sum(p.image_width == 320 for p in recorder.poses) >= 3,
            [pose_node, publishers[1]],
            "3 PoseArrays of good frames after the random ones",
        )
        after_mb = resident_mb(pose_node)
    finally:
        recorder.close()
        end(publishers)
        node_log = stop(pose_node)
    counts = recorder.counters()
    seen = f"{model}: {before_mb:.0f} MB after warm-up, {after_mb:.0f} MB after; {counts}"
    print(seen)
    assert after_mb - before_mb <= RSS_BUDGET_MB, f"{seen}\n{node_log}"
    assert counts["failed_frames_total"] == 0, f"{seen}\n{node_log}"
    assert counts["rejected_frames_total"] >= 4, seen  # three just past a bound, one empty
    assert counts["processed_frames_total"] >= 20, seen
