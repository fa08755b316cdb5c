"""``make bench``: the whole graph against the seed tutorials' loop, in one run.

``python -m pose_estimation_ros.bench.graph_bench [--frames N] [--skip-openpose] [--output DIR]``

For MoveNet Lightning and OpenPose (hpe-0001), each with the options the
graph's pose node runs it with (``bench.node_options``: its defaults and the
installed params file; OpenVINO), on vtest.avi, looped by the camera and by
the seed loop alike:

1. throughput at two inference thread budgets (``bench.comparison``): at each,
   the seed loop in one process with the runtime on that many threads, and
   the graph (camera at ``fps: 0`` and ``max_frames_in_flight: 2``: as fast as
   the pose node answers, nothing dropped; camera, pose and UDP bridge nodes
   as separate processes over DDS, started as ``make run`` starts them) with
   the pose node's ``threads`` set to it. Both sides run ``--warmup`` frames,
   left out of their timing, then the same ``--frames``; the ratio is graph
   frames/s (datagrams out of the bridge) over the loop's. ``one_thread`` is
   the headline, ``all_threads`` (``threads: 0``, the node's default) stands
   beside it; then the graph with the camera unpaced (``fps: 0`` alone: most
   frames dropped), for reference;
2. graph, camera paced at 30 fps: capture stamp to datagram arrival; then a
   shorter run with a reader of ``image_raw`` in this process, for the
   capture-to-image time (the DDS hop; a second reader slows the camera, so it
   is not part of the latency run);
3. per-stage split timed in this process on the nodes' own code
   (``stage_split``);

then the MoveNet accuracy block, and the transport section (``transport_bench``:
camera and pose node on two network namespaces, raw and JPEG images) unless
``--skip-transport``. Prints a table and writes ``results.json``, ``chart.png``
and each graph run's node log into ``--output``.

A run that did not complete gives no figure (``bench.failures``): a graph run
that lost frames (``frame_account``: the camera paced by the pose node must
deliver every frame, the unpaced camera every pose, the 30 fps runs 99 % of
the frames published after warm-up) or stopped early (timeout, stall, a node
that ended), a node that did not exit 0 after the run, a missing figure. The
table says so in ``!!!`` lines, the JSON holds the account instead of the
figures, and the exit status is 1 once every section has run.
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
from pose_estimation_ros.bench.comparison import (
    BUDGETS,
    UNPACED,
    baseline_key,
    graph_key,
    ratios,
    threads_label,
)
from pose_estimation_ros.bench.failures import failures
from pose_estimation_ros.bench.frame_account import AT_30_FPS, EVERY_FRAME, EVERY_POSE, LossRule
from pose_estimation_ros.bench.graph_session import (
    GraphRun,
    output_to,
    paced_timeout_s,
    run_graph,
)
from pose_estimation_ros.bench.machine import busy_share, describe, snapshot
from pose_estimation_ros.bench.node_options import node_estimator, node_options
from pose_estimation_ros.bench.openpose_loop import run_openpose_baseline
from pose_estimation_ros.bench.pose_bench import read_frames
from pose_estimation_ros.bench.report import GOAL_P95_MS, STAGE_ROWS, format_table, write_json
from pose_estimation_ros.bench.stage_split import (
    CAMERA_PUBLISH,
    bridge_ms,
    camera_publish_ms,
    pose_stages_ms,
)
from pose_estimation_ros.bench.stats import median_field, ratio, steady_rate, summary_ms
from pose_estimation_ros.bench.streams_bench import (
    SECONDS,
    WARMUP_S,
    parse_counts,
    run_streams,
)
from pose_estimation_ros.bench.transport_bench import measure_transport
from pose_estimation_ros.core import domain_lock
from pose_estimation_ros.core.assets import resolve
from pose_estimation_ros.core.runtimes import bound_onednn_caches
from pose_estimation_ros.nodes.pose_diagnostics import (
    DROPPED_TOTAL,
    INFERENCE_MS_MEAN,
    INPUT_RATE,
    OUTPUT_RATE,
)
from pose_estimation_ros.nodes.transport import use_large_frame_transports

MOVENET = "movenet_lightning"
OPENPOSE = "openpose_hpe0001"
PACED_FPS = 30.0
IN_FLIGHT = 2  # camera frames ahead of the pose node in the throughput run
THROUGHPUT_CAMERA = {"fps": 0.0, "max_frames_in_flight": IN_FLIGHT}
UNPACED_CAMERA = {"fps": 0.0, "max_frames_in_flight": 0}
LATENCY_CAMERA = {"fps": PACED_FPS, "max_frames_in_flight": 0}
IMAGE_PROBE_FRAMES = 100
BRIDGE_REPEATS = 500
# What each run must deliver (bench.frame_account): the paced camera drops nothing by design.
RULES = {**{graph_key(budget): EVERY_FRAME for budget in BUDGETS}, UNPACED: EVERY_POSE}


def thread_budgets(model: str) -> dict[str, int]:
    """Inference threads of each budget: one, and the pose node's default for ``model``."""
    return {"one_thread": 1, "all_threads": node_options(model)["threads"]}


