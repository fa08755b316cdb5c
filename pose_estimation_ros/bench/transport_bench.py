"""Transport section of ``make bench``: the camera and the pose node on two machines.

Three network namespaces joined by a bridge (``bench.netns``): the camera host
runs ``camera_node`` (vtest.avi at 30 fps, looped), the pose host runs
``pose_node`` and ``udp_bridge_node`` (datagrams to the game host), the game
host runs a watcher (this module with ``--watch``: the same ``Watcher`` as the
local runs, counting ``camera_info``, ``poses`` and datagrams). Each host has
its own ``/dev/shm``, so frames cross the veth as UDP, once with
``image_transport: raw`` (``sensor_msgs/Image`` on ``image_raw``) and once with
``compressed`` (JPEG ``sensor_msgs/CompressedImage`` on ``image_raw/compressed``).

Per transport: serialized message bytes per frame (the video's first frames
serialized here), bytes the camera host sent per frame published (its link's
counter: frames, fragments' headers, DDS heartbeats and discovery), frames
published and delivered, and capture -> datagram on the game host p50 / p95.
A run is judged as the local 30 fps runs are (``frame_account.AT_30_FPS``),
and like theirs its exit codes, the watcher's beside the nodes', must be 0.
Without root (or without ``ip`` / ``tc``) the section is skipped with the reason.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import rclpy
from rclpy.serialization import serialize_message
from std_msgs.msg import Header

from pose_estimation_ros import graph
from pose_estimation_ros.bench import netns
from pose_estimation_ros.bench.frame_account import AT_30_FPS, account
from pose_estimation_ros.bench.graph_session import (
    Watcher,
    exit_reason,
    output_to,
    paced_timeout_s,
    write_params_file,
)
from pose_estimation_ros.bench.pose_bench import read_frames
from pose_estimation_ros.bench.stats import summary_ms
from pose_estimation_ros.core.assets import resolve
from pose_estimation_ros.nodes.camera_node import PARAMS as CAMERA_PARAMS
from pose_estimation_ros.nodes.image_conversions import bgr_to_image_msg
from pose_estimation_ros.nodes.image_transports import TRANSPORTS, jpeg_msg
from pose_estimation_ros.nodes.transport import use_large_frame_transports
from pose_estimation_ros.runner.commands import graph_commands
from pose_estimation_ros.runner.supervisor import Supervisor

FPS = 30.0
SINK_PORT = 47900  # on the game host's own address: nothing else lives in that namespace
HOST_OF = {graph.CAMERA: "camera", graph.POSE: "pose", graph.BRIDGE: "pose"}
SIZE_FRAMES = 30  # frames serialized here for the message sizes
READY_S = 60.0  # the watcher must be subscribed by then
WATCHER = "watcher (game host)"  # its exit code's name among the nodes'
JPEG_QUALITY = next(p.default for p in CAMERA_PARAMS if p.name == "jpeg_quality")


def message_bytes(frames: int = SIZE_FRAMES) -> dict[str, float]:
    """Mean serialized bytes per frame of vtest.avi as ``sensor_msgs/Image`` and JPEG."""
    header = Header(frame_id="camera_optical_frame")
    sizes: dict[str, list[int]] = {"raw": [], "compressed": []}
    for image in read_frames(frames, None):
        sizes["raw"].append(len(serialize_message(bgr_to_image_msg(image, header))))
        jpeg = jpeg_msg(header, image, "bgr8", JPEG_QUALITY)
        sizes["compressed"].append(len(serialize_message(jpeg)))
    return {name: sum(values) / len(values) for name, values in sizes.items()}


def measure_transport(model: str, frames: int, warmup: int, output: Path) -> dict[str, Any]:
    """Both transports between two namespaces, or ``{"skipped": why}`` where none can be made."""
    usable, why = netns.available()
    if not usable:
        print(f"transport section skipped: {why}", flush=True)
        return {"skipped": why}
    netns.remove_leftovers()
    results: dict[str, Any] = {
        "model": model,
        "source_fps": FPS,
        "frames": frames,
        "jpeg_quality": JPEG_QUALITY,
        "message_bytes": message_bytes(),
        "runs": {},
    }
    with netns.Lan.create() as lan:
        for transport in TRANSPORTS:
            print(
                f"transport {transport}: camera and pose node on two namespaces, "
                f"{FPS:g} fps, {warmup} + {frames} frames",
                flush=True,
            )
            run = transport_run(lan, model, transport, frames, warmup, output)
            for line in run["lost"]:
                print(f"!!! transport {transport}: {line}", flush=True)
            results["runs"][transport] = run
    return results


def transport_run(
    lan: netns.Lan, model: str, transport: str, frames: int, warmup: int, output: Path
) -> dict[str, Any]:
    """One run with ``image_transport: transport``; the figures, or what it lost."""
    stem = output.resolve() / f"transport-{transport}"
    params = write_params_file(
        stem.with_suffix(".params.yaml"), {"fps": FPS, "max_frames_in_flight": 0, "loop": True}
    )
    game = lan["game"]
    arguments = {
        "source": str(resolve("vtest_video")),
        "model": model,
        "backend": "openvino",
        "host": game.address,
        "port": str(SINK_PORT),
        "params_file": str(params),
    }
    extra = {graph.CAMERA: {"wait_for_readers": 1}, graph.POSE: {"image_transport": transport}}
    commands = {
        name: lan[HOST_OF[name]].command(argv)
        for name, argv in graph_commands(arguments, extra).items()
    }
    record, ready, stop = (stem.with_suffix(s) for s in (".json", ".ready", ".stop"))
    for path in (record, ready, stop):
        path.unlink(missing_ok=True)
    timeout_s = paced_timeout_s(warmup + frames, FPS)
    watch = [sys.executable, "-m", __name__, "--watch", str(stem), "--frames",
             str(warmup + frames), "--warmup", str(warmup),
             "--timeout", str(timeout_s)]  # fmt: skip
    supervisor = Supervisor(commands)
    with output_to(stem.with_suffix(".log")):
        watcher = subprocess.Popen(game.command(watch))
    try:
        waited = time.monotonic() + READY_S
        while not ready.exists() and watcher.poll() is None and time.monotonic() < waited:
            time.sleep(0.1)
        before = lan["camera"].counters()
        with output_to(stem.with_suffix(".log")):
            for name in commands:
                supervisor.start(name)
        while watcher.poll() is None:
            why = exit_reason(supervisor)
            if why and not stop.exists():
                stop.write_text(why)
            time.sleep(0.1)
        sent = lan["camera"].counters() - before
    finally:
        codes = supervisor.stop()
        if watcher.poll() is None:
            watcher.send_signal(signal.SIGINT)
            watcher.wait(timeout=10.0)
    codes[WATCHER] = watcher.returncode
    return transport_figures(record, warmup, sent.tx_bytes, codes)


def transport_figures(
    record: Path, warmup: int, sent_bytes: int, codes: dict[str, int]
) -> dict[str, Any]:
    """Figures of one transport run from the watcher's record (none when it lost frames)."""
    if not record.exists():
        missing = f"the watcher wrote no {record.name} (see {record.with_suffix('.log').name})"
        return {"lost": [missing], "exit_codes": codes}
    seen = json.loads(record.read_text())
    stop = seen["stop"]
    tally = account(AT_30_FPS, seen["stamps"], warmup, not stop, stop)
    published = len(seen["stamps"]["published"])
    latencies = seen["latency_ms"][warmup:] if tally.ok else []
    return {
        "frame_account": tally.as_dict(),
        "lost": [] if tally.ok else [tally.report()],
        "published": published,
        "delivered": len(seen["stamps"]["delivered"]),
        "camera_link_bytes_per_frame": sent_bytes / published if published else None,
        "capture_to_udp": summary_ms(latencies),
        "exit_codes": codes,
    }


