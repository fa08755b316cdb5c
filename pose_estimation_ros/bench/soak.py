"""``make soak``: the whole graph on a looping video for an hour; memory, frames and errors.

``python -m pose_estimation_ros.bench.soak [--minutes 60] [--model NAME] [--fps 30]``

The camera, pose and UDP bridge nodes run as ``make run`` starts them
(``graph_session``), the camera looping ``vtest.avi`` (several walking people,
so tracking and smoothing work all the time) at ``--fps``. Every
``--sample-s`` the soak reads each node process's resident memory and the
frames counted so far; at the end it reports per process the memory after
warm-up, at the end, the peak and the growth (in all and per hour, least
squares over the samples after warm-up), and frames published, answered and
delivered, datagrams refused and the pose node's rejected and failed frames
(the totals of its last ``/diagnostics`` status).

Frames are counted here from the messages themselves (``frame_account``):
every ``camera_info`` published, every ``PoseArray``, every frame of
datagrams. A run is a failure, said loudly with exit status 1, when a node
exited, when it answered less than ``LOSS_RULE`` asks, when a datagram was
malformed, when a process grew more than ``--max-growth-mb``, when the pose
node rejected or failed a frame, or when its totals could not be read (no
status, or a total missing from it): an unread count is never taken for 0.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import psutil
import rclpy

from pose_estimation_ros import graph
from pose_estimation_ros.bench.frame_account import AT_30_FPS, account
from pose_estimation_ros.bench.graph_session import (
    POSE_STATUS,
    Watcher,
    output_to,
    write_params_file,
)
from pose_estimation_ros.bench.machine import busy_share, describe, snapshot
from pose_estimation_ros.bench.report import write_json
from pose_estimation_ros.core import domain_lock
from pose_estimation_ros.core.assets import resolve
from pose_estimation_ros.nodes.pose_diagnostics import (
    DROPPED_TOTAL,
    FAILED_TOTAL,
    LOST_TOTAL,
    RECEIVED_TOTAL,
    REJECTED_TOTAL,
)
from pose_estimation_ros.nodes.transport import use_large_frame_transports
from pose_estimation_ros.runner.commands import graph_commands
from pose_estimation_ros.runner.supervisor import Supervisor

MB = 1 << 20
LOSS_RULE = AT_30_FPS  # a paced camera: a late frame may be replaced by a newer one
WARMUP_FRAMES = 30  # the first second: discovery, left out of the frame account
# pose_node's /diagnostics totals in the report; FAILING ones fail the soak when not 0.
FAILING = (REJECTED_TOTAL, FAILED_TOTAL)
COUNTED = (RECEIVED_TOTAL, DROPPED_TOTAL, LOST_TOTAL, *FAILING)


@dataclass
class MemoryTrace:
    """Resident memory of one process over the run: (seconds since start, MB) samples."""

    samples: list[tuple[float, float]] = field(default_factory=list)

    def add(self, elapsed_s: float, pid: int) -> None:
        """Sample the resident memory of ``pid`` now (nothing when it has gone)."""
        try:
            self.samples.append((elapsed_s, psutil.Process(pid).memory_info().rss / MB))
        except psutil.Error:
            pass

    def summary(self, warmup_s: float) -> dict[str, float]:
        """MB after warm-up, at the end, the peak, the growth and the fitted growth per hour."""
        steady = [(t, mb) for t, mb in self.samples if t >= warmup_s] or self.samples[-1:]
        times, sizes = np.array(steady).T if steady else (np.zeros(1), np.zeros(1))
        per_hour = 0.0
        if len(steady) >= 3 and times[-1] > times[0]:
            per_hour = float(np.polyfit(times, sizes, 1)[0]) * 3600.0
        return {
            "after_warmup_mb": round(float(sizes[0]), 1),
            "end_mb": round(float(sizes[-1]), 1),
            "peak_mb": round(max((mb for _, mb in self.samples), default=0.0), 1),
            "growth_mb": round(float(sizes[-1] - sizes[0]), 1),
            "growth_mb_per_hour": round(per_hour, 1),
        }


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(prog="soak", description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0, help="length of the run")
    parser.add_argument("--model", default="movenet_lightning", help="pose_node model")
    parser.add_argument("--fps", type=float, default=30.0, help="camera rate (frames/s)")
    parser.add_argument("--sample-s", type=float, default=30.0, help="seconds between samples")
    parser.add_argument(
        "--warmup-s", type=float, default=120.0, help="left out of the growth (start-up)"
    )
    parser.add_argument(
        "--max-growth-mb", type=float, default=50.0, help="growth of a process that fails the run"
    )
    parser.add_argument("--output", type=Path, default=Path("bench-results"))
    return parser.parse_args(argv)


def start_graph(args: argparse.Namespace, watcher: Watcher) -> Supervisor:
    """Start camera, pose and bridge nodes as ``make run`` does, the camera looping."""
    params = write_params_file(
        args.output / "soak.params.yaml", {"fps": args.fps, "loop": True}
    )
    arguments = {
        "source": str(resolve("vtest_video")),
        "model": args.model,
        "host": "127.0.0.1",
        "port": str(watcher.sink.port),
        "params_file": str(params),
    }
    commands = graph_commands(arguments, {graph.CAMERA: {"wait_for_readers": 1}})
    supervisor = Supervisor(commands)
    with output_to(args.output / "soak.log"):
        for name in commands:
            supervisor.start(name)
    return supervisor


def report_progress(elapsed_s: float, watcher: Watcher, traces: dict[str, MemoryTrace]) -> None:
    """Print one progress line: frames so far and each process's memory."""
    stamps = watcher.stamps()
    memory = ", ".join(f"{n} {t.samples[-1][1]:.0f} MB" for n, t in traces.items() if t.samples)
    print(
        f"soak: {elapsed_s / 60:5.1f} min, frames published {len(stamps['published'])}, "
        f"delivered {len(stamps['delivered'])}; {memory}",
        flush=True,
    )


