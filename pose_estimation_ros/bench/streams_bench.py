"""``make bench ARGS="--streams 1,2,4,6,8"``: how many 30 fps cameras pose nodes keep up with.

``python -m pose_estimation_ros.bench.streams_bench [--streams 1,2,4,6,8] [--seconds 20]``

For each N, N ``camera_node`` processes (namespaces ``/cam1`` ... ``/camN``),
each at 30 fps on its own copy of vtest.avi (separate files, as separate
cameras would be: no page cache shared), looping, started ``STAGGER_S`` apart
once the pose side reads their ``image_raw``, are served two ways in turn:

- ``one_node``: one ``pose_node`` with ``cameras: [cam1, ..., camN]`` (it reads
  ``camK/image_raw`` and publishes ``camK/poses``, inference shared): the
  graph ``make run sources:=[...]`` starts (``graph.instances``);
- ``node_per_camera``: N ``pose_node`` processes, one in each ``/camK``.

MoveNet Lightning on OpenVINO, the nodes otherwise with the installed params
file, each started with ``runner.commands.node_command`` as ``make run``
starts it. No UDP bridge runs: poses are read on DDS by a probe in this process,
which subscribes each ``/camK/camera_info`` (one per frame published, with the
image's stamp) and ``/camK/poses`` (reliable, deep queues). The probe shares
the two cores it measures, so it reads its queues in batches, every
``BATCH_S``, and takes each pose's arrival time from DDS (the reception time
in its ``MessageInfo``), not from when it gets round to it: woken for each of
the 360 messages a second of six cameras, it took a fifth of a core from the
nodes. Once every stream has delivered a pose, ``warmup_s`` pass, then
``seconds`` are measured: per stream the frames with capture stamps in that
interval and the share of them answered (``processed_pct``), capture-to-pose
latency (DDS reception here minus capture stamp, system clock) p50/p95; CPU
percent of all the node processes (their CPU time over the interval's wall
time, x100) and their resident memory at its end, and the probe's own CPU
percent (``probe_cpu_percent``, the whole benchmark process). ``max_streams``
per way is the largest N whose every stream got >= 99 % of its frames with
p95 <= 50 ms (``streams_report``).

A process that ends early, a stream that delivers nothing, a node that does
not exit 0 on SIGINT: the run is a problem, printed as a ``!!!`` line, kept
in the JSON's ``problems``, and the exit status is 1. A way whose run
delivered nothing at all is not run again at larger N. Writes
``streams.json``, ``streams.png`` and each run's node log into ``--output``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from math import nan
from pathlib import Path
from typing import Any

import psutil
import rclpy
from rclpy.context import Context
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node
from rclpy.subscription import MessageInfo
from sensor_msgs.msg import CameraInfo

from pose_estimation_ros import graph
from pose_estimation_ros.bench.graph_session import COUNTING_QOS, exit_reason, output_to
from pose_estimation_ros.bench.machine import busy_share, describe, snapshot
from pose_estimation_ros.bench.report import write_json
from pose_estimation_ros.bench.streams_report import (
    WAYS,
    draw_streams_chart,
    format_table,
    goal,
    max_streams,
    run_summary,
    stream_figures,
)
from pose_estimation_ros.core import domain_lock
from pose_estimation_ros.core.assets import resolve
from pose_estimation_ros.msg import PoseArray
from pose_estimation_ros.nodes.raw_cdr import header_stamp_ns
from pose_estimation_ros.nodes.transport import use_large_frame_transports
from pose_estimation_ros.runner.commands import node_command
from pose_estimation_ros.runner.supervisor import Supervisor

FPS = 30.0
SECONDS = 20.0  # measured per run
WARMUP_S = 5.0  # after every stream has started, left out
POSE_ARGUMENTS = {"model": "movenet_lightning", "backend": "openvino"}
CAMERA = {"fps": FPS, "loop": True, "max_frames_in_flight": 0}  # over the graph's own
STAGGER_S = 0.1  # between camera starts
POSES_S = 30.0  # every stream's first pose must come within this of the cameras' start
GRACE_S = 1.0  # answers to the last frames of the interval may still be on their way
POLL_S = 0.1
MB = 1 << 20
BATCH_S = 0.1  # the probe reads its queues this often (COUNTING_QOS holds 1000 per topic)
# Each read of a batch waits this long at most for a subscription to show ready: Fast DDS's wait
# set with no timeout at all reports a subscription once per new sample's arrival, so a batch read
# with it takes one message per topic (measured: 34 of 174); 1 ms reads them all.
READ_WAIT_S = 0.001


class RunFailed(Exception):
    """A run that cannot give figures: the message says why."""


def ready_s(streams: int) -> float:
    """Start-up allowance of the pose side (models load and compile, one per node at worst)."""
    return 60.0 + 15.0 * streams


def way_commands(way: str, videos: Sequence[Path]) -> tuple[list[str], dict[str, list[str]]]:
    """Pose-side process names and argv of every process, by label, for ``videos`` served ``way``.

    ``one_node`` is the graph of ``make run sources:=[...]`` without the bridge
    (``graph.instances``); ``node_per_camera`` has its pose node in each camera's namespace.
    """
    arguments = {**graph.defaults(), **POSE_ARGUMENTS, "use_bridge": "false"}
    arguments["sources"] = json.dumps([str(video) for video in videos])
    instances = graph.instances(arguments)
    cameras = [instance for instance in instances if instance.is_camera]
    pose = [instance for instance in instances if not instance.is_camera]
    if way == "node_per_camera":
        own = {k: v for k, v in pose[0].parameters.items() if k != "cameras"}
        pose = [graph.NodeInstance(pose[0].spec, c.namespace, own) for c in cameras]
    commands = {i.label: node_command(i, arguments) for i in pose}
    commands |= {c.label: node_command(c, arguments, CAMERA) for c in cameras}
    return [i.label for i in pose], commands


class StreamProbe(Node):
    """Stamps of every camera's ``camera_info`` and (stamp, reception ns) of its ``poses``."""

    def __init__(self, context: Context, name: str, cameras: Sequence[str]) -> None:
        """Subscribe to ``/<camera>/camera_info`` and ``/<camera>/poses`` of each camera."""
        super().__init__(name, context=context)  # a name per run: rosout keys loggers by it
        self.published: dict[str, list[int]] = {camera: [] for camera in cameras}
        self.poses: dict[str, list[tuple[int, int]]] = {camera: [] for camera in cameras}
        self.taken = 0  # messages of either kind
        self.unstamped = 0  # poses the middleware gave no reception time
        for camera in cameras:
            info, poses = partial(self._on_info, camera), partial(self._on_poses, camera)
            topic = f"/{camera}/camera_info"
            self.create_subscription(CameraInfo, topic, info, COUNTING_QOS, raw=True)
            self.create_subscription(PoseArray, f"/{camera}/poses", poses, COUNTING_QOS, raw=True)

    def _on_info(self, camera: str, serialized: bytes) -> None:
        self.taken += 1
        self.published[camera].append(header_stamp_ns(serialized, CameraInfo))

    def _on_poses(self, camera: str, serialized: bytes, info: MessageInfo) -> None:
        self.taken += 1
        received = info.get("received_timestamp", 0)
        if not received:
            self.unstamped += 1
            return
        self.poses[camera].append((header_stamp_ns(serialized, PoseArray), received))

    def read_in_batches(self, executor: SingleThreadedExecutor, reading: threading.Event) -> None:
        """Every ``BATCH_S`` while ``reading`` is set, take every message waiting."""
        while reading.is_set():
            time.sleep(BATCH_S)
            before = -1
            while before != self.taken and reading.is_set():
                before = self.taken
                executor.spin_once(timeout_sec=READ_WAIT_S)

    def unread(self) -> list[str]:
        """Cameras whose ``image_raw`` nobody subscribes to yet."""
        return [c for c in self.poses if not self.count_subscribers(f"/{c}/image_raw")]

    def silent(self) -> list[str]:
        """Cameras with no pose received yet."""
        return [camera for camera, poses in self.poses.items() if not poses]


