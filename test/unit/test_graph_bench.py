"""The graph benchmark's pure parts: figures, table, failures, JSON, chart, params file, sink.

No timing is asserted; the sink test sends real wire-format datagrams over loopback UDP.
"""

import json
import math
import socket
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
import yaml

from pose_estimation_ros import graph
from pose_estimation_ros.bench.bridge_bench import frame_of
from pose_estimation_ros.bench.camera_bench import camera_command
from pose_estimation_ros.bench.chart import HEIGHT, WIDTH, draw_chart
from pose_estimation_ros.bench.comparison import ratios, threads_label
from pose_estimation_ros.bench.failures import failures
from pose_estimation_ros.bench.frame_account import AT_30_FPS, EVERY_FRAME, account
from pose_estimation_ros.bench.graph_bench import pose_node_figures
from pose_estimation_ros.bench.graph_session import (
    DatagramSink,
    GraphRun,
    write_params_file,
)
from pose_estimation_ros.bench.machine import CpuSnapshot, busy_share
from pose_estimation_ros.bench.report import STAGE_ROWS, format_table, main, write_json
from pose_estimation_ros.bench.stats import ratio, steady_rate, summary_ms
from pose_estimation_ros.bench.transport_bench import WATCHER, transport_figures
from pose_estimation_ros.core.wire import WireHeader, encode_frame
from pose_estimation_ros.nodes.pose_diagnostics import PoseStats, pose_status
from pose_estimation_ros.params_file import block_key
from pose_estimation_ros.runner.commands import default_params_file


def test_summary_ms_percentiles():
    figures = summary_ms(list(range(1, 101)))
    assert figures["count"] == 100
    assert figures["mean"] == pytest.approx(50.5)
    assert figures["p50"] == pytest.approx(50.5)
    assert figures["p95"] == pytest.approx(95.05)


def test_summary_ms_of_nothing_is_nan():
    figures = summary_ms([])
    assert figures["count"] == 0 and math.isnan(figures["p95"])


def test_steady_rate_leaves_out_the_first_events():
    times = [0.0, 5.0] + [10.0 + 0.1 * i for i in range(11)]
    assert steady_rate(times, skip=2) == pytest.approx(10.0)
    assert math.isnan(steady_rate(times[:3], skip=2))


def test_ratio():
    assert ratio(36.0, 30.0) == pytest.approx(1.2)
    assert math.isnan(ratio(10.0, 0.0)) and math.isnan(ratio(math.nan, 3.0))


def test_busy_share_separates_this_run_from_other_work():
    start, end = CpuSnapshot(10.0, 100.0, 1.0), CpuSnapshot(18.0, 110.0, 4.0)
    share = busy_share(start, end)
    assert share["machine_busy_percent"] == pytest.approx(80.0)
    assert share["others_busy_percent"] == pytest.approx(50.0)
    assert busy_share(start, start)["machine_busy_percent"] == 0.0


def graph_run(fps, threads):
    """Return a graph run that completed: every node exited 0 after the run's Ctrl-C."""
    codes = {"camera_node": 0, "pose_node": 0, "udp_bridge_node": 0}
    return {"pose": {"threads": threads}, "fps": fps, "lost": [], "exit_codes": codes}


def model_figures():
    stages = {name: float(i) for i, name in enumerate(STAGE_ROWS)}
    latency = {"capture_to_udp": summary_ms([10.0, 11.0, 13.0]), "samples_ms": [10.0, 11.0, 13.0]}
    latency["capture_to_image"] = summary_ms([2.0, 3.0])
    latency.update(lost=[], probe_lost=[], exit_codes={"pose_node": 0, "probe pose_node": 0})
    figures = {
        "baseline_one_thread": {"threads": 1, "frames": 100, "warmup": 10, "fps": 50.0},
        "baseline_all_threads": {"threads": 0, "frames": 100, "warmup": 10, "fps": 70.0},
        "graph_one_thread": graph_run(65.0, 1),
        "graph_all_threads": graph_run(75.0, 0),
        "graph_unpaced": {**graph_run(40.0, 0), "ratio": 40.0 / 70.0},
        "latency": latency,
        "stages_ms": stages,
    }
    figures["ratios"] = ratios(figures)
    return figures


