"""Benchmark camera_node: publish rate at ``fps: 0``, receive rate in a second process.

Run ``tools/in_env.sh python -m pose_estimation_ros.bench.camera_bench``. It
decodes the video once with OpenCV alone (the baseline), then runs the
installed ``camera_node`` on it with ``fps: 0`` while this process subscribes
and counts what arrives, a few times over. It prints, per run and as medians,
decode-only and published frames per second, the node's time per frame
outside decoding (and its own split: reading vs converting and publishing),
and the receive rate and latency (receive time minus capture stamp) seen by
the subscriber.
"""

from __future__ import annotations

import argparse
import math
import re
import subprocess
import time
from pathlib import Path

import cv2
import rclpy
from ament_index_python.packages import get_package_prefix
from rclpy.qos import QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import Image

from pose_estimation_ros.bench.stats import summary_ms
from pose_estimation_ros.core import domain_lock
from pose_estimation_ros.core.assets import resolve
from pose_estimation_ros.core.capture.encoding import ENCODINGS
from pose_estimation_ros.nodes.conversions import stamp_ns
from pose_estimation_ros.nodes.transport import use_large_frame_transports

SUMMARY = re.compile(
    r"(?P<frames>\d+) frames in (?P<seconds>[\d.]+) s .*?(?P<read_ms>[\d.]+) ms reading.*?"
    r"(?P<publish_ms>[\d.]+) ms converting and publishing"
)


def decode_only(path: Path) -> tuple[int, float]:
    """Frames in the file and seconds OpenCV alone takes to decode them all."""
    capture = cv2.VideoCapture(str(path))
    count, start = 0, time.perf_counter()
    while capture.read()[0]:
        count += 1
    return count, time.perf_counter() - start


def receive_while_publishing(path: Path, encoding: str, reliability: str) -> tuple[list, str]:
    """Run camera_node on ``path`` at full speed; return (receive, stamp) ns pairs and its log."""
    use_large_frame_transports("camera_bench")
    rclpy.init()
    node = rclpy.create_node("camera_bench")
    received: list[tuple[int, int]] = []

    def on_image(msg: Image) -> None:
        now = node.get_clock().now().nanoseconds
        received.append((now, stamp_ns(msg)))

    policy = (
        ReliabilityPolicy.RELIABLE if reliability == "reliable" else ReliabilityPolicy.BEST_EFFORT
    )
    node.create_subscription(
        Image, "image_raw", on_image, QoSProfile(depth=10, reliability=policy)
    )
    executable = (
        Path(get_package_prefix("pose_estimation_ros")) / "lib/pose_estimation_ros/camera_node"
    )
    for _ in range(20):  # let this subscriber's participant announce itself first
        rclpy.spin_once(node, timeout_sec=0.1)
    camera = subprocess.Popen(
        [
            str(executable),
            "--ros-args",
            "-p",
            f"source:={path}",
            "-p",
            "fps:=0",
            "-p",
            f"encoding:={encoding}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        while camera.poll() is None:
            rclpy.spin_once(node, timeout_sec=0.05)
        for _ in range(20):  # what is still in flight
            rclpy.spin_once(node, timeout_sec=0.05)
    finally:
        if camera.poll() is None:
            camera.kill()
        log = camera.communicate()[0]
        node.destroy_node()
        rclpy.try_shutdown()
    return received, log


COLUMNS = {
    "decode_fps": "decode-only frames/s",
    "publish_fps": "published frames/s",
    "outside_decode_ms": "node ms/frame outside decoding",
    "read_ms": "node ms/frame reading",
    "publish_ms": "node ms/frame converting+publishing",
    "received": "frames received",
    "receive_fps": "received frames/s",
    "latency_ms": "median capture->callback ms",
}


def measure(path: Path, encoding: str, reliability: str) -> dict[str, float]:
    """One run: decode-only baseline, then the node at full speed and a subscriber."""
    frames, decode_s = decode_only(path)
    received, log = receive_while_publishing(path, encoding, reliability)
    summary = SUMMARY.search(log)
    if summary is None:
        raise SystemExit(f"camera_node did not finish its source:\n{log}")
    published, publish_s = int(summary["frames"]), float(summary["seconds"])
    span_s = (received[-1][0] - received[0][0]) / 1e9 if len(received) > 1 else 0.0
    latency_ms = sorted((now - stamp) / 1e6 for now, stamp in received) or [math.nan]
    return {
        "decode_fps": frames / decode_s,
        "publish_fps": published / publish_s,
        "outside_decode_ms": 1e3 * (publish_s / published - decode_s / frames),
        "read_ms": float(summary["read_ms"]),
        "publish_ms": float(summary["publish_ms"]),
        "received": len(received),
        "receive_fps": (len(received) - 1) / span_s if span_s else math.nan,
        "latency_ms": latency_ms[len(latency_ms) // 2],
    }


def main() -> None:
    """Measure ``--runs`` times and print every run and the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", help="video file (default: vtest.avi)")
    parser.add_argument("--encoding", default="bgr8", choices=tuple(ENCODINGS))
    parser.add_argument("--reliability", default="reliable", choices=("reliable", "best_effort"))
    parser.add_argument("--runs", type=int, default=3, help="repetitions (the median is shown)")
    args = parser.parse_args()
    path = Path(args.source) if args.source else resolve("vtest_video")
    domain_lock.use_free_domain()  # held until the bench exits

    print(f"{path.name}, fps 0, encoding {args.encoding}, {args.reliability} subscriber")
    runs = [measure(path, args.encoding, args.reliability) for _ in range(args.runs)]
    for key, label in COLUMNS.items():
        values = [run[key] for run in runs]
        cells = " ".join(f"{v:8.2f}" for v in values)
        median = summary_ms(values)["p50"]
        print(f"{label:>36}: {cells}   median {median:8.2f}")


if __name__ == "__main__":
    main()