def baseline(
    model: str, frames: int, warmup: int, sink: socket.socket, threads: int
) -> dict[str, Any]:
    """Frames/s of the seed-style loop for ``model`` on vtest.avi, after ``warmup`` frames.

    A loop that fails (no frame, a runtime error) gives no figure: ``fps`` NaN and its error.
    """
    video, address = resolve("vtest_video"), sink.getsockname()
    loop = run_baseline if model == MOVENET else run_openpose_baseline
    try:
        estimator = node_estimator(model, backend="openvino", threads=threads)
        result = loop(video, estimator, address, frames, warmup)
    except RuntimeError as error:  # OpenVINO's errors are RuntimeErrors too
        print(f"!!! {model} seed loop at {threads} threads failed: {error}", flush=True)
        return {"threads": threads, "warmup": warmup, "fps": nan, "error": str(error)}
    return {
        "threads": threads,
        "frames": result.frames,
        "warmup": warmup,
        "seconds": result.seconds,
        "fps": result.fps,
    }


def throughput(
    model: str,
    camera: dict[str, Any],
    pose: dict[str, Any],
    frames: int,
    warmup: int,
    log: Path,
    rule: LossRule,
) -> dict[str, Any]:
    """Steady frames/s out of the bridge with ``camera`` and ``pose`` parameters.

    A run that lost frames gives no figures: ``fps`` is NaN (null in JSON).
    """
    video = resolve("vtest_video")
    run = run_graph(model, video, camera, warmup + frames, log, rule, warmup, pose=pose)
    fps = steady_rate([f.arrival_s for f in run.frames], warmup) if run.ok else nan
    return {
        "camera": camera,
        "pose": pose,
        "frames": max(len(run.frames) - warmup, 0),
        "warmup": warmup,
        "fps": fps,
        "frame_account": run.account.as_dict(),
        "lost": run.loss_reports(),
        "pose_node": pose_node_figures(run),
        "exit_codes": run.exit_codes,
    }


def pose_node_figures(run: GraphRun) -> dict[str, float]:
    """Pose node's own /diagnostics: rates and time medians (first two periods left out), drops."""
    keys = (INPUT_RATE, OUTPUT_RATE, INFERENCE_MS_MEAN)
    figures = {key: median_field(run.pose_diagnostics, key, skip=2) for key in keys}
    figures[DROPPED_TOTAL] = median_field(run.pose_diagnostics[-1:], DROPPED_TOTAL)
    return figures


def stages(model: str, frames: int, warmup: int, people: int, node, log: Path) -> dict[str, float]:
    """Median ms per stage (warm-up frames left out); DDS hop is filled in by the caller."""
    images = read_frames(frames + warmup, None)
    split = pose_stages_ms(model, images, node)
    medians = {stage: summary_ms(times[warmup:])["p50"] for stage, times in split.items()}
    with output_to(log):  # the bridge node logs its start and stop
        bridge = bridge_ms(people, BRIDGE_REPEATS)
    return {
        CAMERA_PUBLISH: summary_ms(camera_publish_ms(images)[warmup:])["p50"],
        **medians,
        "bridge": bridge,
    }


