"""Benchmark the UDP bridge: bytes per datagram, bridge time per message, decode time.

    python -P -m pose_estimation_ros.bench.bridge_bench [--repeats 2000] [--repo .]

Bridge time is the bridge node's own ``PoseForwarder.forward`` (what its
subscription calls) on one ``PoseArray``: serialized PoseArray → core frame →
datagrams → non-blocking send to a local UDP socket, without DDS. Decode
time is the decoding of every datagram of a frame: Python's
``decode_datagram``, and, when mono / Node.js are installed, the C# and
JavaScript receivers' decoders (run from the repository at ``--repo``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import rclpy
from rclpy.parameter import Parameter
from std_msgs.msg import Header

from pose_estimation_ros.bench.stats import summary_ms
from pose_estimation_ros.core.skeletons import COCO17
from pose_estimation_ros.core.stage_times import StageTimes
from pose_estimation_ros.core.types import Person, PoseFrame
from pose_estimation_ros.core.wire import WireHeader, decode_datagram, encode_frame
from pose_estimation_ros.nodes.raw_cdr import serialize_pose_array
from pose_estimation_ros.nodes.transport import use_large_frame_transports
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
    times = StageTimes()
    for _ in range(repeats):
        with times.span("call"):
            function()
    summary = summary_ms(times.ms["call"])
    return summary["p50"] * 1e3, summary["p95"] * 1e3


def receiver_commands(repo: Path, build_dir: Path) -> dict[str, list[str]]:
    """Build the C# and JavaScript receivers' ``--bench`` commands, for the toolchains present."""
    commands = {}
    sources = [
        repo / "receivers" / "unity" / "PoseReceiver.cs",
        repo / "test" / "receivers" / "PoseReceiverConsole.cs",
    ]
    toolchain = shutil.which("mcs") and shutil.which("mono")
    if toolchain and all(source.is_file() for source in sources):
        exe = build_dir / "PoseReceiverConsole.exe"
        subprocess.run(["mcs", "-nologo", f"-out:{exe}", *map(str, sources)], check=True)
        commands["C#"] = ["mono", str(exe)]
    js = repo / "receivers/js"
    if shutil.which("node") and (js / "node_modules/@msgpack/msgpack").is_dir():
        commands["JS"] = ["node", str(js / "cli.js")]
    return commands


def external_decode_us(command: list[str], datagrams: list[bytes], repeats: int) -> str:
    """Median / p95 microseconds a receiver's ``--bench`` mode takes to decode the frame."""
    result = subprocess.run(
        [*command, "--bench", str(repeats)],
        input="".join(d.hex() + "\n" for d in datagrams),
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(result.stdout)
    return f"{figures['median_us']:.1f} / {figures['p95_us']:.1f}"


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=2000)
    parser.add_argument("--repo", type=Path, default=Path.cwd(), help="repository root")
    args = parser.parse_args()
    repeats = args.repeats
    build_dir = tempfile.TemporaryDirectory()
    receivers = receiver_commands(args.repo, Path(build_dir.name))

    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(("127.0.0.1", 0))
    use_large_frame_transports("bridge_bench")
    rclpy.init()
    node = UdpBridgeNode(
        parameter_overrides=[
            Parameter("port", value=sink.getsockname()[1]),
            Parameter("max_datagram_bytes", value=MAX_DATAGRAM_BYTES),
        ]
    )
    header = Header(frame_id="camera_optical_frame")
    print(f"max_datagram_bytes {MAX_DATAGRAM_BYTES}, 17 keypoints per person, {repeats} repeats")
    print("people  datagrams  total bytes  bridge us (median/p95)  Python decode us  sizes")
    others = []
    try:
        for count in PEOPLE_COUNTS:
            frame = frame_of(count)
            datagrams = encode_frame(
                frame, WireHeader(1, 1, 0, 0, header.frame_id), MAX_DATAGRAM_BYTES
            )
            serialized = serialize_pose_array(frame, header)  # the bytes pose_node sends
            bridge = microseconds_per_call(lambda: node.forwarder.forward(serialized), repeats)
            decode = microseconds_per_call(lambda: list(map(decode_datagram, datagrams)), repeats)
            sizes = "/".join(str(len(d)) for d in datagrams)
            print(
                f"{count:6d}  {len(datagrams):9d}  {sum(map(len, datagrams)):11d}  "
                f"{bridge[0]:11.1f} / {bridge[1]:8.1f}  {decode[0]:7.1f} / {decode[1]:6.1f}  "
                f"{sizes}"
            )
            others += [
                f"{count:6d}  {name:>4s}  {external_decode_us(command, datagrams, repeats)}"
                for name, command in receivers.items()
            ]
        print("people  receiver  decode us per frame (median/p95)")
        print("\n".join(others) or "(no mono or Node.js receiver toolchain found)")
    finally:
        build_dir.cleanup()
        node.destroy_node()
        rclpy.try_shutdown()
        sink.close()


if __name__ == "__main__":
    main()
