"""``make bench``: the whole graph against the seed tutorials' loop, in one run.

``python -m pose_estimation_ros.bench.graph_bench [--frames N] [--skip-openpose] [--output DIR]``

For MoveNet Lightning (int8, OpenVINO, f32 hint: pose_node's defaults) and
OpenPose (hpe-0001), on vtest.avi:

1. baseline: the seed loop in one process and one thread (the runtime on one
   thread too), frames/s; and the same loop with OpenVINO's default threads
   (every core), as a second reference;
2. graph, camera at ``fps: 0`` and ``max_frames_in_flight: 2`` (as fast as the
   pose node answers, nothing dropped): camera, pose and UDP bridge nodes as
   separate processes over DDS, started as ``make run`` starts them; frames/s
   of datagrams out of the bridge over a steady window, and the ratios; then
   the same with the camera unpaced (``fps: 0`` alone: most frames dropped);
3. graph, camera paced at 30 fps: capture stamp to datagram arrival; then a
   shorter run with a reader of ``image_raw`` in this process, for the
   capture-to-image time (the DDS hop; a second reader slows the camera, so it
   is not part of the latency run);
4. per-stage split measured in this process (see ``stage_split``);

then the MoveNet accuracy block, and the transport section (``transport_bench``:
camera and pose node on two network namespaces, raw and JPEG images) unless
``--skip-transport``. Prints a table and writes ``results.json``, ``chart.png``
and each graph run's node log into ``--output``.

A graph run that lost frames (``frame_account``: the camera paced by the pose
node must deliver every frame, the unpaced camera every pose, the 30 fps runs
99 % of the frames published after warm-up) gives no figure: the table says
what was lost, the JSON holds the account instead of the figures, and the
exit status is 1 once every section has run.
"""

from __future__ import annotations

import argparse
import socket
import time
from math import nan
from pathlib import Path
from typing import Any

import rclpy

from pose_estimation_ros.bench.accuracy import media_root, movenet_accuracy
from pose_estimation_ros.bench.baseline_loop import run_baseline
from pose_estimation_ros.bench.chart import draw_chart
from pose_estimation_ros.bench.frame_account import AT_30_FPS, EVERY_FRAME, EVERY_POSE, LossRule
from pose_estimation_ros.bench.graph_session import (
    GraphRun,
    output_to,
    paced_timeout_s,
    run_graph,
)
from pose_estimation_ros.bench.openpose_loop import run_openpose_baseline
from pose_estimation_ros.bench.pose_bench import read_frames
from pose_estimation_ros.bench.machine import busy_share, describe, snapshot
from pose_estimation_ros.bench.report import GOAL_P95_MS, STAGE_ROWS, format_table, write_json
from pose_estimation_ros.bench.stage_split import bridge_ms, camera_publish_ms, pose_stages_ms
from pose_estimation_ros.bench.stats import median_field, ratio, steady_rate, summary_ms
from pose_estimation_ros.bench.transport_bench import measure_transport
from pose_estimation_ros.core import domain_lock
from pose_estimation_ros.core.assets import resolve
from pose_estimation_ros.nodes.transport import use_large_frame_transports

MOVENET = "movenet_lightning"
MOVENET_ASSET = "movenet_lightning_int8"  # pose_node's default precision
OPENPOSE = "openpose_hpe0001"
PACED_FPS = 30.0
IN_FLIGHT = 2  # camera frames ahead of the pose node in the throughput run
THROUGHPUT_CAMERA = {"fps": 0.0, "max_frames_in_flight": IN_FLIGHT}
UNPACED_CAMERA = {"fps": 0.0, "max_frames_in_flight": 0}
LATENCY_CAMERA = {"fps": PACED_FPS, "max_frames_in_flight": 0}
IMAGE_PROBE_FRAMES = 100
BRIDGE_REPEATS = 500
# What each run must deliver (bench.frame_account): the paced camera drops nothing by design.
RULES = {"graph": EVERY_FRAME, "graph_unpaced": EVERY_POSE}


def baseline(model: str, frames: int, sink: socket.socket, threads: int) -> dict[str, Any]:
    """Frames/s of the seed-style single loop for ``model`` on vtest.avi."""
    video, address = resolve("vtest_video"), sink.getsockname()
    if model == MOVENET:
        result = run_baseline(video, resolve(MOVENET_ASSET), address, frames, threads)
    else:
        result = run_openpose_baseline(video, model, address, frames, threads)
    return {
        "threads": threads,
        "frames": result.frames,
        "seconds": result.seconds,
        "fps": result.fps,
    }


