"""What ``make bench`` compares: the graph and the seed loop at the same thread budget.

Each budget runs the seed loop with the runtime on that many threads and the
graph with the pose node's ``threads`` parameter set to it; both run the same
number of frames after the same warm-up. ``one_thread`` is the headline (one
inference thread on each side); ``all_threads`` gives both the pose node's
default (``threads: 0``, the runtime spreads each inference over every core).
The results document holds, per model, ``baseline_<budget>`` and
``graph_<budget>`` runs, ``graph_unpaced`` (a reference at the default
threads) and ``ratios``: per budget its threads, both frame rates and their
ratio.
"""

from __future__ import annotations

from typing import Any

from pose_estimation_ros.bench.stats import ratio

BUDGETS = {"one_thread": "1 inference thread", "all_threads": "every core (threads: 0)"}
UNPACED = "graph_unpaced"  # camera unpaced, default threads: a reference, not a ratio


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
