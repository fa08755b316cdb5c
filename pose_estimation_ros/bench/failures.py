"""Why a benchmark's results cannot stand: lost frames, a node that did not exit 0, a gap.

Read from the results document (the JSON), one line per problem, naming the
model and the run: a graph run that lost frames or stopped early (timeout,
stall, a node that ended), a node whose exit code after the run's Ctrl-C was
not 0, a figure that is missing (a baseline, a ratio, a latency, a stage).
The table prints them as ``!!!`` lines and the benchmark exits 1 when there
is any. A section skipped on purpose (``--skip-transport``, or no network
namespaces: its reason is printed) is not a failure.
"""

from __future__ import annotations

import math
from typing import Any

from pose_estimation_ros.bench.comparison import BUDGETS, GRAPH_RUNS, baseline_key, threads_label


def failures(results: dict[str, Any]) -> list[str]:
    """One line per problem over every section (empty: every run completed with its figures)."""
    lines = []
    for model, figures in results["models"].items():
        lines += [f"{model} {line}" for line in _model_failures(figures)]
    for name, run in results.get("transport", {}).get("runs", {}).items():
        lines += [f"transport {name}: {line}" for line in _run_failures(run, ())]
    return lines


def _model_failures(figures: dict[str, Any]) -> list[str]:
    lines = []
    for budget in BUDGETS:
        key, run = baseline_key(budget), figures[baseline_key(budget)]
        if missing(run.get("fps")):
            lines.append(f"{key}: no frames/s" + (f" ({run['error']})" if "error" in run else ""))
    for run in GRAPH_RUNS:
        lines += [f"{run}: {line}" for line in _run_failures(figures[run], ("fps",))]
    for budget, cell in figures.get("ratios", {}).items():
        if missing(cell.get("ratio")):
            lines.append(f"ratio at {threads_label(cell['threads'])}: no figure")
    latency = figures["latency"]
    lines += [f"latency: {line}" for line in _run_failures(latency, ())]
    lines += [f"image probe: {line}" for line in latency.get("probe_lost", [])]
    for key in ("capture_to_udp", "capture_to_image"):
        if missing(latency[key].get("p95")):
            lines.append(f"latency: no {key} figure")
    lines += [
        f"stages: no figure for {stage}"
        for stage, value in figures["stages_ms"].items()
        if missing(value)
    ]
    return lines


def _run_failures(run: dict[str, Any], figures: tuple[str, ...]) -> list[str]:
    """List what one run lost, which of its nodes did not exit 0, which ``figures`` it lacks."""
    lines = list(run.get("lost", []))
    lines += [
        f"{node} exited with code {code}"
        for node, code in run.get("exit_codes", {}).items()
        if code != 0
    ]
    if not lines:
        lines += [f"no {name} figure" for name in figures if missing(run.get(name))]
    return lines


def missing(value: Any) -> bool:
    """Whether a figure is absent: ``None`` (JSON null) or NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))