def throughput(
    model: str,
    camera: dict[str, Any],
    frames: int,
    warmup: int,
    log: Path,
    bases: list[float],
    rule: LossRule,
) -> dict[str, Any]:
    """Steady frames/s out of the bridge with ``camera``, and its ratio to each baseline.

    A run that lost frames gives no figures: ``fps`` and the ratios are NaN (null in JSON).
    """
    run = run_graph(model, resolve("vtest_video"), camera, warmup + frames, log, rule, warmup)
    fps = steady_rate([f.arrival_s for f in run.frames], warmup) if run.ok else nan
    return {
        "camera": camera,
        "frames": max(len(run.frames) - warmup, 0),
        "fps": fps,
        "ratio": ratio(fps, bases[0]),
        "ratio_all_threads": ratio(fps, bases[1]),
        "frame_account": run.account.as_dict(),
        "lost": run.loss_reports(),
        "pose_node": pose_node_figures(run),
        "exit_codes": run.exit_codes,
    }


def pose_node_figures(run: GraphRun) -> dict[str, float]:
    """Pose node's own /diagnostics: rates and time medians (first two periods left out), drops."""
    keys = ("input_rate_hz", "output_rate_hz", "inference_ms_mean")
    figures = {key: median_field(run.pose_diagnostics, key, skip=2) for key in keys}
    figures["dropped_frames_total"] = median_field(
        run.pose_diagnostics[-1:], "dropped_frames_total"
    )
    return figures


def stages(model: str, frames: int, warmup: int, people: int, node, log: Path) -> dict[str, float]:
    """Median ms per stage (warm-up frames left out); DDS hop is filled in by the caller."""
    images = read_frames(frames + warmup, None)
    split = pose_stages_ms(model, images, node)
    medians = {stage: summary_ms(times[warmup:])["p50"] for stage, times in split.items()}
    with output_to(log):  # the bridge node logs its start and stop
        bridge = bridge_ms(people, BRIDGE_REPEATS)
    return {
        "camera publish": summary_ms(camera_publish_ms(node, images)[warmup:])["p50"],
        **medians,
        "bridge": bridge,
    }


def measure_model(
    model: str, frames: int, args: argparse.Namespace, node, sink: socket.socket
) -> dict[str, Any]:
    """Baselines, graph throughput, graph latency at 30 fps and the stage split for ``model``."""
    video, warmup, output = resolve("vtest_video"), args.warmup, args.output
    print(f"{model}: baseline loop, one thread, then all threads, {frames} frames", flush=True)
    base = baseline(model, frames, sink, threads=1)
    base_all = baseline(model, frames, sink, threads=0)
    bases = [base["fps"], base_all["fps"]]
    runs = {"graph": THROUGHPUT_CAMERA, "graph_unpaced": UNPACED_CAMERA}
    results: dict[str, Any] = {"baseline": base, "baseline_all_threads": base_all}
    for key, camera in runs.items():
        print(f"{model}: {key}, camera {camera}, {warmup} + {frames} frames", flush=True)
        log = output / f"{model}-{key}.log"
        results[key] = throughput(model, camera, frames, warmup, log, bases, RULES[key])
        print_losses(model, key, results[key]["lost"])
    paced_frames = args.latency_frames
    what = f"graph, camera at {PACED_FPS:g} fps, {warmup} + {paced_frames} frames"
    print(f"{model}: {what}", flush=True)
    paced = run_graph(
        model,
        video,
        LATENCY_CAMERA,
        warmup + paced_frames,
        output / f"{model}-fps30.log",
        AT_30_FPS,
        warmup,
        timeout_s=paced_timeout_s(warmup + paced_frames, PACED_FPS),
    )
    print_losses(model, "latency", paced.loss_reports())
    latencies = [f.latency_ms for f in paced.frames[warmup:]] if paced.ok else []
    people = round(summary_ms([f.people for f in paced.frames[warmup:]])["p50"] or 0)
    print(
        f"{model}: image_raw reader at {PACED_FPS:g} fps, {IMAGE_PROBE_FRAMES} frames", flush=True
    )
    probed = run_graph(
        model,
        video,
        LATENCY_CAMERA,
        warmup + IMAGE_PROBE_FRAMES,
        output / f"{model}-image-probe.log",
        AT_30_FPS,
        warmup,
        probe_images=True,
        timeout_s=paced_timeout_s(warmup + IMAGE_PROBE_FRAMES, PACED_FPS),
    )
    print_losses(model, "image probe", probed.loss_reports())
    to_image = summary_ms(probed.image_latency_ms[warmup:] if probed.ok else [])
    print(f"{model}: stage split in this process", flush=True)
    split = stages(model, min(frames, 100), warmup, people, node, output / f"{model}-split.log")
    split["DDS hop"] = to_image["p50"] - split["camera publish"] - split["receive"]
    results["latency"] = {
        "source_fps": PACED_FPS,
        "capture_to_udp": summary_ms(latencies),
        "capture_to_image": to_image,
        "graph_fps": steady_rate([f.arrival_s for f in paced.frames], warmup) if paced.ok else nan,
        "people_median": people,
        "pose_node": pose_node_figures(paced),
        "exit_codes": {
            **paced.exit_codes,
            **{f"probe {k}": v for k, v in probed.exit_codes.items()},
        },
        "frame_account": paced.account.as_dict(),
        "probe_frame_account": probed.account.as_dict(),
        "probe_image_account": probed.image_account.as_dict(),
        "lost": paced.loss_reports(),
        "probe_lost": probed.loss_reports(),
        "samples_ms": [round(v, 3) for v in latencies],
    }
    results["stages_ms"] = split
    return results


