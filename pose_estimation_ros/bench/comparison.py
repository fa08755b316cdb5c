"""What ``make bench`` compares: the graph and the seed loop at the same thread budget.

Each budget runs the seed loop with the runtime on that many threads and the
graph with the pose node's ``threads`` parameter set to it; both run the same
number of frames after the same warm-up. ``one_thread`` is the headline (one
inference thread on each side); ``all_threads`` gives both the pose node's
default (its ``threads`` in the params file; 0: the runtime spreads each
inference over every core). Labels are worded from the threads a run used
(``threads_label``), so they follow the params file.
The results document holds, per model, ``baseline_<budget>`` and
``graph_<budget>`` runs, ``graph_unpaced`` (a reference at the default
threads) and ``ratios``: per budget its threads, both frame rates and their
ratio.
"""

from __future__ import annotations

from typing import Any

from pose_estimation_ros.bench.stats import ratio

BUDGETS = ("one_thread", "all_threads")  # one inference thread; the pose node's default
UNPACED = "graph_unpaced"  # camera unpaced, default threads: a reference, not a ratio


def threads_label(threads: int) -> str:
    """Word an inference thread budget: ``1 inference thread``, ``every core (threads: 0)``."""
    if threads == 0:
        return "every core (threads: 0)"
    return f"{threads} inference thread{'' if threads == 1 else 's'}"


def baseline_key(budget: str) -> str:
    """Key of the seed loop's run at ``budget`` in a model's results."""
    return f"baseline_{budget}"


def graph_key(budget: str) -> str:
    """Key of the graph's throughput run at ``budget`` in a model's results."""
    return f"graph_{budget}"


GRAPH_RUNS = (*map(graph_key, BUDGETS), UNPACED)


def ratios(figures: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per budget: threads, graph and baseline frames/s, and graph / baseline (NaN if missing)."""
    table = {}
    for budget in BUDGETS:
        base, graph = figures[baseline_key(budget)], figures[graph_key(budget)]
        table[budget] = {
            "threads": base["threads"],
            "graph_fps": graph["fps"],
            "baseline_fps": base["fps"],
            "ratio": ratio(graph["fps"], base["fps"]),
        }
    return table