def results_document():
    return {
        "machine": {
            "cpus": 2,
            "cpu_model": "test CPU",
            "load_average": [0.5, 0.5, 0.5],
            "machine_busy_percent": 90.0,
            "others_busy_percent": 40.0,
        },
        "models": {"movenet_lightning": model_figures()},
        "accuracy": {
            "model": "movenet_lightning",
            "backend": "openvino",
            "still_images": {"image1.png": {"max_px": 11.0, "median_px": 7.0}},
            "still_tolerance_px": 21.0,
            "video": "pose_1.mp4",
            "video_frames": 120,
            "video_within_60px_percent": 100.0,
        },
    }


ONE_THREAD = "movenet_lightning, 1 inference thread "
EVERY_CORE = "movenet_lightning, every core (threads: 0) "


def test_ratios_compare_graph_and_loop_at_the_same_thread_budget():
    table = ratios(model_figures())
    assert table["one_thread"] == {
        "threads": 1, "graph_fps": 65.0, "baseline_fps": 50.0, "ratio": pytest.approx(1.3)
    }  # fmt: skip
    assert table["all_threads"]["threads"] == 0
    assert table["all_threads"]["ratio"] == pytest.approx(75.0 / 70.0)


def test_table_shows_every_figure_each_ratio_with_its_budget_and_the_goals():
    table = format_table(results_document())
    assert _line(table, ONE_THREAD).split()[-4:] == ["50.0", "65.0", "1.30x", "met"]
    assert _line(table, EVERY_CORE).endswith("70.0    75.0   1.07x   NOT met")
    assert "movenet_lightning: 40.0 (0.57x the seed loop on every core (threads: 0))" in table
    assert "goal >= 1.2x" in table
    assert "goal p95 <= 12: NOT met" in table  # p95 of 10, 11, 13 is 12.8
    assert all(stage in table for stage in STAGE_ROWS)
    assert "100.0% of 120 frames" in table
    assert "90% in all, 40% with work other than this benchmark" in table
    assert "every run completed" in table and "!!!" not in table


def test_budget_labels_follow_the_threads_the_runs_used():
    assert threads_label(1) == "1 inference thread" and threads_label(3) == "3 inference threads"
    document = results_document()
    model = document["models"]["movenet_lightning"]
    model["baseline_all_threads"]["threads"] = 4  # as from a params file with threads: 4
    for run in ("graph_all_threads", "graph_unpaced"):
        model[run]["pose"]["threads"] = 4
    model["ratios"] = ratios(model)
    table = format_table(document)
    assert _line(table, "movenet_lightning, 4 inference threads ").endswith("1.07x   NOT met")
    assert "(0.57x the seed loop on 4 inference threads)" in table
    assert "camera paced, threads 4" in table and "threads: 0" not in table


def _line(table: str, start: str) -> str:
    """Return the one line of ``table`` that starts with ``start``."""
    (line,) = [line for line in table.splitlines() if line.startswith(start)]
    return line


@pytest.mark.parametrize("fps, verdict", [(60.0, "1.20x   met"), (59.5, "1.19x   NOT met")])
def test_throughput_goal_is_met_from_the_goal_ratio_on(fps, verdict):
    document = results_document()
    model = document["models"]["movenet_lightning"]
    model["graph_one_thread"]["fps"] = fps
    model["ratios"] = ratios(model)
    assert _line(format_table(document), ONE_THREAD).endswith(verdict)


STARVED = account(
    AT_30_FPS,
    {"published": range(1, 401), "posed": range(101, 174), "delivered": range(101, 174)},
    100,
    complete=False,
    stop="no pose frame for 10 s",
).report()


def lossy_document():
    """Return issue 11's run as a document: throughput and latency runs that lost frames."""
    document = results_document()
    model = document["models"]["movenet_lightning"]
    lost = account(
        EVERY_FRAME, {"published": range(1, 50), "posed": [], "delivered": [1, 2, 5]}, 0, True
    ).report()
    model["graph_one_thread"].update(fps=math.nan, lost=[lost])
    model["ratios"] = ratios(model)
    model["latency"]["capture_to_udp"] = summary_ms([])
    model["latency"]["lost"] = [STARVED]
    return document


def test_a_lossy_run_prints_what_it_lost_instead_of_a_ratio_or_a_verdict():
    table = format_table(lossy_document())
    throughput = _line(table, ONE_THREAD)
    assert "not met (run lost frames)" in throughput and "x " not in throughput
    assert "nan" not in throughput
    assert "!!! LOST 2 of 5 frames after warm-up (0 allowed; published 49" in table
    latency = next(line for line in table.splitlines() if "-> UDP datagram" in line)
    assert latency.endswith("goal p95 <= 12: not met (run lost frames)")
    assert ": met" not in latency and "nan" not in latency
    assert f"!!! {STARVED}" in table and "LOST 227 of 300 frames" in table


