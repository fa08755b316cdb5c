"""The benchmark's PNG chart, drawn with OpenCV: the ratios, per-stage bars, latency histograms."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import cv2
import numpy as np


WIDTH, HEIGHT = 1400, 680
MARGIN = 40
RATIO_LINE_H = 18  # one line of ratios per model above the panels
COLOURS = ((200, 120, 40), (40, 140, 230), (60, 170, 60), (160, 60, 180))  # BGR, one per model
FONT = cv2.FONT_HERSHEY_SIMPLEX


def _text(canvas: np.ndarray, text: str, origin: tuple[int, int], scale: float = 0.45) -> None:
    cv2.putText(canvas, text, origin, FONT, scale, (30, 30, 30), 1, cv2.LINE_AA)


def _stage_bars(
    canvas: np.ndarray, stages: Mapping[str, Mapping[str, float]], box: tuple[int, int, int, int]
) -> None:
    """Horizontal bars: one row per stage, one bar per model, linear ms scale."""
    left, top, right, bottom = box
    _text(canvas, "median ms per frame, by stage", (left, top - 12), 0.55)
    names = list(next(iter(stages.values()), {}))
    models = list(stages)
    largest = max((v for s in stages.values() for v in s.values() if np.isfinite(v)), default=1.0)
    label_w, row_h = 130, (bottom - top) / max(len(names), 1)
    bar_h = max(int(row_h / (len(models) + 1)), 2)
    scale = (right - left - label_w - 60) / max(largest, 1e-9)
    for row, name in enumerate(names):
        y = int(top + row * row_h)
        _text(canvas, name, (left, y + bar_h + 4))
        for index, model in enumerate(models):
            value = stages[model].get(name, float("nan"))
            if not np.isfinite(value):
                continue
            y0 = y + index * bar_h
            x1 = left + label_w + max(int(value * scale), 1)
            colour = COLOURS[index % len(COLOURS)]
            cv2.rectangle(canvas, (left + label_w, y0), (x1, y0 + bar_h - 2), colour, -1)
            _text(canvas, f"{value:.2f}", (x1 + 4, y0 + bar_h - 3), 0.38)


def _histograms(
    canvas: np.ndarray,
    samples: Mapping[str, Sequence[float]],
    box: tuple[int, int, int, int],
    goal_ms: float,
) -> None:
    """Latency histograms (capture to UDP datagram), one outline per model, and the goal."""
    left, top, right, bottom = box
    _text(canvas, "capture -> UDP datagram latency at 30 fps (ms)", (left, top - 12), 0.55)
    everything = np.concatenate(
        [np.asarray(v, float) for v in samples.values() if len(v)] or [[0]]
    )
    high = max(float(np.percentile(everything, 99)) * 1.05, goal_ms * 1.5)
    bins = np.linspace(0.0, high, 41)
    counts = {m: np.histogram(np.clip(v, 0, high), bins)[0] for m, v in samples.items() if len(v)}
    tallest = max((c.max() for c in counts.values()), default=1) or 1
    cv2.line(canvas, (left, bottom), (right, bottom), (30, 30, 30), 1)
    goal_x = int(left + goal_ms / high * (right - left))
    cv2.line(canvas, (goal_x, top + 10), (goal_x, bottom), (40, 40, 220), 1, cv2.LINE_AA)
    _text(canvas, f"goal p95 {goal_ms:g} ms", (goal_x + 4, top + 10), 0.4)
    for tick in np.linspace(0.0, high, 6):
        x = int(left + tick / high * (right - left))
        cv2.line(canvas, (x, bottom), (x, bottom + 5), (30, 30, 30), 1)
        _text(canvas, f"{tick:.0f}", (x - 8, bottom + 20), 0.4)
    for index, (model, count) in enumerate(counts.items()):
        colour = COLOURS[index % len(COLOURS)]
        xs = left + (bins / high * (right - left)).astype(int)
        ys = bottom - (count / tallest * (bottom - top - 20)).astype(int)
        points = [(int(xs[0]), bottom)]
        for i, y in enumerate(ys):
            points += [(int(xs[i]), int(y)), (int(xs[i + 1]), int(y))]
        points.append((int(xs[-1]), bottom))
        cv2.polylines(canvas, [np.array(points, np.int32)], False, colour, 2, cv2.LINE_AA)
        _text(canvas, model, (right - 220, top + 20 * (index + 1)))
        cv2.line(
            canvas,
            (right - 250, top + 20 * index + 15),
            (right - 228, top + 20 * index + 15),
            colour,
            3,
        )


def _ratios(canvas: np.ndarray, ratios: Mapping[str, Mapping[str, float]]) -> None:
    """One line per model: graph / seed loop frames/s at each thread budget (by its label)."""
    for index, (model, by_budget) in enumerate(ratios.items()):
        cells = [
            f"{label} {value:.2f}x" if np.isfinite(value) else f"{label} -"
            for label, value in by_budget.items()
        ]
        line = f"{model}: graph / seed loop frames/s at the same threads: {', '.join(cells)}"
        _text(canvas, line, (MARGIN, RATIO_LINE_H * (index + 1)), 0.5)


def draw_chart(
    stages: Mapping[str, Mapping[str, float]],
    latency_samples: Mapping[str, Sequence[float]],
    path: Path,
    goal_ms: float,
    ratios: Mapping[str, Mapping[str, float]],
) -> Path:
    """Write the chart to ``path`` (PNG); ``ratios[model][budget's label]``: graph / loop."""
    canvas = np.full((HEIGHT, WIDTH, 3), 255, np.uint8)
    half, top = WIDTH // 2, MARGIN + 20 + RATIO_LINE_H * len(ratios)
    _ratios(canvas, ratios)
    _stage_bars(canvas, stages, (MARGIN, top, half - MARGIN, HEIGHT - MARGIN))
    histograms = (half + MARGIN, top, WIDTH - MARGIN, HEIGHT - 60)
    _histograms(canvas, latency_samples, histograms, goal_ms)
    for index, model in enumerate(stages):
        y = HEIGHT - 14
        x = MARGIN + 260 * index
        cv2.rectangle(canvas, (x, y - 10), (x + 20, y), COLOURS[index % len(COLOURS)], -1)
        _text(canvas, model, (x + 26, y))
    if not cv2.imwrite(str(path), canvas):
        raise OSError(f"could not write {path}")
    return path
