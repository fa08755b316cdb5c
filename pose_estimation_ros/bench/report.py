"""The benchmark's readable table and its JSON file; ``main`` prints a written results file.

``python -m pose_estimation_ros.bench.report [bench-results/results.json]`` prints the
table again and exits 1 when the results do not stand (``bench.failures``), as the
benchmark itself did.
"""

from __future__ import annotations

import argparse
import json
from math import nan
from pathlib import Path
from typing import Any

from pose_estimation_ros.bench.comparison import (
    BUDGETS,
    UNPACED,
    baseline_key,
    graph_key,
    threads_label,
)
from pose_estimation_ros.bench.failures import failures, missing
from pose_estimation_ros.bench.stage_split import CAMERA_PUBLISH
from pose_estimation_ros.core.pose_pipeline import ESTIMATE_STAGES
from pose_estimation_ros.nodes.pose_diagnostics import INFERENCE_MS_MEAN, INPUT_RATE, OUTPUT_RATE
from pose_estimation_ros.nodes.pose_frame_handler import FRAME_STAGES

GOAL_RATIO = 1.2
GOAL_P95_MS = 12.0
STAGE_ROWS = (CAMERA_PUBLISH, "DDS hop", *FRAME_STAGES, "bridge")


LOSSY = "not met (run lost frames)"


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def _lost(run: dict[str, Any]) -> str:
    """Return the loss report of a run that lost frames, "" for one that did not."""
    return "; ".join(run.get("lost", []))


def _figure(value: Any, width: int, decimals: int = 1) -> str:
    """Right-align ``value`` in ``width`` characters; ``-`` when it is missing."""
    return f"{'-':>{width}s}" if missing(value) else f"{value:{width}.{decimals}f}"


def _throughput(models: dict[str, Any]) -> list[str]:
    lines = [
        f"{'throughput, vtest.avi (frames/s)':48s}{'seed loop':>10s}{'graph':>8s}{'ratio':>8s}"
        f"   goal >= {GOAL_RATIO}x",
        "  each row: the seed loop and the graph at the same inference thread budget,",
        "  the same frames after the same warm-up; graph: camera fps 0, paced by the pose node",
    ]
    for model, figures in models.items():
        for budget in BUDGETS:
            graph, cell = figures[graph_key(budget)], figures["ratios"][budget]
            label = f"{model}, {threads_label(cell['threads'])}"
            head = f"{label:48s}{_figure(cell['baseline_fps'], 10)}"
            if _lost(graph):
                lines += [f"{head}{'-':>8s}{'-':>8s}   {LOSSY}", f"  !!! {_lost(graph)}"]
            elif missing(cell["ratio"]):
                lines.append(f"{head}{_figure(graph['fps'], 8)}{'-':>8s}   !!! no ratio")
            else:
                ratio = cell["ratio"]
                lines.append(
                    f"{head}{graph['fps']:8.1f}{ratio:7.2f}x   {_verdict(ratio >= GOAL_RATIO)}"
                )
    lines.append("  for reference, graph with the camera unpaced, pose node's default threads:")
    for model, figures in models.items():
        unpaced = figures[UNPACED]
        loop = threads_label(figures[baseline_key("all_threads")]["threads"])
        without = (
            f"LOST frames: {_lost(unpaced)}"
            if _lost(unpaced)
            else f"{_figure(unpaced['fps'], 0)} ({_figure(unpaced.get('ratio'), 0, 2)}x the"
            f" seed loop on {loop})"
        )
        lines.append(f"  {model}: {without}")
    return lines


def _pose_node(models: dict[str, Any]) -> list[str]:
    lines = [
        "pose_node's own /diagnostics during the graph runs (medians from the third period on;"
        " - for a run too short: for reading, not a verdict)"
    ]
    for model, figures in models.items():
        alone = sum(figures["stages_ms"].get(s, nan) for s in ESTIMATE_STAGES)
        labels = {
            **{
                graph_key(b): f"paced, threads {figures[graph_key(b)]['pose']['threads']}"
                for b in BUDGETS
            },
            UNPACED: "unpaced",
            "latency": "30 fps",
        }
        for run, label in labels.items():
            node = figures[run].get("pose_node", {})
            lines.append(
                f"  {model}, camera {label:16s}: images in "
                f"{_figure(node.get(INPUT_RATE), 6)}/s, poses out "
                f"{_figure(node.get(OUTPUT_RATE), 5)}/s, estimate() in the node "
                f"{_figure(node.get(INFERENCE_MS_MEAN), 6, 2)} ms (alone: {alone:.2f} ms)"
            )
    return lines


def _latency(models: dict[str, Any]) -> list[str]:
    lines = [f"{'latency, vtest.avi at 30 fps (ms)':44s}{'p50':>8s}{'p95':>8s}{'frames':>8s}"]
    labels = {"capture_to_udp": "-> UDP datagram", "capture_to_image": "-> image_raw reader"}
    for model, figures in models.items():
        latency = figures["latency"]
        lost = {"capture_to_udp": _lost(latency), "capture_to_image": _lost(
            {"lost": latency.get("probe_lost", [])}
        )}  # fmt: skip
        for key, label in labels.items():
            cell, name = latency[key], f"{model} capture {label}"
            if lost[key]:
                goal = f"   goal p95 <= {GOAL_P95_MS:g}: {LOSSY}"
                goal = goal if key == "capture_to_udp" else ""
                lines.append(f"{name:44s}{'-':>8s}{'-':>8s}{'-':>8s}{goal}")
                lines.append(f"  !!! {lost[key]}")
                continue
            goal = ""
            if key == "capture_to_udp":
                goal = f"   goal p95 <= {GOAL_P95_MS:g}: {_verdict(cell['p95'] <= GOAL_P95_MS)}"
            lines.append(
                f"{name:44s}{cell['p50']:8.2f}{cell['p95']:8.2f}{cell['count']:8d}{goal}"
            )
    return lines