def test_failures_list_lost_frames_and_clean_runs_have_none():
    assert failures(results_document()) == []
    lines = failures(lossy_document())
    assert lines[0].startswith("movenet_lightning graph_one_thread: LOST 2 of 5 frames")
    assert "movenet_lightning ratio at 1 inference thread: no figure" in lines
    assert f"movenet_lightning latency: {STARVED}" in lines
    document = results_document()
    document["transport"] = {"runs": {"raw": {"lost": [STARVED]}, "compressed": {"lost": []}}}
    assert failures(document) == [f"transport raw: {STARVED}"]


def _exited_non_zero(document):
    document["models"]["movenet_lightning"]["graph_all_threads"]["exit_codes"]["pose_node"] = -9


def _timed_out(document):
    model = document["models"]["movenet_lightning"]
    stopped = "LOST 0 of 0; stopped: timed out after 180 s"
    model["graph_unpaced"].update(fps=math.nan, lost=[stopped])


def _no_baseline(document):
    model = document["models"]["movenet_lightning"]
    model["baseline_all_threads"]["fps"] = None  # as read back from the JSON
    model["ratios"] = ratios(model)


def _no_stage(document):
    document["models"]["movenet_lightning"]["stages_ms"]["bridge"] = math.nan


@pytest.mark.parametrize(
    "spoil, problem",
    [
        (_exited_non_zero, "movenet_lightning graph_all_threads: pose_node exited with code -9"),
        (_timed_out, "movenet_lightning graph_unpaced: LOST 0 of 0; stopped: timed out after 180"),
        (_no_baseline, "movenet_lightning baseline_all_threads: no frames/s"),
        (_no_stage, "movenet_lightning stages: no figure for bridge"),
    ],
)
def test_a_run_that_did_not_complete_fails_loudly_with_exit_1(spoil, problem, tmp_path, capsys):
    document = results_document()
    spoil(document)
    assert any(line.startswith(problem) for line in failures(document))
    table = format_table(document)
    assert "!!! " in table and f"!!! {problem}" in table and "every run completed" not in table
    path = write_json(document, tmp_path / "results.json")
    assert main([str(path)]) == 1
    assert f"!!! {problem}" in capsys.readouterr().out


def test_report_of_complete_results_exits_0(tmp_path, capsys):
    assert main([str(write_json(results_document(), tmp_path / "results.json"))]) == 0
    assert "!!!" not in capsys.readouterr().out


def test_a_transport_watcher_that_did_not_exit_0_is_a_failure(tmp_path):
    codes = {"camera_node": 0, "pose_node": 0, "udp_bridge_node": 0, WATCHER: 1}
    run = transport_figures(tmp_path / "transport-raw.json", 10, 0, codes)
    document = results_document()
    document["transport"] = {"runs": {"raw": run}}
    assert f"transport raw: {WATCHER} exited with code 1" in failures(document)


def transport_section():
    measured = {
        "published": 400,
        "delivered": 399,
        "camera_link_bytes_per_frame": 1_334_000.0,
        "capture_to_udp": summary_ms([20.0, 22.0, 30.0]),
        "lost": [],
    }
    return {
        "model": "movenet_lightning",
        "source_fps": 30.0,
        "jpeg_quality": 90,
        "message_bytes": {"raw": 1_327_164.0, "compressed": 95_000.0},
        "runs": {
            "raw": {**measured, "frame_account": {}},
            "compressed": {**measured, "frame_account": {}, "lost": [STARVED]},
        },
    }


def test_transport_section_shows_bytes_and_latency_or_what_was_lost():
    document = results_document()
    document["transport"] = transport_section()
    lines = format_table(document).split("transport: ")[1].splitlines()
    raw = next(line for line in lines if line.startswith("raw "))
    assert raw.split() == ["raw", "1327.2", "1334.0", "400", "399", "22.00", "29.20"]
    compressed = next(line for line in lines if line.startswith("compressed "))
    assert compressed.split()[:4] == ["compressed", "95.0", "1334.0", "400"]
    assert compressed.endswith("-") and f"  !!! {STARVED}" in lines
    document["transport"] = {"skipped": "not root: no CAP_NET_ADMIN (uid 1000)"}
    assert "skipped: not root: no CAP_NET_ADMIN (uid 1000)" in format_table(document)