def watch(
    supervisor: Supervisor, seconds: float, pending: Callable[[], list[str]] | None = None
) -> list[str]:
    """Wait ``seconds`` or until nothing is ``pending``; return what still is.

    ``RunFailed`` as soon as a process has ended.
    """
    deadline = time.monotonic() + seconds
    while True:
        why = exit_reason(supervisor)
        if why:
            raise RunFailed(why)
        left = pending() if pending else ["time"]
        if not left or time.monotonic() >= deadline:
            return left if pending else []
        time.sleep(POLL_S)


USAGE_KEYS = ("cpu_percent", "rss_mb", "pose_cpu_percent", "pose_rss_mb", "probe_cpu_percent")


def cpu_seconds(processes: Mapping[str, psutil.Process]) -> dict[str, float]:
    """User + system CPU seconds of each process so far."""
    return {name: sum(process.cpu_times()[:2]) for name, process in processes.items()}


def usage(
    processes: Mapping[str, psutil.Process], cpu_start: Mapping[str, float], wall_s: float
) -> dict[str, float]:
    """CPU percent since ``cpu_start`` and resident memory now: of all, and of the pose nodes."""
    cpu_end = cpu_seconds(processes)
    cpu = {name: 100.0 * (cpu_end[name] - cpu_start[name]) / wall_s for name in processes}
    rss = {name: process.memory_info().rss / MB for name, process in processes.items()}
    pose = [name for name in processes if name.endswith(graph.POSE)]
    return {
        "cpu_percent": sum(cpu.values()),
        "rss_mb": sum(rss.values()),
        "pose_cpu_percent": sum(cpu[name] for name in pose),
        "pose_rss_mb": sum(rss[name] for name in pose),
    }