def _transport(transport: dict[str, Any]) -> list[str]:
    title = "transport: camera and pose node on two network namespaces (UDP between them)"
    if "skipped" in transport:
        return [title, f"  skipped: {transport['skipped']}"]
    lines = [
        f"{title}, {transport['model']} at {transport['source_fps']:g} fps, "
        f"JPEG quality {transport['jpeg_quality']}",
        f"{'image_transport':18s}{'message kB':>11s}{'link kB':>9s}{'published':>10s}"
        f"{'delivered':>10s}{'p50 ms':>8s}{'p95 ms':>8s}",
        "  message: serialized per frame; link: camera host's bytes sent per frame published;"
        " latency: capture -> datagram on the game host",
    ]
    for name, run in transport["runs"].items():
        size = transport["message_bytes"].get(name, nan) / 1e3
        if "frame_account" not in run:
            lines.append(f"{name:18s}{size:11.1f}   !!! {_lost(run)}")
            continue
        link = (run["camera_link_bytes_per_frame"] or nan) / 1e3
        head = f"{name:18s}{size:11.1f}{link:9.1f}{run['published']:10d}{run['delivered']:10d}"
        if _lost(run):
            lines += [f"{head}{'-':>8s}{'-':>8s}", f"  !!! {_lost(run)}"]
            continue
        cell = run["capture_to_udp"]
        lines.append(f"{head}{cell['p50']:8.2f}{cell['p95']:8.2f}")
    return lines


def _stages(models: dict[str, Any]) -> list[str]:
    lines = ["median ms per frame by stage" + "".join(f"{m:>22s}" for m in models)]
    for stage in STAGE_ROWS:
        cells = "".join(f"{models[m]['stages_ms'].get(stage, nan):22.2f}" for m in models)
        lines.append(f"{stage:28s}{cells}")
    sums = "".join(f"{sum(models[m]['stages_ms'].values()):22.2f}" for m in models)
    return [*lines, f"{'sum of stages':28s}{sums}"]


def _accuracy(accuracy: dict[str, Any]) -> list[str]:
    lines = [f"accuracy, {accuracy['model']} on {accuracy['backend']}:"]
    for name, errors in accuracy["still_images"].items():
        lines.append(
            f"  tf_examples {name:12s} max {errors['max_px']:6.1f} px, median "
            f"{errors['median_px']:5.1f} px (upstream allows {accuracy['still_tolerance_px']:g})"
        )
    lines.append(
        f"  {accuracy['video']}: {accuracy['video_within_60px_percent']:.1f}% of "
        f"{accuracy['video_frames']} frames with every keypoint within 60 px"
    )
    return lines


def format_table(results: dict[str, Any]) -> str:
    """Format ``results`` (the JSON document) as a plain-text table."""
    info = results["machine"]
    models = results["models"]
    sections = [
        [
            f"machine: {info['cpus']} CPUs, {info['cpu_model']}, "
            f"load average at start {info['load_average']}",
            f"CPUs busy during the run: {info.get('machine_busy_percent', nan):.0f}% in all, "
            f"{info.get('others_busy_percent', nan):.0f}% with work other than this benchmark",
        ],
        _throughput(models),
        _pose_node(models),
        _latency(models),
        _stages(models),
    ]
    if results.get("accuracy"):
        sections.append(_accuracy(results["accuracy"]))
    if results.get("transport"):
        sections.append(_transport(results["transport"]))
    sections.append(_failures(results))
    return "\n\n".join("\n".join(section) for section in sections)


def _failures(results: dict[str, Any]) -> list[str]:
    lines = failures(results)
    if not lines:
        return ["every run completed: no frame lost, every node exited 0, no figure missing"]
    return [
        f"!!! {len(lines)} problem(s): these results do not stand",
        *(f"!!! {line}" for line in lines),
    ]


def write_json(results: dict[str, Any], path: Path) -> Path:
    """Write ``results`` as indented JSON (NaN written as null) and return the path."""
    path.write_text(json.dumps(_finite(results), indent=2) + "\n")
    return path


def read_json(path: Path) -> dict[str, Any]:
    """Read a results file written by ``write_json`` (null read back as NaN)."""
    return _nan(json.loads(path.read_text()))


def _finite(value: Any) -> Any:
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value


def _nan(value: Any) -> Any:
    if value is None:
        return nan
    if isinstance(value, dict):
        return {key: _nan(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_nan(item) for item in value]
    return value


def main(argv: list[str] | None = None) -> int:
    """Print the table of a results file; 1 when its results do not stand, else 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path("bench-results/results.json")
    parser.add_argument("results", type=Path, nargs="?", default=default)
    results = read_json(parser.parse_args(argv).results)
    print(format_table(results))
    return 1 if failures(results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
