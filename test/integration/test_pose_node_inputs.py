"""pose_node against what may arrive: two cameras on one topic, bad images, random sizes.

The images come from ``processes/publish_images.py`` processes over real DDS
into the installed pose_node; what the node says is read from its
``/diagnostics`` key/values (its interface) and, for the names a user sees,
from its log.
"""

import re
import signal
import subprocess
from pathlib import Path

import pytest

from pose_counts import settled, totals_of
from processes_util import script_command, stop
from test_pose_node import pose_node_run

# Resident memory the pose node may gain over the fuzz, after its warm-up (docs/pose_node.md;
# measured: 26 MB for MoveNet Lightning, 19 MB for hpe-0001, most of it DDS buffers grown for
# the 8.8 MB images).
RSS_BUDGET_MB = 64
SENT = re.compile(r"^publish_images: sent at most (\d+) frames$", re.MULTILINE)  # its last line
SECOND_CAMERA_FRAMES = 30  # 3 s at 10 fps, all while the first camera runs

pytestmark = pytest.mark.slow


def publish(mode: str, *args: str, **popen) -> subprocess.Popen:
    """Start ``publish_images.py MODE ARGS`` for the pose node alone (one reader)."""
    command = script_command("publish_images.py", mode, "--readers", "1", *args)
    return subprocess.Popen(command, **popen)


def sent_by(camera: subprocess.Popen) -> int:
    """Stop a ``publish_images.py frames`` started with its stdout piped; the frames it sent."""
    output = stop(camera, sent=signal.SIGTERM)
    match = SENT.search(output)
    assert match, output
    return int(match.group(1))


def resident_mb(process: subprocess.Popen) -> float:
    """Return a process's resident memory (VmRSS) in MB."""
    for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for {process.pid}")


def test_two_cameras_on_one_topic_are_counted_apart(ros_context):
    # Each camera numbers its frames from 1; the second starts a second or more after the first,
    # so mixing their numbers would count their difference (ten or more) as dropped or lost at
    # every alternation: more frames than both cameras sent. Counted apart, the node counts
    # each camera's frames from the first it received: at most what they sent, and more than
    # the first camera alone sent.
    piped = {"stdout": subprocess.PIPE, "text": True}
    with pose_node_run(ros_context, "model:=movenet_lightning", images=False) as run:
        recorder = run.recorder
        run.wait_subscribed()
        first = run.add(publish("frames", "--fps", "10", "--seed", "1", **piped))
        recorder.spin_until(
            lambda: recorder.counters().get("processed_frames_total", 0) >= 10,
            [run.node, first],
            "10 frames of the first camera",
        )
        count = ("--count", str(SECOND_CAMERA_FRAMES))
        second = run.add(publish("frames", "--fps", "10", "--seed", "2", *count, **piped))
        recorder.spin_until(
            lambda: second.poll() is not None, [run.node, first], "the second camera's end"
        )
        sent = {"first": sent_by(first), "second": sent_by(second)}
        stopped = len(recorder.diagnostics)
        recorder.spin_until(
            lambda: settled(
                [totals_of(recorder.values(i)) for i in range(stopped, len(recorder.diagnostics))]
            ),
            [run.node],
            "the pose node's counts to settle",
        )
    totals = totals_of(recorder.values())
    counted = totals["received"] + totals["dropped"] + totals["lost"]
    seen = f"sent {sent}, pose node's totals {totals}\n{run.node_log}"
    assert second.returncode == 0 and sent["second"] == SECOND_CAMERA_FRAMES, seen
    assert sent["first"] < counted <= sent["first"] + sent["second"], seen
    assert totals["failed"] == totals["rejected"] == 0, seen


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
    parameters = ["model:=movenet_lightning", "diagnostics_period_s:=0.1"]
    with pose_node_run(ros_context, *parameters, images=False) as run:
        recorder = run.recorder
        run.wait_subscribed()
        publisher = run.add(publish("bad", "--size", "320x240", "--fps", "10"), signal.SIGTERM)
        recorder.spin_until(
            lambda: any(p.image_width == 320 for p in recorder.poses),
            [run.node, publisher],
            "a PoseArray of a good frame after the bad ones",
        )
    node_log = run.node_log
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
    parameters = [f"model:={model}", "image_reliability:=reliable", "diagnostics_period_s:=0.1"]
    with pose_node_run(ros_context, *parameters, images=False) as run:
        recorder = run.recorder
        run.wait_subscribed()
        warm_up = run.add(publish("frames", "--count", "10", "--fps", "5"), signal.SIGTERM)
        recorder.spin_until(
            lambda: warm_up.poll() is not None and len(recorder.poses) >= 5,
            [run.node],
            "the warm-up frames",
        )
        before_mb = resident_mb(run.node)
        fuzz = publish("fuzz", "--size", "320x240", "--fps", "5", "--seed", "7")
        run.add(fuzz, signal.SIGTERM)
        recorder.spin_until(
            lambda: sum(p.image_width == 320 for p in recorder.poses) >= 3,
            [run.node, fuzz],
            "3 PoseArrays of good frames after the random ones",
        )
        after_mb = resident_mb(run.node)
    node_log = run.node_log
    counts = recorder.counters()
    seen = f"{model}: {before_mb:.0f} MB after warm-up, {after_mb:.0f} MB after; {counts}"
    print(seen)
    assert after_mb - before_mb <= RSS_BUDGET_MB, f"{seen}\n{node_log}"
    assert counts["failed_frames_total"] == 0, f"{seen}\n{node_log}"
    assert counts["rejected_frames_total"] >= 4, seen  # three just past a bound, one empty
    assert counts["processed_frames_total"] >= 20, seen