class StreamsRun:
    """N cameras served one way: their processes, the probe that reads them, one log."""

    def __init__(self, way: str, videos: Mapping[str, Path], context: Context, log: Path) -> None:
        """Prepare the commands and subscribe; nothing starts before ``measure``."""
        self.cameras = list(videos)
        self._pose, commands = way_commands(way, list(videos.values()))
        self._camera = [name for name in commands if name not in self._pose]
        self.supervisor = Supervisor(commands)
        probe_name = f"streams_bench_{way}_{len(self.cameras)}"
        self.probe = StreamProbe(context, probe_name, self.cameras)
        self._executor = SingleThreadedExecutor(context=context)
        self._executor.add_node(self.probe)
        self._reading = threading.Event()
        self._reading.set()
        reader = partial(self.probe.read_in_batches, self._executor, self._reading)
        self._reader = threading.Thread(target=reader, daemon=True)
        self._reader.start()
        self._log = log

    def _start(self, name: str) -> None:
        with output_to(self._log):
            self.supervisor.start(name)

    def measure(self, warmup_s: float, seconds: float) -> tuple[int, int, dict[str, float]]:
        """Start the pose side, then the cameras; measure: interval start, end (ns), usage.

        ``RunFailed`` when a process ends or a stream does not start in time.
        """
        for name in self._pose:
            self._start(name)
        allowed_s = ready_s(len(self.cameras))
        unread = watch(self.supervisor, allowed_s, self.probe.unread)
        if unread:
            raise RunFailed(f"no pose node read {', '.join(unread)} within {allowed_s:g} s")
        for name in self._camera:
            self._start(name)
            time.sleep(STAGGER_S)
        silent = watch(self.supervisor, POSES_S, self.probe.silent)
        if silent:
            raise RunFailed(f"no pose from {', '.join(silent)} within {POSES_S:g} s")
        watch(self.supervisor, warmup_s)
        pids = self.supervisor.pids()
        processes = {name: psutil.Process(pid) for name, pid in pids.items()}
        probe = {"probe": psutil.Process()}  # this process: the probe and the polling
        start_ns, cpu_start = time.time_ns(), cpu_seconds(processes)
        probe_start = cpu_seconds(probe)
        watch(self.supervisor, seconds)
        end_ns = time.time_ns()
        wall_s = (end_ns - start_ns) / 1e9
        figures = usage(processes, cpu_start, wall_s)
        figures["probe_cpu_percent"] = usage(probe, probe_start, wall_s)["cpu_percent"]
        watch(self.supervisor, GRACE_S)
        return start_ns, end_ns, figures

    def close(self) -> dict[str, int]:
        """Stop every process (SIGINT, then harder), stop reading; the exit codes."""
        codes = self.supervisor.stop()
        self._reading.clear()
        self._reader.join()  # its last batch taken: nothing spins the executor being shut down
        self._executor.shutdown()
        self.probe.destroy_node()
        return codes


def measure_run(
    way: str,
    videos: Mapping[str, Path],
    warmup_s: float,
    seconds: float,
    log: Path,
    context: Context,
) -> dict[str, Any]:
    """One run's record: its summary, usage, per-stream figures, exit codes and problems."""
    run = StreamsRun(way, videos, context, log)
    start_ns, end_ns, figures, problems = 0, 0, dict.fromkeys(USAGE_KEYS, nan), []
    try:
        start_ns, end_ns, figures = run.measure(warmup_s, seconds)
    except (RunFailed, psutil.Error) as error:
        problems.append(str(error))
    finally:
        codes = run.close()
    probe = run.probe
    streams = {
        camera: stream_figures(probe.published[camera], probe.poses[camera], start_ns, end_ns)
        for camera in run.cameras
    }
    if probe.unstamped:
        problems.append(f"{probe.unstamped} poses came without a DDS reception time: not counted")
    if not problems:
        silent = [camera for camera, stream in streams.items() if not stream["processed"]]
        problems += [f"{camera}: no pose in the measured interval" for camera in silent]
    problems += [f"{name} exited with code {code}" for name, code in codes.items() if code]
    return {
        "streams": len(videos),
        **run_summary(streams),
        **figures,
        "problems": problems,
        "exit_codes": codes,
        "per_stream": streams,
        "delivered_any": any(probe.poses.values()),
    }


