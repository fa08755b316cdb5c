"""The benchmark's readable table and its JSON file."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

GOAL_RATIO = 1.2
GOAL_P95_MS = 12.0
STAGE_ROWS = (
    "camera publish",
    "DDS hop",
    "receive",
    "conversion",
    "preprocess",
    "inference",
    "postprocess",
    "publishing",
    "bridge",
)


def machine() -> dict[str, Any]:
    """CPUs this process may use, the CPU model and the load average now."""
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next(
                (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")),
                model,
            )
    except OSError:
        pass
    return {
        "cpus": len(os.sched_getaffinity(0)),
        "cpu_model": model,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def format_table(results: dict[str, Any]) -> str:
    """The figures of ``results`` (the JSON document) as a plain-text table."""
    lines = [
        f"machine: {results['machine']['cpus']} CPUs, {results['machine']['cpu_model']}, "
        f"load average at start {results['machine']['load_average']}",
        "",
        f"{'throughput, vtest.avi, camera fps 0':40s}{'baseline fps':>13s}{'graph fps':>11s}"
        f"{'ratio':>8s}   goal >= {GOAL_RATIO}x",
    ]
    models = results["models"]
    for model, figures in models.items():
        ratio = figures["graph"]["ratio"]
        lines.append(
            f"{model:40s}{figures['baseline']['fps']:13.1f}{figures['graph']['fps']:11.1f}"
            f"{ratio:7.2f}x   {'met' if ratio >= GOAL_RATIO else 'NOT met'}"
        )
    lines += ["", f"{'latency, vtest.avi at 30 fps (ms)':40s}{'p50':>8s}{'p95':>8s}{'frames':>8s}"]
    for model, figures in models.items():
        for key, label in (("capture_to_udp", "capture -> UDP datagram"),
                           ("capture_to_image", "capture -> image_raw subscriber")):
            cell = figures["latency"][key]
            goal = ""
            if key == "capture_to_udp":
                goal = f"   goal p95 <= {GOAL_P95_MS:g}: {'met' if cell['p95'] <= GOAL_P95_MS else 'NOT met'}"
            lines.append(
                f"{model + ' ' + label:40s}{cell['p50']:8.2f}{cell['p95']:8.2f}{cell['count']:8d}{goal}"
            )
    lines += ["", "median ms per frame by stage" + "".join(f"{m:>22s}" for m in models)]
    for stage in STAGE_ROWS:
        cells = "".join(f"{models[m]['stages_ms'].get(stage, float('nan')):22.2f}" for m in models)
        lines.append(f"{stage:28s}{cells}")
    lines.append(f"{'sum of stages':28s}" + "".join(
        f"{sum(models[m]['stages_ms'].values()):22.2f}" for m in models
    ))
    accuracy = results.get("accuracy")
    if accuracy:
        lines += ["", f"accuracy, {accuracy['model']} on {accuracy['backend']}:"]
        for name, errors in accuracy["still_images"].items():
            lines.append(
                f"  tf_examples {name:12s} max {errors['max_px']:6.1f} px, "
                f"median {errors['median_px']:5.1f} px (upstream allows {accuracy['still_tolerance_px']:g})"
            )
        lines.append(
            f"  {accuracy['video']}: {accuracy['video_within_60px_percent']:.1f}% of "
            f"{accuracy['video_frames']} frames with every keypoint within 60 px"
        )
    return "\n".join(lines)


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