def watch(stem: Path, frames: int, warmup: int, timeout_s: float) -> int:
    """On the game host: watch one run and write its stamps and latencies to ``stem``.json."""
    use_large_frame_transports("transport_watch")
    rclpy.init()
    watcher = Watcher(address=("0.0.0.0", SINK_PORT))
    stop_file = stem.with_suffix(".stop")

    def ended() -> str:  # the parent writes why when a node exits
        return stop_file.read_text() if stop_file.exists() else ""

    try:
        stem.with_suffix(".ready").touch()
        try:
            stop = watcher.wait(frames, AT_30_FPS, warmup, timeout_s, ended)
        except KeyboardInterrupt:
            stop = "interrupted"
    finally:
        watcher.close()
        rclpy.try_shutdown()
    record = {
        "stop": stop,
        "stamps": watcher.stamps(),
        "latency_ms": [f.latency_ms for f in watcher.sink.frames],
    }
    stem.with_suffix(".json").write_text(json.dumps(record))
    return 0


def main(argv: list[str] | None = None) -> int:
    """``--watch STEM``: the game host's side of one run (started by ``measure_transport``)."""
    parser = argparse.ArgumentParser(prog="transport_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--watch", type=Path, required=True, help="record path without suffix")
    parser.add_argument("--frames", type=int, required=True)
    parser.add_argument("--warmup", type=int, required=True)
    parser.add_argument("--timeout", type=float, required=True)
    args = parser.parse_args(argv)
    return watch(args.watch, args.frames, args.warmup, args.timeout)


if __name__ == "__main__":
    raise SystemExit(main())
