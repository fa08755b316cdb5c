"""Publish chosen, bad or random ``image_raw`` images to a pose node (a separate OS process).

Usage: ``publish_images.py MODE [--fps F] [--count N] [--size WxH] [--seed S] [--readers R]``.

First the MODE's images, each sent once the pose node has handled the one
before (processed, rejected or failed, as its ``/diagnostics`` totals say), so
none is replaced unread: ``bad`` sends each kind of bad image twice, ``fuzz``
random sizes, aspects and encodings around the image bounds, ``frames`` none.
Then ``--count`` frames of ``--size`` (0: until stopped) at ``--fps``, unpaced,
as a camera would, and says how many it sent at most (``SENT``). Nothing is sent
before ``--readers`` subscriptions match.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import rclpy
from diagnostic_msgs.msg import DiagnosticArray
from rclpy.qos import QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import Image
from std_msgs.msg import Header

from pose_estimation_ros.core.image_bounds import MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE
from pose_estimation_ros.core.image_encoding import CHANNELS

sys.path.insert(0, str(Path(__file__).resolve().parent))  # a script, under PYTHONSAFEPATH
from ros_process import ros_node  # noqa: E402

FRAME_ID = "camera_optical_frame"
HANDLED = ("processed_frames_total", "rejected_frames_total", "failed_frames_total")
WAIT_S = 120.0  # for one image to be handled
SENT = "publish_images: sent at most {} frames"  # the last line on stdout


def image(width: int, height: int, encoding: str = "bgr8", seed: int = 0) -> Image:
    """Return a ``width`` x ``height`` image of random pixels (any encoding, even unknown)."""
    channels = CHANNELS.get(encoding, 2)
    data = np.random.default_rng(seed).integers(0, 256, width * height * channels, np.uint8)
    return raw(width, height, encoding, data.tobytes(), width * channels)


def raw(width: int, height: int, encoding: str, data: bytes, step: int) -> Image:
    """Return an image with exactly these fields (no check that they agree)."""
    msg = Image(header=Header(frame_id=FRAME_ID), width=width, height=height, encoding=encoding)
    msg.step, msg.data = step, data
    return msg


def bad_images() -> list[Image]:
    """Return one image of each kind the pose node must refuse, each problem distinct."""
    side = MAX_IMAGE_SIDE
    return [
        image(2, 2, "yuv422"),
        image(2, 2, "rgb16"),
        raw(0, 0, "bgr8", b"", 0),
        raw(4, 0, "rgb8", b"", 12),
        image(side + 1, 1),
        image(1, side + 1, "mono8"),
        raw(side, MAX_IMAGE_PIXELS // side + 1, "mono8", b"", side),  # size checked before data
        raw(4, 4, "bgr8", bytes(47), 12),  # truncated
    ]


def fuzz_images(seed: int, count: int) -> list[Image]:
    """Return the edge cases, then ``count`` random sizes (log-uniform sides) and encodings."""
    side, tall = MAX_IMAGE_SIDE, MAX_IMAGE_PIXELS // MAX_IMAGE_SIDE
    images = [
        image(640, 1),
        image(1, 640),
        image(side, 1),
        image(1, side, "rgb8"),
        image(side + 1, 1),
        image(1, side + 1, "mono8"),
        image(side, tall, "mono8"),
        image(side, tall + 1, "mono8"),
        image(tall, side, "mono8"),
        raw(0, 0, "bgr8", b"", 0),
        image(1, 1, "bgra8"),
        image(3000, 2, "rgba8"),
    ]
    rng = np.random.default_rng(seed)
    encodings = sorted(CHANNELS)
    for k in range(count):
        width, height = np.exp(rng.uniform(0.0, np.log(side * 1.05), 2)).astype(int)
        if width * height > 1_000_000:  # the large ones are among the edge cases: keep it quick
            if width > height:  # the long side stays: it may be past the bound
                height = max(1, height // 16)
            else:
                width = max(1, width // 16)
        images.append(image(int(width), int(height), encodings[k % len(encodings)], seed + k))
    return images


def main() -> None:
    """Publish until done or interrupted."""
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("frames", "bad", "fuzz"))
    parser.add_argument("--fps", type=float, default=10.0)
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--size", default="640x480")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fuzz-count", type=int, default=20)
    parser.add_argument("--readers", type=int, default=2)
    args = parser.parse_args()
    first = {
        "frames": [],
        "bad": 2 * bad_images(),
        "fuzz": fuzz_images(args.seed, args.fuzz_count),
    }[args.mode]
    width, height = (int(v) for v in args.size.split("x"))
    frame = image(width, height, seed=args.seed)

    with ros_node("image_publisher") as node:
        pub = node.create_publisher(
            Image, "image_raw", QoSProfile(depth=2, reliability=ReliabilityPolicy.RELIABLE)
        )
        handled: list[int] = []
        node.create_subscription(
            DiagnosticArray,
            "/diagnostics",
            lambda msg: handled.extend(
                sum(int(v.value) for v in status.values if v.key in HANDLED)
                for status in msg.status
                if status.name.endswith("pose_node: pose estimation")
            ),
            10,
        )

        def spin_until(condition, what: str) -> None:
            deadline = time.monotonic() + WAIT_S
            while not condition():
                if time.monotonic() > deadline:
                    sys.exit(f"publish_images: no {what} within {WAIT_S} s")
                rclpy.spin_once(node, timeout_sec=0.05)

        def publish(msg: Image) -> None:
            msg.header.stamp = node.get_clock().now().to_msg()
            pub.publish(msg)

        spin_until(lambda: pub.get_subscription_count() >= args.readers, "readers")
        if first:
            spin_until(lambda: handled, "/diagnostics from the pose node")
            base = handled[-1]
            for sent, msg in enumerate(first, 1):
                publish(msg)
                spin_until(lambda: handled[-1] >= base + sent, f"handling of image {sent}")
        sent, next_s = 0, time.monotonic()
        try:
            while not args.count or sent < args.count:
                sent += 1  # before: a stop during publish() may still have sent it
                publish(frame)
                next_s += 1.0 / args.fps
                while (left := next_s - time.monotonic()) > 0:
                    rclpy.spin_once(node, timeout_sec=left)
        finally:
            print(SENT.format(sent), flush=True)


if __name__ == "__main__":
    main()