def skipped_run(streams: int, why: str) -> dict[str, Any]:
    """Record of a run left out: no figures, and why as its problem."""
    return {
        "streams": streams,
        **run_summary({}),
        **dict.fromkeys(USAGE_KEYS, nan),
        "problems": [f"not run: {why}"],
        "exit_codes": {},
        "per_stream": {},
        "delivered_any": False,
    }


def run_streams(
    counts: list[int],
    seconds: float,
    warmup_s: float,
    output: Path,
    ways: Sequence[str] = WAYS,
) -> dict[str, Any]:
    """Measure every way at every count of streams; print the table, write JSON and chart.

    Returns the results document; its ``problems`` are not empty when the results
    do not stand (the caller's exit status is then 1).
    """
    output.mkdir(parents=True, exist_ok=True)
    domain_lock.use_free_domain()  # held until the process exits
    use_large_frame_transports("streams_bench")
    results: dict[str, Any] = {
        "machine": describe(),
        "settings": {
            "counts": counts,
            "seconds": seconds,
            "warmup_s": warmup_s,
            "fps": FPS,
            "stagger_s": STAGGER_S,
            "video": "vtest.avi",
            **POSE_ARGUMENTS,
        },
        "ways": {way: {"runs": []} for way in ways},
    }
    started, cpu_start = time.monotonic(), snapshot()
    context = Context()
    rclpy.init(context=context)
    try:
        with tempfile.TemporaryDirectory(prefix="streams_bench_") as folder:
            videos = copy_videos(Path(folder), max(counts))
            for count in counts:
                cameras = {name: videos[name] for name in list(videos)[:count]}
                for way in ways:
                    runs = results["ways"][way]["runs"]
                    log = output / f"streams-{way}-{count}.log"
                    why = skip_reason(runs)
                    print(f"{way}: {count} stream(s) at {FPS:g} fps", flush=True)
                    run = (
                        skipped_run(count, why)
                        if why
                        else measure_run(way, cameras, warmup_s, seconds, log, context)
                    )
                    for problem in run["problems"]:
                        print(f"!!! {way} N={count}: {problem}", flush=True)
                    runs.append(run)
    finally:
        context.try_shutdown()
    for figures in results["ways"].values():
        figures["max_streams"] = max_streams(figures["runs"])
    results["goal"] = goal(results["ways"])
    results["problems"] = [
        f"{way} N={run['streams']}: {problem}"
        for way, figures in results["ways"].items()
        for run in figures["runs"]
        for problem in run["problems"]
    ]
    results["seconds"] = round(time.monotonic() - started, 1)
    results["machine"].update(busy_share(cpu_start, snapshot()))
    print(f"\n{format_table(results)}")
    json_path = write_json(results, output / "streams.json")
    chart = draw_streams_chart(results, output / "streams.png")
    print(f"\nwrote {json_path} and {chart}; node logs in {output}/streams-*.log")
    return results


def skip_reason(runs: Sequence[Mapping[str, Any]]) -> str:
    """Why a way is not run again: a smaller run of it delivered nothing ("" to run it)."""
    dead = [run["streams"] for run in runs if run["problems"] and not run["delivered_any"]]
    return f"at N={dead[0]} nothing was delivered" if dead else ""


def copy_videos(folder: Path, count: int) -> dict[str, Path]:
    """One copy of the sample video per camera in ``folder``, by camera name."""
    source = resolve("vtest_video")
    videos = {f"cam{k}": folder / f"cam{k}{source.suffix}" for k in range(1, count + 1)}
    for video in videos.values():
        shutil.copyfile(source, video)
    return videos


def parse_counts(text: str) -> list[int]:
    """Read ``1,2,4`` as distinct, ascending stream counts (an argparse ``type``)."""
    counts = sorted({int(value) for value in text.split(",") if value.strip()})
    if not counts or counts[0] < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give stream counts >= 1, e.g. 1,2,4,6,8")
    return counts


def main(argv: list[str] | None = None) -> int:
    """Measure, print the table, write the JSON and the chart; 1 when results do not stand."""
    parser = argparse.ArgumentParser(prog="streams_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=parse_counts, default=[1, 2, 4, 6, 8])
    parser.add_argument("--seconds", type=float, default=SECONDS, help="measured per run")
    parser.add_argument("--warmup-s", type=float, default=WARMUP_S, help="after the streams start")
    parser.add_argument("--ways", nargs="+", choices=WAYS, default=list(WAYS))
    parser.add_argument("--output", type=Path, default=Path("bench-results"))
    args = parser.parse_args(argv)
    results = run_streams(args.streams, args.seconds, args.warmup_s, args.output, args.ways)
    return 1 if results["problems"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
