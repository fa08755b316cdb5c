"""The streams benchmark's pure parts: per-stream figures, ``max_streams``, the goal, table, chart.

Figures come from stamps seen in the benchmark process (``bench.streams_bench``):
a stream's window is the frames its camera published with a capture stamp in
the measured interval (``camera_info``, and any frame answered on ``poses``,
as ``frame_account.window_of`` counts them); ``processed_pct`` is the share of
them answered, latency is receive time minus capture stamp of each answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from math import isnan, nan
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from pose_estimation_ros.bench.chart import COLOURS, _text
from pose_estimation_ros.bench.frame_account import window_of
from pose_estimation_ros.bench.stats import summary_ms

WAYS = ("one_node", "node_per_camera")
MIN_PROCESSED_PCT = 99.0  # every stream gets at least this share of its frames ...
MAX_P95_MS = 50.0  # ... with capture-to-pose p95 at most this
GOAL_ONE_NODE_STREAMS = 6
GOAL_STREAMS_RATIO = 1.5
GOAL_USAGE_RATIO = 2.0 / 3.0  # at equal streams: one node's CPU and memory over the other's
CHART_SIZE = (1400, 420)  # width, height


def stream_figures(
    published: Iterable[int], poses: Iterable[tuple[int, int]], start_ns: int, end_ns: int
) -> dict[str, float]:
    """One stream's figures over capture stamps in ``[start_ns, end_ns)``.

    ``published``: camera_info stamps; ``poses``: (stamp, receive time) pairs, system clock ns.
    """
    answered: dict[int, int] = {}
    for stamp, received in poses:
        if start_ns <= stamp < end_ns:
            answered.setdefault(stamp, received)
    window = window_of((s for s in published if start_ns <= s < end_ns), answered, 0, False)
    latency = summary_ms([(answered[s] - s) / 1e6 for s in window if s in answered])
    return {
        "published": len(window),
        "processed": latency["count"],
        "processed_pct": 100.0 * latency["count"] / len(window) if window else nan,
        "p50_ms": latency["p50"],
        "p95_ms": latency["p95"],
    }


def run_summary(streams: Mapping[str, Mapping[str, float]]) -> dict[str, Any]:
    """Lowest ``processed_pct`` and highest ``p95_ms`` over the streams, and the goal's verdict."""
    lowest = min((s["processed_pct"] for s in streams.values()), default=nan)
    highest = max((s["p95_ms"] for s in streams.values()), default=nan)
    if any(isnan(s["processed_pct"]) or isnan(s["p95_ms"]) for s in streams.values()):
        lowest, highest = nan, nan  # a stream without figures: the run has none
    return {
        "min_processed_pct": lowest,
        "max_p95_ms": highest,
        "meets_goal": lowest >= MIN_PROCESSED_PCT and highest <= MAX_P95_MS,
    }


def max_streams(runs: Sequence[Mapping[str, Any]]) -> int:
    """Largest ``streams`` of a run without problems that met the goal; 0 when none did."""
    return max(
        (run["streams"] for run in runs if run["meets_goal"] and not run["problems"]), default=0
    )


