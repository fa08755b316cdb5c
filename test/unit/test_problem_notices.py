"""Each distinct bad-image problem is named once, and the latest one is on /diagnostics."""

from pose_estimation_ros.core.image_encoding import ImageEncodingError, image_view
from pose_estimation_ros.nodes.pose_diagnostics import PoseStats, ProblemNotices, pose_status


def _problem(encoding: str, width: int = 2) -> ImageEncodingError:
    try:
        image_view(bytes(16), encoding, width, 2, 8)
    except ImageEncodingError as error:
        return error
    raise AssertionError(f"{encoding} {width}x2 was accepted")


def test_each_cause_and_encoding_is_named_once():
    notices = ProblemNotices()
    errors = [_problem("yuv422"), _problem("rgb16"), _problem("bgr8", 0), _problem("yuv422")]
    errors += [_problem("rgb8", 0), _problem("rgb16"), _problem("bgr8", 0)]
    lines = [notices.first(e.problem, str(e)) for e in errors]
    named = [line for line in lines if line]
    assert len(named) == 4, lines
    assert "'yuv422'" in named[0] and "'rgb16'" in named[1]
    assert "empty image (0x2)" in named[2] and "empty image (0x2)" in named[3]
    assert all("dropped silently" in line for line in named)


def test_named_problems_are_capped_and_the_cap_is_said_once():
    notices = ProblemNotices(max_named=3)
    lines = [notices.first(("unsupported_encoding", f"enc{k}"), f"enc{k}") for k in range(10)]
    assert [bool(line) for line in lines] == [True] * 4 + [False] * 6
    assert "3 kinds of bad image named already" in lines[3]


def test_the_latest_rejection_is_a_diagnostics_value():
    stats = PoseStats()
    stats.rejected("image 4097x1 is wider than 4096 px")
    window = stats.take_window()
    age = {"age_s": 0.1, "stale_warn_s": 2.0}
    status = pose_status("/pose_node", "m", 1.0, window, stats, **age)
    values = {v.key: v.value for v in status.values}
    assert values["last_rejection"] == "image 4097x1 is wider than 4096 px"
    assert values["rejected_frames_total"] == "1"
