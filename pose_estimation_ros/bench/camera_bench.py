"""Benchmark camera_node: publish rate at ``fps: 0``, receive rate in a second process.

Run ``tools/in_env.sh python -m pose_estimation_ros.bench.camera_bench``. It
decodes the video once with OpenCV alone (the baseline), then runs the
installed ``camera_node`` on it as ``make run`` starts it
(``runner.commands.node_command``: the installed params file) with ``fps: 0``
while this process subscribes and counts what arrives, a few times over.
Everything is read from topics: the camera's rate from the capture stamps it
published (``camera_info`` and ``image_raw``, the camera waiting for this
reader before its first frame) over the video's frame count, the receive rate
and latency (receive time minus capture stamp) from ``image_raw``. The
camera's time per frame to convert and publish is timed in this process on its own
``FramePublisher`` (``stage_split.camera_publish_ms``, no reader). It prints,
per run and as medians, decode-only and published frames per second, the
node's time per frame outside decoding, the publish time, and what the
subscriber saw. A camera that exits non-zero (65: it read fewer frames than
the video declares) ends the benchmark with that error.
"""

from __future__ import annotations

import argparse
import math
import subprocess
import time
from pathlib import Path

import cv2
import rclpy
from rclpy.node import Node
from rclpy.qos import QoSProfile
from sensor_msgs.msg import CameraInfo, Image

from pose_estimation_ros import graph
from pose_estimation_ros.bench.graph_session import COUNTING_QOS
from pose_estimation_ros.bench.pose_bench import read_frames
from pose_estimation_ros.bench.stage_split import camera_publish_ms
from pose_estimation_ros.bench.stats import steady_rate, summary_ms
from pose_estimation_ros.core import domain_lock
from pose_estimation_ros.core.assets import resolve
from pose_estimation_ros.core.capture.encoding import ENCODINGS
from pose_estimation_ros.nodes.camera_node import RELIABILITY
from pose_estimation_ros.nodes.conversions import stamp_ns
from pose_estimation_ros.nodes.raw_cdr import header_stamp_ns
from pose_estimation_ros.nodes.transport import use_large_frame_transports
from pose_estimation_ros.runner.commands import node_command

PUBLISH_FRAMES = 100  # frames timed through the FramePublisher in this process


def decode_only(path: Path) -> tuple[int, float]:
    """Frames in the file and seconds OpenCV alone takes to decode them all."""
    capture = cv2.VideoCapture(str(path))
    count, start = 0, time.perf_counter()
    while capture.read()[0]:
        count += 1
    return count, time.perf_counter() - start


def camera_command(path: Path, encoding: str) -> list[str]:
    """Argv of the graph's camera node as ``make run`` starts it, on ``path`` at full speed.

    The installed params file, then ``fps: 0``, ``encoding`` and one reader to wait for.
    """
    arguments = {**graph.defaults(), "source": str(path)}
    camera = next(instance for instance in graph.instances(arguments) if instance.is_camera)
    overrides = {"fps": 0.0, "encoding": encoding, "wait_for_readers": 1}
    return node_command(camera, arguments, overrides)


def receive_while_publishing(
    node: Node, path: Path, encoding: str, reliability: str
) -> tuple[list[tuple[int, int]], list[int]]:
    """Run camera_node on ``path`` at full speed; (receive, stamp) ns pairs, camera_info stamps.

    ``SystemExit`` when the camera exits non-zero.
    """
    received: list[tuple[int, int]] = []
    published: list[int] = []

    def on_image(msg: Image) -> None:
        received.append((node.get_clock().now().nanoseconds, stamp_ns(msg)))

    qos = QoSProfile(depth=10, reliability=RELIABILITY[reliability])
    subscriptions = [
        node.create_subscription(Image, "image_raw", on_image, qos),
        node.create_subscription(
            CameraInfo,
            "camera_info",
            lambda serialized: published.append(header_stamp_ns(serialized, CameraInfo)),
            COUNTING_QOS,
            raw=True,
        ),
    ]
    for _ in range(20):  # let this subscriber's participant announce itself first
        rclpy.spin_once(node, timeout_sec=0.1)
    camera = subprocess.Popen(camera_command(path, encoding))
    try:
        while camera.poll() is None:
            rclpy.spin_once(node, timeout_sec=0.05)
        for _ in range(20):  # what is still in flight
            rclpy.spin_once(node, timeout_sec=0.05)
    finally:
        if camera.poll() is None:
            camera.kill()
        camera.wait()
        for subscription in subscriptions:
            node.destroy_subscription(subscription)
    if camera.returncode:
        raise SystemExit(f"!!! camera_node exited with code {camera.returncode}")
    return received, published


COLUMNS = {
    "decode_fps": "decode-only frames/s",
    "camera_info": "camera_info seen",
    "publish_fps": "published frames/s",
    "outside_decode_ms": "node ms/frame outside decoding",
    "publish_ms": "FramePublisher.publish ms/frame (no reader)",
    "received": "frames received",
    "receive_fps": "received frames/s",
    "latency_ms": "median capture->callback ms",
}


def measure(
    node: Node, path: Path, encoding: str, reliability: str, publish_ms: float
) -> dict[str, float]:
    """One run: decode-only baseline, then the node at full speed and a subscriber."""
    frames, decode_s = decode_only(path)
    received, published = receive_while_publishing(node, path, encoding, reliability)
    stamps = published + [stamp for _, stamp in received]
    span_s = (max(stamps) - min(stamps)) / 1e9 if stamps else 0.0
    publish_fps = (frames - 1) / span_s if span_s else math.nan  # it exited 0: all published
    return {
        "decode_fps": frames / decode_s,
        "camera_info": len(published),
        "publish_fps": publish_fps,
        "outside_decode_ms": 1e3 * (1.0 / publish_fps - decode_s / frames),
        "publish_ms": publish_ms,
        "received": len(received),
        "receive_fps": steady_rate([now / 1e9 for now, _ in received], skip=0),
        "latency_ms": summary_ms([(now - stamp) / 1e6 for now, stamp in received])["p50"],
    }


def main() -> None:
    """Measure ``--runs`` times and print every run and the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", help="video file (default: vtest.avi)")
    parser.add_argument("--encoding", default="bgr8", choices=tuple(ENCODINGS))
    parser.add_argument("--reliability", default="reliable", choices=tuple(RELIABILITY))
    parser.add_argument("--runs", type=int, default=3, help="repetitions (the median is shown)")
    args = parser.parse_args()
    path = Path(args.source) if args.source else resolve("vtest_video")
    domain_lock.use_free_domain()  # held until the bench exits
    use_large_frame_transports("camera_bench")
    rclpy.init()
    node = rclpy.create_node("camera_bench")
    try:
        frames = read_frames(PUBLISH_FRAMES, None, path)
        publish = camera_publish_ms(frames, encoding=args.encoding, reliability=args.reliability)
        publish_ms = summary_ms(publish[1:])["p50"]  # the first sizes the buffer
        print(f"{path.name}, fps 0, encoding {args.encoding}, {args.reliability} subscriber")
        runs = [
            measure(node, path, args.encoding, args.reliability, publish_ms)
            for _ in range(args.runs)
        ]
    finally:
        node.destroy_node()
        rclpy.try_shutdown()
    for key, label in COLUMNS.items():
        values = [run[key] for run in runs]
        cells = " ".join(f"{v:8.2f}" for v in values)
        median = summary_ms(values)["p50"]
        print(f"{label:>36}: {cells}   median {median:8.2f}")


if __name__ == "__main__":
    main()
