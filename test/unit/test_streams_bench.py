"""The streams benchmark's pure parts: per-stream figures, max_streams, goal, table, chart, CLI.

No process is started and no timing asserted.
"""

import argparse
import math
from pathlib import Path

import cv2
import pytest

from pose_estimation_ros.bench.streams_bench import parse_counts, skip_reason, way_commands
from pose_estimation_ros.bench.streams_report import (
    CHART_SIZE,
    draw_streams_chart,
    format_table,
    goal,
    max_streams,
    run_summary,
    stream_figures,
)

FRAME_NS = 33_333_333


def _run(streams, pct=100.0, p95=20.0, problems=(), cpu=50.0, rss=300.0):
    return {
        "streams": streams,
        **run_summary({"cam1": {"processed_pct": pct, "p95_ms": p95}}),
        "cpu_percent": cpu,
        "rss_mb": rss,
        "probe_cpu_percent": 4.0,
        "problems": list(problems),
        "delivered_any": not problems,
    }


def _ways(one_node, node_per_camera):
    return {
        "one_node": {"runs": one_node, "max_streams": max_streams(one_node)},
        "node_per_camera": {"runs": node_per_camera, "max_streams": max_streams(node_per_camera)},
    }


def _results(one_node, node_per_camera):
    ways = _ways(one_node, node_per_camera)
    problems = [
        f"{way} N={run['streams']}: {problem}"
        for way, figures in ways.items()
        for run in figures["runs"]
        for problem in run["problems"]
    ]
    return {
        "machine": {"cpus": 2, "cpu_model": "test", "load_average": [0.0, 0.0, 0.0]},
        "settings": {
            "model": "movenet_lightning",
            "backend": "openvino",
            "fps": 30.0,
            "video": "vtest.avi",
            "seconds": 20.0,
            "warmup_s": 5.0,
        },
        "ways": ways,
        "goal": goal(ways),
        "problems": problems,
    }


def test_processed_pct_counts_only_stamps_in_the_window():
    published = [k * FRAME_NS for k in range(100)]
    poses = [(s, s + 10_000_000) for s in published if s // FRAME_NS % 10]  # every 10th missing
    poses += [(published[1], published[1] + 99_000_000)]  # a duplicate answer: counted once
    figures = stream_figures(published, poses, 10 * FRAME_NS, 60 * FRAME_NS)
    assert figures["published"] == 50
    assert figures["processed"] == 45
    assert figures["processed_pct"] == pytest.approx(90.0)
    assert figures["p50_ms"] == pytest.approx(10.0)
    assert figures["p95_ms"] == pytest.approx(10.0)


def test_an_answer_without_camera_info_still_counts_as_published():
    poses = [(FRAME_NS, FRAME_NS), (2 * FRAME_NS, 2 * FRAME_NS)]
    figures = stream_figures([0, FRAME_NS], poses, 0, 10 * FRAME_NS)
    assert (figures["published"], figures["processed"]) == (3, 2)


def test_a_stream_with_nothing_has_no_figures():
    figures = stream_figures([], [], 0, 0)
    assert figures["published"] == 0
    assert math.isnan(figures["processed_pct"])
    assert not run_summary({"cam1": figures})["meets_goal"]


def test_run_summary_takes_the_worst_stream():
    summary = run_summary(
        {
            "cam1": {"processed_pct": 100.0, "p95_ms": 30.0},
            "cam2": {"processed_pct": 99.5, "p95_ms": 12.0},
        }
    )
    assert summary == {"min_processed_pct": 99.5, "max_p95_ms": 30.0, "meets_goal": True}
    assert not run_summary({"cam1": {"processed_pct": 98.9, "p95_ms": 10.0}})["meets_goal"]
    assert not run_summary({"cam1": {"processed_pct": 100.0, "p95_ms": 50.1}})["meets_goal"]


def test_max_streams_is_the_largest_count_that_met_the_goal_without_problems():
    runs = [_run(1), _run(2), _run(4, pct=97.0), _run(6), _run(8, problems=["cam3 exited"])]
    assert max_streams(runs) == 6
    assert max_streams([_run(1, p95=80.0)]) == 0


def test_goal_by_streams_or_by_usage_at_equal_streams():
    assert goal(_ways([_run(1), _run(6)], [_run(4)]))["met"]  # 6 streams against 4: 1.5x
    assert not goal(_ways([_run(1), _run(4)], [_run(4)]))["met"]  # fewer than 6
    equal = goal(_ways([_run(6, cpu=100.0, rss=400.0)], [_run(6, cpu=160.0, rss=900.0)]))
    assert equal["met"] and equal["cpu_percent_ratio"] == pytest.approx(0.625)
    assert not goal(_ways([_run(6, cpu=150.0, rss=400.0)], [_run(6, cpu=160.0, rss=900.0)]))["met"]
    assert not goal({"node_per_camera": {"runs": [], "max_streams": 0}})["met"]


def test_table_has_one_row_per_run_and_says_problems_loudly():
    exited = _run(2, problems=["pose_node exited with code 1"])
    results = _results([_run(1), exited], [_run(1), _run(2, pct=95.0)])
    table = format_table(results)
    rows = [line for line in table.splitlines() if line.startswith(("one_node", "node_per"))]
    assert len(rows) == 4
    assert rows[1].split()[:2] == ["one_node", "2"] and rows[1].endswith("no")
    assert rows[0].split()[-2] == "4"  # the probe's own CPU %, before the verdict
    assert "  !!! pose_node exited with code 1" in table
    assert "max_streams: one_node 1, node_per_camera 1" in table
    assert "!!! 1 problem(s): these results do not stand" in table
    assert "NOT met" in table


def test_chart_is_written(tmp_path: Path):
    results = _results([_run(1), _run(2)], [_run(1), _run(2, pct=math.nan, p95=math.nan)])
    image = cv2.imread(str(draw_streams_chart(results, tmp_path / "streams.png")))
    assert image.shape[1::-1] == CHART_SIZE


def test_parse_counts():
    assert parse_counts("4,1,2,2") == [1, 2, 4]
    with pytest.raises(argparse.ArgumentTypeError):
        parse_counts("0,2")


def test_a_way_that_delivered_nothing_is_not_run_again():
    assert skip_reason([_run(1)]) == ""
    assert skip_reason([_run(1, problems=["no pose"])]) == "at N=1 nothing was delivered"


def test_way_commands_one_pose_node_or_one_per_camera():
    videos = [Path("/tmp/cam1.avi"), Path("/tmp/cam2.avi")]
    pose, commands = way_commands("one_node", videos)
    assert pose == ["pose_node"]
    assert "cameras:=[cam1, cam2]" in commands["pose_node"]
    assert "__ns:=/cam2" in commands["cam2/camera_node"]
    assert "source:=/tmp/cam2.avi" in commands["cam2/camera_node"]
    assert "fps:=30.0" in commands["cam1/camera_node"]
    assert not any("udp_bridge" in name for name in commands)
    pose, commands = way_commands("node_per_camera", videos)
    assert pose == ["cam1/pose_node", "cam2/pose_node"]
    assert "__ns:=/cam2" in commands["cam2/pose_node"]
    assert not any(arg.startswith("cameras:=") for arg in commands["cam1/pose_node"])