def goal(ways: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Judge the issue's goal: one node serves >= 6 streams and 1.5x (or at 2/3 the usage)."""
    if set(WAYS) - set(ways):
        return {"met": False, "why": "both ways must run"}
    one, per = (ways[way]["max_streams"] for way in WAYS)
    verdict: dict[str, Any] = {
        "one_node_streams": one,
        "node_per_camera_streams": per,
        "streams_ratio": one / per if per else nan,
    }
    more = one > 0 and (not per or one >= GOAL_STREAMS_RATIO * per)
    lighter = False
    if one and one == per:
        runs = [{r["streams"]: r for r in ways[way]["runs"]}[one] for way in WAYS]
        for key in ("cpu_percent", "rss_mb"):
            verdict[f"{key}_ratio"] = runs[0][key] / runs[1][key] if runs[1][key] else nan
        lighter = all(verdict[f"{k}_ratio"] <= GOAL_USAGE_RATIO for k in ("cpu_percent", "rss_mb"))
    verdict["met"] = one >= GOAL_ONE_NODE_STREAMS and (more or lighter)
    return verdict


def _cell(value: float, width: int, decimals: int = 1) -> str:
    return f"{'-':>{width}s}" if isnan(value) else f"{value:{width}.{decimals}f}"


def format_table(results: Mapping[str, Any]) -> str:
    """Format the results document as a plain-text table, problems as ``!!!`` lines."""
    settings, info = results["settings"], results["machine"]
    lines = [
        f"machine: {info['cpus']} CPUs, {info['cpu_model']}, load average at start "
        f"{info['load_average']}, CPUs {info.get('others_busy_percent', nan):.0f}% busy with "
        "other work",
        f"streams: {settings['model']} on {settings['backend']}, each camera at "
        f"{settings['fps']:g} fps on its own copy of {settings['video']}; "
        f"{settings['seconds']:g} s measured after {settings['warmup_s']:g} s warm-up",
        f"{'way':16s}{'N':>3s}{'min processed %':>17s}{'max p95 ms':>12s}{'CPU %':>8s}"
        f"{'RSS MB':>9s}{'probe CPU %':>13s}   every stream >= {MIN_PROCESSED_PCT:g}% and p95 <= "
        f"{MAX_P95_MS:g} ms",
    ]
    for way, figures in results["ways"].items():
        for run in figures["runs"]:
            verdict = "yes" if run["meets_goal"] and not run["problems"] else "no"
            lines.append(
                f"{way:16s}{run['streams']:3d}{_cell(run['min_processed_pct'], 17)}"
                f"{_cell(run['max_p95_ms'], 12)}{_cell(run['cpu_percent'], 8, 0)}"
                f"{_cell(run['rss_mb'], 9, 0)}{_cell(run.get('probe_cpu_percent', nan), 13, 0)}"
                f"   {verdict}"
            )
            lines += [f"  !!! {problem}" for problem in run["problems"]]
    lines.append(
        "max_streams: "
        + ", ".join(f"{way} {figures['max_streams']}" for way, figures in results["ways"].items())
    )
    lines.append(_goal_line(results["goal"]))
    problems = results["problems"]
    if problems:
        lines += [f"!!! {len(problems)} problem(s): these results do not stand"]
        lines += [f"!!! {problem}" for problem in problems]
    return "\n".join(lines)


def _goal_line(verdict: Mapping[str, Any]) -> str:
    if "why" in verdict:
        return f"goal: not judged ({verdict['why']})"
    ratios = ", ".join(
        f"{key.removesuffix('_ratio')} {_cell(value, 0, 2).strip()}x"
        for key, value in verdict.items()
        if key.endswith("_ratio")
    )
    return (
        f"goal (one_node >= {GOAL_ONE_NODE_STREAMS} streams and >= {GOAL_STREAMS_RATIO:g}x "
        f"node_per_camera's, or <= 2/3 its CPU and memory at equal streams; {ratios}): "
        + ("met" if verdict["met"] else "NOT met")
    )


def _panel(
    canvas: np.ndarray,
    box: tuple[int, int, int, int],
    title: str,
    series: Mapping[str, Sequence[tuple[int, float]]],
    goal_value: float | None = None,
) -> None:
    """Lines of ``(N, value)`` points, one per way, over N, and a red goal line if given."""
    left, top, right, bottom = box
    _text(canvas, title, (left, top - 10), 0.5)
    counts = sorted({n for points in series.values() for n, _ in points}) or [1]
    values = [v for points in series.values() for _, v in points if not isnan(v)]
    low = min([*values, goal_value or 0.0, 0.0])
    high = max([*values, goal_value or 0.0, 1.0]) * 1.1
    low = min(low, high * 0.9)

    def at(n: float, value: float) -> tuple[int, int]:
        span = max(counts[-1] - counts[0], 1)
        x = left + 30 + (n - counts[0]) / span * (right - left - 60)
        return int(x), int(bottom - (value - low) / (high - low) * (bottom - top))

    cv2.rectangle(canvas, (left, top), (right, bottom), (180, 180, 180), 1)
    for n in counts:
        _text(canvas, str(n), (at(n, low)[0] - 4, bottom + 16), 0.4)
    for value in np.linspace(low, high, 5):
        _text(canvas, f"{value:.0f}", (left - 36, at(counts[0], value)[1] + 4), 0.38)
    if goal_value is not None:
        y = at(counts[0], goal_value)[1]
        cv2.line(canvas, (left, y), (right, y), (40, 40, 220), 1, cv2.LINE_AA)
    for index, points in enumerate(series.values()):
        colour = COLOURS[index % len(COLOURS)]
        xy = [at(n, v) for n, v in points if not isnan(v)]
        if len(xy) > 1:
            cv2.polylines(canvas, [np.array(xy, np.int32)], False, colour, 2, cv2.LINE_AA)
        for point in xy:
            cv2.circle(canvas, point, 4, colour, -1, cv2.LINE_AA)


def draw_streams_chart(results: Mapping[str, Any], path: Path) -> Path:
    """Draw processed %, p95, CPU and RSS against N, one line per way, into ``path`` (PNG)."""
    width, height = CHART_SIZE
    canvas = np.full((height, width, 3), 255, np.uint8)
    panels = (
        ("min processed % per stream", "min_processed_pct", MIN_PROCESSED_PCT),
        ("max p95 capture -> pose ms", "max_p95_ms", MAX_P95_MS),
        ("CPU % of all processes", "cpu_percent", None),
        ("RSS MB of all processes", "rss_mb", None),
    )
    step = (width - 40) // len(panels)
    for index, (title, key, goal_value) in enumerate(panels):
        series = {
            way: [(run["streams"], run[key]) for run in figures["runs"]]
            for way, figures in results["ways"].items()
        }
        box = (40 + index * step + 40, 50, 40 + (index + 1) * step - 20, height - 70)
        _panel(canvas, box, title, series, goal_value)
    for index, way in enumerate(results["ways"]):
        x, y = 80 + 260 * index, height - 18
        cv2.rectangle(canvas, (x, y - 10), (x + 20, y), COLOURS[index % len(COLOURS)], -1)
        _text(canvas, f"{way} (x: streams N)", (x + 26, y))
    if not cv2.imwrite(str(path), canvas):
        raise OSError(f"could not write {path}")
    return path
