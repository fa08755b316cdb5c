"""Benchmark the UDP bridge: bytes per datagram, bridge time per message, decode time.

    python -m pose_estimation_ros.bench.bridge_bench [--repeats 2000]

Bridge time is the node's whole callback on one ``PoseArray`` (message →
core frame → datagrams → non-blocking send to a local UDP socket), without
DDS. Decode time is ``decode_datagram`` on every datagram of a frame, as a
Python receiver runs it.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import time
from collections.abc import Callable

import numpy as np
import rclpy
from rclpy.parameter import Parameter
from std_msgs.msg import Header

from pose_estimation_ros.core.skeletons import COCO17
from pose_estimation_ros.core.types import Person, PoseFrame
from pose_estimation_ros.core.wire import WireHeader, decode_datagram, encode_frame
from pose_estimation_ros.nodes.conversions import pose_frame_to_msg
from pose_estimation_ros.nodes.udp_bridge_node import UdpBridgeNode

PEOPLE_COUNTS = (1, 6, 20)
MAX_DATAGRAM_BYTES = 1200


def frame_of(num_people: int) -> PoseFrame:
    """People with random pixel coordinates in a 1920x1080 image."""
    rng = np.random.default_rng(num_people)
    people = []
    for i in range(num_people):
        keypoints = np.column_stack(
            [rng.uniform(0, 1920, 17), rng.uniform(0, 1080, 17), rng.uniform(0, 1, 17)]
        ).astype(np.float32)
        people.append(Person(keypoints, 0.8, (10.0, 20.0, 300.0, 900.0), i))
    return PoseFrame("movenet_multipose", COCO17, 1920, 1080, people)


def microseconds_per_call(function: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median and 95th percentile of ``function``'s duration, microseconds."""
    durations = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        durations.append(time.perf_counter() - start)
    return statistics.median(durations) * 1e6, np.percentile(durations, 95) * 1e6


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=2000)
    repeats = parser.parse_args().repeats

    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(("127.0.0.1", 0))
    rclpy.init()
    node = UdpBridgeNode(
        parameter_overrides=[
            Parameter("port", value=sink.getsockname()[1]),
            Parameter("max_datagram_bytes", value=MAX_DATAGRAM_BYTES),
        ]
    )
    header = Header(frame_id="camera_optical_frame")
    print(f"max_datagram_bytes {MAX_DATAGRAM_BYTES}, 17 keypoints per person, {repeats} repeats")
    print("people  datagrams  total bytes  bridge us (median/p95)  decode us (median/p95)  sizes")
    try:
        for count in PEOPLE_COUNTS:
            frame = frame_of(count)
            datagrams = encode_frame(
                frame, WireHeader(1, 1, 0, 0, header.frame_id), MAX_DATAGRAM_BYTES
            )
            msg = pose_frame_to_msg(frame, header)
            bridge = microseconds_per_call(lambda: node._on_poses(msg), repeats)
            decode = microseconds_per_call(lambda: list(map(decode_datagram, datagrams)), repeats)
            sizes = "/".join(str(len(d)) for d in datagrams)
            print(
                f"{count:6d}  {len(datagrams):9d}  {sum(map(len, datagrams)):11d}  "
                f"{bridge[0]:11.1f} / {bridge[1]:8.1f}  {decode[0]:11.1f} / {decode[1]:8.1f}  "
                f"{sizes}"
            )
    finally:
        node.destroy_node()
        rclpy.try_shutdown()
        sink.close()


if __name__ == "__main__":
    main()
