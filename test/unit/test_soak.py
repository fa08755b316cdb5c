"""The soak's memory summary and verdict (the soak itself is a benchmark: ``make soak``)."""

import pytest

from pose_estimation_ros.bench.soak import MemoryTrace, problems


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


def _figures(**changes):
    figures = {
        "stop": "",
        "frames": {"window": 100, "answered": 100},
        "frames_ok": True,
        "malformed_datagrams": 0,
        "pose_node": {"received_frames_total": 100, "rejected_frames_total": 0,
                      "failed_frames_total": 0},
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
        ({"pose_node": {"received_frames_total": 9, "rejected_frames_total": 0,
                        "failed_frames_total": 3}}, "failed_frames_total = 3"),
    ],
)
def test_each_failure_is_named(changes, words):
    (line,) = problems(_figures(**changes), max_growth_mb=50.0)
    assert words in line