def measure_model(
    model: str, frames: int, args: argparse.Namespace, node, sink: socket.socket
) -> dict[str, Any]:
    """Baselines, graph throughput, graph latency at 30 fps and the stage split for ``model``."""
    video, warmup, output = resolve("vtest_video"), args.warmup, args.output
    budgets = thread_budgets(model)
    results: dict[str, Any] = {}
    for budget, threads in budgets.items():
        what = f"{threads_label(threads)}, {warmup} + {frames} frames"
        print(f"{model}: baseline loop, {what}", flush=True)
        results[baseline_key(budget)] = baseline(model, frames, warmup, sink, threads)
    runs = {graph_key(b): (THROUGHPUT_CAMERA, {"threads": n}) for b, n in budgets.items()}
    runs[UNPACED] = (UNPACED_CAMERA, {"threads": budgets["all_threads"]})
    for key, (camera, pose) in runs.items():
        print(f"{model}: {key}, camera {camera}, {warmup} + {frames} frames", flush=True)
        log = output / f"{model}-{key}.log"
        results[key] = throughput(model, camera, pose, frames, warmup, log, RULES[key])
        print_losses(model, key, results[key]["lost"])
    results["ratios"] = ratios(results)
    unpaced, base_all = results[UNPACED], results[baseline_key("all_threads")]
    unpaced["ratio"] = ratio(unpaced["fps"], base_all["fps"])  # same threads, camera unpaced
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
    split["DDS hop"] = to_image["p50"] - split[CAMERA_PUBLISH]  # probe reads in its callback
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
        "--frames",
        type=int,
        default=1200,
        help="MoveNet frames per throughput run after warm-up (each seed loop, each graph)",
    )
    parser.add_argument(
        "--openpose-frames", type=int, default=320, help="the same for OpenPose"
    )
    parser.add_argument(
        "--latency-frames", type=int, default=300, help="frames per latency run at 30 fps"
    )
    parser.add_argument(
        "--warmup", type=int, default=100, help="frames left out at each start (loop and graph)"
    )
    parser.add_argument("--skip-openpose", action="store_true", help="MoveNet only")
    parser.add_argument(
        "--skip-transport",
        action="store_true",
        help="leave out the two-namespace raw / compressed transport section",
    )
    parser.add_argument(
        "--transport-frames", type=int, default=300, help="frames per transport run at 30 fps"
    )
    parser.add_argument(
        "--streams",
        type=parse_counts,
        help="instead: N cameras (e.g. 1,2,4,6,8) through one pose node and through one pose "
        "node per camera (bench.streams_bench; writes streams.json)",
    )
    parser.add_argument("--output", type=Path, default=Path("bench-results"))
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Measure, print the table, write the JSON and the chart."""
    args = parse_arguments(argv)
    if args.streams:
        results = run_streams(args.streams, SECONDS, WARMUP_S, args.output)
        return 1 if results["problems"] else 0
    bound_onednn_caches()  # before OpenVINO compiles: bounded memory over many image sizes
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
            results["settings"][f"{model}_thread_budgets"] = thread_budgets(model)
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
    models = results["models"]
    chart = draw_chart(
        {m: {s: r["stages_ms"][s] for s in STAGE_ROWS} for m, r in models.items()},
        {m: r["latency"]["samples_ms"] for m, r in models.items()},
        args.output / "chart.png",
        GOAL_P95_MS,
        {
            m: {threads_label(cell["threads"]): cell["ratio"] for cell in r["ratios"].values()}
            for m, r in models.items()
        },
    )
    print(f"\nwrote {json_path} and {chart}; node logs in {args.output}/")
    return 1 if failures(results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