def soak(args: argparse.Namespace, watcher: Watcher, supervisor: Supervisor) -> dict[str, Any]:
    """Sample until the time is up or a node exits; return the figures."""
    traces = {name: MemoryTrace() for name in supervisor.pids()}
    started = time.monotonic()
    end = started + args.minutes * 60.0
    stop = ""
    while not stop:
        elapsed = time.monotonic() - started
        for name, pid in supervisor.pids().items():
            traces[name].add(elapsed, pid)
        report_progress(elapsed, watcher, traces)
        ended = supervisor.exited()
        if ended is not None:
            stop = f"{ended.name} exited with code {ended.code} after {elapsed / 60:.1f} min"
        elif time.monotonic() >= end:
            break
        else:
            time.sleep(min(args.sample_s, max(0.0, end - time.monotonic())))
    frames = account(LOSS_RULE, watcher.stamps(), WARMUP_FRAMES, complete=not stop, stop=stop)
    return {
        "minutes": round((time.monotonic() - started) / 60.0, 2),
        "stop": stop,
        "memory": {name: trace.summary(args.warmup_s) for name, trace in traces.items()},
        "frames": {**frames.counts, "window": frames.window, "answered": frames.delivered},
        "frames_ok": frames.ok,
        "malformed_datagrams": watcher.sink.malformed,
        "pose_node": pose_node_totals(watcher.probe.pose_diagnostics),
    }


def pose_node_totals(statuses: list[dict[str, str]]) -> dict[str, int] | None:
    """Return the ``COUNTED`` totals of the last pose node status (absent ones left out).

    ``None`` when no status arrived.
    """
    if not statuses:
        return None
    return {key: int(statuses[-1][key]) for key in COUNTED if key in statuses[-1]}


def problems(figures: dict[str, Any], max_growth_mb: float) -> list[str]:
    """One line per thing that went wrong (empty: the soak passed)."""
    lines = [f"a node stopped: {figures['stop']}"] if figures["stop"] else []
    frames = figures["frames"]
    if not figures["frames_ok"]:
        lines.append(
            f"frames lost: {frames['answered']} of {frames['window']} delivered "
            f"({LOSS_RULE.describe()} required)"
        )
    if figures["malformed_datagrams"]:
        lines.append(f"{figures['malformed_datagrams']} malformed datagrams from the bridge")
    lines += pose_node_problems(figures["pose_node"])
    for name, memory in figures["memory"].items():
        if memory["growth_mb"] > max_growth_mb:
            lines.append(f"{name} grew {memory['growth_mb']} MB (limit {max_growth_mb} MB)")
    return lines


def pose_node_problems(totals: dict[str, int] | None) -> list[str]:
    """Totals of ``FAILING`` that are not 0, or why the pose node's totals were not read."""
    if totals is None:
        return [f"no /diagnostics status {POSE_STATUS!r}: the pose node's totals were not read"]
    lines = [f"pose_node {key} = {totals[key]}" for key in FAILING if totals.get(key)]
    if absent := [key for key in COUNTED if key not in totals]:
        lines.append(f"pose_node's /diagnostics status lacks {', '.join(absent)}")
    return lines


def format_table(figures: dict[str, Any]) -> str:
    """Format the readable report."""
    lines = [
        f"soak: {figures['minutes']} min, {figures['model']} at {figures['fps']} fps",
        "| process | after warm-up MB | end MB | peak MB | growth MB | MB/hour (fit) |",
        "|---|---|---|---|---|---|",
    ]
    for name, m in figures["memory"].items():
        lines.append(
            f"| {name} | {m['after_warmup_mb']} | {m['end_mb']} | {m['peak_mb']} | "
            f"{m['growth_mb']} | {m['growth_mb_per_hour']} |"
        )
    frames = figures["frames"]
    lines.append(
        f"frames: published {frames['published']}, delivered {frames['delivered']} "
        f"({frames['answered']} of the {frames['window']} after warm-up); "
        f"malformed datagrams {figures['malformed_datagrams']}; pose_node "
        + _totals_text(figures["pose_node"])
    )
    return "\n".join(lines)


def _totals_text(totals: dict[str, int] | None) -> str:
    """Word the pose node's totals for the table, or that none were read."""
    if totals is None:
        return "no /diagnostics status"
    return ", ".join(f"{key} {value}" for key, value in totals.items())


def main(argv: list[str] | None = None) -> int:
    """Run the soak, print the table, write ``soak.json``; 1 when anything went wrong."""
    args = parse_arguments(argv)
    args.output.mkdir(parents=True, exist_ok=True)
    domain_lock.use_free_domain()
    use_large_frame_transports("soak")
    rclpy.init()
    cpu_start = snapshot()
    watcher = Watcher()
    supervisor = start_graph(args, watcher)
    try:
        figures = soak(args, watcher, supervisor)
    finally:
        exit_codes = supervisor.stop()
        watcher.close()
        rclpy.try_shutdown()
    figures.update(
        model=args.model,
        fps=args.fps,
        exit_codes=exit_codes,
        machine={**describe(), **busy_share(cpu_start, snapshot())},
    )
    failures = problems(figures, args.max_growth_mb)
    figures["problems"] = failures
    print()
    print(format_table(figures))
    path = write_json(figures, args.output / "soak.json")
    print(f"wrote {path}; node logs in {args.output / 'soak.log'}")
    for line in failures:
        print(f"!!! SOAK FAILED: {line}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