def test_json_round_trips_with_nan_as_null(tmp_path):
    document = results_document()
    document["models"]["movenet_lightning"]["graph_one_thread"]["fps"] = math.nan
    loaded = json.loads(write_json(document, tmp_path / "results.json").read_text())
    model = loaded["models"]["movenet_lightning"]
    assert model["graph_one_thread"]["fps"] is None
    assert set(model) == {
        "baseline_one_thread",
        "baseline_all_threads",
        "graph_one_thread",
        "graph_all_threads",
        "graph_unpaced",
        "ratios",
        "latency",
        "stages_ms",
    }
    assert model["ratios"]["one_thread"]["threads"] == 1
    assert model["latency"]["capture_to_udp"]["p95"] == pytest.approx(12.8)


def test_chart_is_a_png_of_the_expected_size(tmp_path):
    document = results_document()["models"]["movenet_lightning"]
    path = draw_chart(
        {"movenet_lightning": document["stages_ms"]},
        {"movenet_lightning": document["latency"]["samples_ms"]},
        tmp_path / "chart.png",
        12.0,
        {"movenet_lightning": {"one_thread": 0.85, "all_threads": math.nan}},
    )
    image = cv2.imread(str(path))
    assert image.shape == (HEIGHT, WIDTH, 3)
    assert (image < 255).any()


def test_params_file_changes_only_the_parameters_given(tmp_path):
    camera = {"fps": 0.0, "max_frames_in_flight": 2}
    path = write_params_file(tmp_path / "params.yaml", camera, {"threads": 1})
    params = yaml.safe_load(path.read_text())
    camera = params[block_key("camera_node")]["ros__parameters"]
    assert camera["fps"] == 0.0 and isinstance(camera["fps"], float)
    assert camera["max_frames_in_flight"] == 2 and camera["loop"] is False
    pose = params[block_key("pose_node")]["ros__parameters"]
    assert pose["model"] == "movenet_lightning" and pose["threads"] == 1


def test_pose_node_figures_read_the_status_the_pose_node_publishes():
    stats = PoseStats()
    statuses = []
    for _ in range(4):
        stats.received()
        stats.processed(12.0)
        stats.dropped(1)
        status = pose_status("/pose_node", "m", 1.0, stats.take_window(), stats, age_s=0.1,
                             stale_warn_s=2.0)  # fmt: skip
        statuses.append({value.key: value.value for value in status.values})
    run = GraphRun(frames=[], account=None, pose_diagnostics=statuses)
    figures = pose_node_figures(run)
    assert figures == {
        "input_rate_hz": 2.0,
        "output_rate_hz": 1.0,
        "inference_ms_mean": 12.0,
        "dropped_frames_total": 4.0,
    }


def test_camera_bench_starts_the_graph_camera_with_its_params_file():
    command = camera_command(Path("/data/video.avi"), "mono8")
    assert command[0].endswith(f"/{graph.CAMERA}")
    assert command[command.index("--params-file") + 1] == str(default_params_file())
    parameters = {command[i + 1] for i, word in enumerate(command) if word == "-p"}
    wanted = {"source:=/data/video.avi", "fps:=0.0", "encoding:=mono8", "wait_for_readers:=1"}
    assert wanted <= parameters


def test_sink_keeps_the_first_datagram_of_each_frame_with_its_latency():
    sink = DatagramSink()
    sink.start()
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        stamp_ns = time.time_ns() - 5_000_000  # captured 5 ms ago
        frame = frame_of(20)  # more people than fit one 1200-byte datagram
        datagrams = encode_frame(frame, WireHeader(7, 1, *divmod(stamp_ns, 10**9), "cam"), 1200)
        assert len(datagrams) > 1
        for datagram in [*datagrams, b"\xc1not msgpack"]:
            sender.sendto(datagram, ("127.0.0.1", sink.port))
        deadline = time.monotonic() + 10.0
        while sink.malformed == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        sender.close()
        sink.close()
    assert len(sink.frames) == 1 and sink.malformed == 1
    assert sink.frames[0].latency_ms >= 5.0
    assert 0 < sink.frames[0].people < 20
    assert np.isfinite(sink.frames[0].arrival_s)
