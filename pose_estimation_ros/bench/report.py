"""The benchmark's readable table and its JSON file."""

from __future__ import annotations

import json
from math import nan
from pathlib import Path
from typing import Any

from pose_estimation_ros.bench.stage_split import POSE_STAGES

GOAL_RATIO = 1.2
GOAL_P95_MS = 12.0
ESTIMATE_STAGES = ("preprocess", "inference", "postprocess")  # what pose_node's estimate() does
STAGE_ROWS = ("camera publish", "DDS hop", *POSE_STAGES, "bridge")


LOSSY = "not met (run lost frames)"


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def _lost(run: dict[str, Any]) -> str:
    """Return the loss report of a run that lost frames, "" for one that did not."""
    return "; ".join(run.get("lost", []))


def _throughput(models: dict[str, Any]) -> list[str]:
    lines = [
        f"{'throughput, vtest.avi (frames/s)':40s}{'baseline':>10s}{'graph':>8s}{'ratio':>8s}"
        f"   goal >= {GOAL_RATIO}x",
        "  baseline: the seed loop, one thread; graph: camera fps 0, paced by the pose node",
    ]
    for model, figures in models.items():
        graph, base = figures["graph"], figures["baseline"]["fps"]
        if _lost(graph):
            lines.append(f"{model:40s}{base:10.1f}{'-':>8s}{'-':>8s}   {LOSSY}")
            lines.append(f"  !!! {_lost(graph)}")
            continue
        ratio = graph["ratio"]
        lines.append(
            f"{model:40s}{base:10.1f}{graph['fps']:8.1f}"
            f"{ratio:7.2f}x   {_verdict(ratio >= GOAL_RATIO)}"
        )
    lines.append("  for reference (not the goal's terms):")
    for model, figures in models.items():
        base_all, unpaced = figures["baseline_all_threads"], figures["graph_unpaced"]
        against = (
            f"(graph: {LOSSY})"
            if _lost(figures["graph"])
            else f"(graph {figures['graph']['ratio_all_threads']:.2f}x of it)"
        )
        without = (
            f"LOST frames: {_lost(unpaced)}"
            if _lost(unpaced)
            else f"{unpaced['fps']:.1f} ({unpaced['ratio']:.2f}x)"
        )
        lines.append(
            f"  {model}: seed loop with OpenVINO on every core {base_all['fps']:.1f} "
            f"{against}; graph with the camera unpaced {without}"
        )
    return lines


def _pose_node(models: dict[str, Any]) -> list[str]:
    lines = ["pose_node's own /diagnostics during the graph runs (medians)"]
    labels = {"graph": "paced by poses", "graph_unpaced": "unpaced", "latency": "30 fps"}
    for model, figures in models.items():
        alone = sum(figures["stages_ms"].get(s, nan) for s in ESTIMATE_STAGES)
        for run, label in labels.items():
            node = figures[run].get("pose_node", {})
            lines.append(
                f"  {model}, camera {label:14s}: images in "
                f"{node.get('input_rate_hz', nan):6.1f}/s, poses out "
                f"{node.get('output_rate_hz', nan):5.1f}/s, estimate() in the node "
                f"{node.get('inference_ms_mean', nan):6.2f} ms (alone: {alone:.2f} ms)"
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
    return "\n\n".join("\n".join(section) for section in sections)


def write_json(results: dict[str, Any], path: Path) -> Path:
    """Write ``results`` as indented JSON (NaN written as null) and return the path."""
    path.write_text(json.dumps(_finite(results), indent=2) + "\n")
    return path


def _finite(value: Any) -> Any:
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value