def print_losses(model: str, run: str, reports: list[str]) -> None:
    """Say loudly, at once, that a run lost frames (the table says it again)."""
    for line in reports:
        print(f"!!! {model} {run}: {line}", flush=True)


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="graph_bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--frames", type=int, default=1500, help="MoveNet frames per throughput measurement"
    )
    parser.add_argument(
        "--openpose-frames", type=int, default=400, help="the same for OpenPose"
    )
    parser.add_argument(
        "--latency-frames", type=int, default=300, help="frames per latency run at 30 fps"
    )
    parser.add_argument("--warmup", type=int, default=100, help="frames left out at each start")
    parser.add_argument("--skip-openpose", action="store_true", help="MoveNet only")
    parser.add_argument(
        "--skip-transport",
        action="store_true",
        help="leave out the two-namespace raw / compressed transport section",
    )
    parser.add_argument(
        "--transport-frames", type=int, default=300, help="frames per transport run at 30 fps"
    )
    parser.add_argument("--output", type=Path, default=Path("bench-results"))
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Measure, print the table, write the JSON and the chart."""
    args = parse_arguments(argv)
    args.output.mkdir(parents=True, exist_ok=True)
    domain_lock.use_free_domain()  # held until the bench exits
    results: dict[str, Any] = {
        "machine": describe(),
        "settings": {
            "warmup": args.warmup,
            "paced_fps": PACED_FPS,
            "max_frames_in_flight": IN_FLIGHT,
            "latency_frames": args.latency_frames,
            "video": "vtest.avi",
        },
        "models": {},
    }
    plan = {MOVENET: args.frames} | (
        {} if args.skip_openpose else {OPENPOSE: args.openpose_frames}
    )
    started, cpu_start = time.monotonic(), snapshot()
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(("127.0.0.1", 0))
    use_large_frame_transports("graph_bench")
    rclpy.init()
    node = rclpy.create_node("graph_bench")
    try:
        for model, frames in plan.items():
            results["models"][model] = measure_model(model, frames, args, node, sink)
            results["settings"][f"{model}_frames"] = frames
        print("accuracy block", flush=True)
        results["accuracy"] = movenet_accuracy(media_root())
        if not args.skip_transport:
            results["transport"] = measure_transport(
                MOVENET, args.transport_frames, args.warmup, args.output
            )
    finally:
        node.destroy_node()
        rclpy.try_shutdown()
        sink.close()
    results["seconds"] = round(time.monotonic() - started, 1)
    results["machine"].update(busy_share(cpu_start, snapshot()))
    print()
    print(format_table(results))
    json_path = write_json(results, args.output / "results.json")
    chart = draw_chart(
        {m: {s: r["stages_ms"][s] for s in STAGE_ROWS} for m, r in results["models"].items()},
        {m: r["latency"]["samples_ms"] for m, r in results["models"].items()},
        args.output / "chart.png",
        GOAL_P95_MS,
    )
    print(f"\nwrote {json_path} and {chart}; node logs in {args.output}/")
    failures = lossy_runs(results)
    for line in failures:
        print(f"!!! {line}")
    return 1 if failures else 0


def lossy_runs(results: dict[str, Any]) -> list[str]:
    """One line per graph run that lost frames, over every section (empty: none did)."""
    lines = []
    for model, figures in results["models"].items():
        for run in ("graph", "graph_unpaced"):
            lines += [f"{model} {run}: {r}" for r in figures[run].get("lost", [])]
        latency = figures["latency"]
        lines += [f"{model} latency: {r}" for r in latency.get("lost", [])]
        lines += [f"{model} image probe: {r}" for r in latency.get("probe_lost", [])]
    for transport, run in results.get("transport", {}).get("runs", {}).items():
        lines += [f"transport {transport}: {r}" for r in run.get("lost", [])]
    return lines


if __name__ == "__main__":
    raise SystemExit(main())
