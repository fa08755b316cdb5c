"""The soak's memory summary and verdict (the soak itself is a benchmark: ``make soak``)."""

import pytest

from pose_estimation_ros.bench.graph_session import POSE_STATUS
from pose_estimation_ros.bench.soak import COUNTED, MemoryTrace, pose_node_totals, problems
from pose_estimation_ros.nodes.pose_diagnostics import (
    FAILED_TOTAL,
    RECEIVED_TOTAL,
    REJECTED_TOTAL,
    PoseStats,
    pose_status,
)


def _trace(samples):
    trace = MemoryTrace()
    trace.samples = list(samples)
    return trace


def test_growth_leaves_out_the_warm_up_and_fits_a_rate_per_hour():
    # 100 MB during start-up, then 200 MB growing 1 MB a minute.
    samples = [(0.0, 100.0)] + [(120.0 + 60.0 * i, 200.0 + i) for i in range(10)]
    summary = _trace(samples).summary(warmup_s=120.0)
    assert summary["after_warmup_mb"] == 200.0
    assert summary["end_mb"] == 209.0
    assert summary["growth_mb"] == 9.0
    assert summary["peak_mb"] == 209.0
    assert summary["growth_mb_per_hour"] == pytest.approx(60.0)


NOTHING_COUNTED = {key: 0 for key in COUNTED}


def _figures(**changes):
    figures = {
        "stop": "",
        "frames": {"window": 100, "answered": 100},
        "frames_ok": True,
        "malformed_datagrams": 0,
        "pose_node": NOTHING_COUNTED | {RECEIVED_TOTAL: 100},
        "memory": {"pose_node": {"growth_mb": 1.0}},
    }
    figures.update(changes)
    return figures


def test_a_clean_soak_has_no_problem():
    assert problems(_figures(), max_growth_mb=50.0) == []


@pytest.mark.parametrize(
    "changes, words",
    [
        ({"stop": "pose_node exited with code 143 after 3.0 min"}, "a node stopped"),
        ({"frames_ok": False, "frames": {"window": 100, "answered": 90}}, "90 of 100"),
        ({"malformed_datagrams": 2}, "2 malformed"),
        ({"memory": {"pose_node": {"growth_mb": 51.0}}}, "pose_node grew 51.0 MB"),
        ({"pose_node": NOTHING_COUNTED | {FAILED_TOTAL: 3}}, "failed_frames_total = 3"),
        ({"pose_node": NOTHING_COUNTED | {REJECTED_TOTAL: 1}}, "rejected_frames_total"),
        ({"pose_node": None}, f"no /diagnostics status {POSE_STATUS!r}"),
        (
            {"pose_node": {key: 0 for key in COUNTED if key != FAILED_TOTAL}},
            "status lacks failed_frames_total",
        ),
    ],
)
def test_each_failure_is_named(changes, words):
    (line,) = problems(_figures(**changes), max_growth_mb=50.0)
    assert words in line


def _status_values(stats: PoseStats) -> dict[str, str]:
    """Return the key/values of the status the pose node publishes for ``stats``."""
    status = pose_status("/pose_node", "m", 1.0, stats.take_window(), stats, age_s=0.1,
                         stale_warn_s=2.0)  # fmt: skip
    return {value.key: value.value for value in status.values}


def test_totals_are_read_from_the_status_the_pose_node_publishes():
    stats = PoseStats()
    for _ in range(3):
        stats.received()
    stats.failed()
    older = _status_values(PoseStats())
    totals = pose_node_totals([older, _status_values(stats)])  # the last status counts
    assert totals == NOTHING_COUNTED | {RECEIVED_TOTAL: 3, FAILED_TOTAL: 1}
    assert problems(_figures(pose_node=totals), max_growth_mb=50.0) == [
        "pose_node failed_frames_total = 1"
    ]


def test_totals_not_read_are_never_taken_for_zero():
    assert pose_node_totals([]) is None
    values = _status_values(PoseStats())
    del values[REJECTED_TOTAL]
    totals = pose_node_totals([values])
    assert REJECTED_TOTAL not in totals
    (line,) = problems(_figures(pose_node=totals), max_growth_mb=50.0)
    assert line == "pose_node's /diagnostics status lacks rejected_frames_total"
