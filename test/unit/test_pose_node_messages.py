"""What pose_node publishes besides poses: markers, annotated images, diagnostics (no DDS)."""

import numpy as np
import pytest
from diagnostic_msgs.msg import DiagnosticStatus
from std_msgs.msg import Header
from visualization_msgs.msg import Marker

from pose_estimation_ros.core.drawing import draw_people, track_colour
from pose_estimation_ros.core.skeletons import COCO17, OPENPOSE18, Layout
from pose_estimation_ros.core.types import Person, box_around
from pose_estimation_ros.nodes.image_conversions import bgr_to_image_msg, image_msg_to_bgr
from pose_estimation_ros.nodes.pose_diagnostics import PoseStats, pose_status
from pose_estimation_ros.nodes.markers import PIXEL_SIZE_M, people_markers


def person(track_id: int, layout: Layout = COCO17) -> Person:
    count = layout.num_keypoints
    keypoints = np.zeros((count, 3), dtype=np.float32)
    keypoints[:, 0] = np.linspace(10, 90, count) + 100 * track_id
    keypoints[:, 1] = np.linspace(20, 80, count)
    keypoints[:, 2] = 0.9
    keypoints[layout.index("nose"), 2] = 0.1  # the nose is not confident
    return Person(keypoints, 0.8, box_around(keypoints), track_id)


@pytest.mark.parametrize("layout", [COCO17, OPENPOSE18], ids=lambda layout: layout.name)
def test_markers_clear_first_then_joints_and_lines_above_threshold(layout):
    header = Header(frame_id="camera")
    array = people_markers([person(1, layout), person(2, layout)], layout, header, 0.3)
    assert array.markers[0].action == Marker.DELETEALL
    joints, lines = array.markers[1], array.markers[2]
    nose = layout.index("nose")
    assert joints.type == Marker.SPHERE_LIST and len(joints.points) == layout.num_keypoints - 1
    first_shown = person(1, layout).keypoints[1 if nose == 0 else 0]
    assert joints.points[0].x == float(first_shown[0]) * PIXEL_SIZE_M
    nose_edges = sum(1 for a, b in layout.edges if nose in (a, b))
    assert lines.type == Marker.LINE_LIST
    assert len(lines.points) == 2 * (len(layout.edges) - nose_edges)
    assert joints.header.frame_id == "camera"
    other = array.markers[3].color  # the second person's joints
    assert (joints.color.r, joints.color.g, joints.color.b) != (other.r, other.g, other.b)


def test_no_people_gives_only_the_clearing_marker():
    assert [m.action for m in people_markers([], COCO17, Header(), 0.3).markers] == [
        Marker.DELETEALL
    ]


def test_annotated_image_round_trips_through_a_message():
    image = np.zeros((120, 360, 3), dtype=np.uint8)
    drawn = draw_people(image, [person(1)], COCO17, 0.3)
    assert drawn.any() and not image.any()  # drawn on a copy
    red, green, blue = track_colour(1)
    assert (
        (drawn.reshape(-1, 3) == [int(blue * 255), int(green * 255), int(red * 255)]).all(1).any()
    )
    header = Header(frame_id="camera")
    np.testing.assert_array_equal(image_msg_to_bgr(bgr_to_image_msg(drawn, header)), drawn)


FRESH = {"age_s": 0.1, "stale_warn_s": 2.0}  # the last image came 0.1 s ago


def status_of(stats: PoseStats, node: str = "/pose_node", **age) -> DiagnosticStatus:
    """Return the status of the window ``stats`` holds, one second long, for model ``m``."""
    window = stats.take_window()
    return pose_status(node, "m", 1.0, window, stats, **(age or FRESH))


def test_diagnostics_levels_and_values():
    stats = PoseStats()
    never = {"age_s": float("inf"), "stale_warn_s": 2.0}
    assert status_of(stats, **never).level == DiagnosticStatus.WARN  # no images
    for _ in range(2):
        stats.received()
    stats.dropped(2)
    stats.processed(12.0)
    stats.processed(18.0)
    window = stats.take_window()
    status = pose_status("/pose_node", "movenet_lightning", 2.0, window, stats, **FRESH)
    values = {v.key: v.value for v in status.values}
    assert status.level == DiagnosticStatus.OK
    assert values["input_rate_hz"] == "2.00" and values["output_rate_hz"] == "1.00"
    assert values["inference_ms_mean"] == "15.00" and values["dropped_frames_total"] == "2"
    assert values["received_frames_total"] == "2"
    stats.received()
    stats.failed()
    assert status_of(stats).level == DiagnosticStatus.ERROR


def test_latency_is_reported_per_window_mean_p95_and_max():
    stats = PoseStats()
    assert {k: v for k, v in _values(status_of(stats)).items() if "latency" in k} == {
        "latency_ms_mean": "n/a",
        "latency_ms_p95": "n/a",
        "latency_ms_max": "n/a",
    }
    for latency_ms in range(1, 101):  # 1..100 ms
        stats.published(float(latency_ms))
    values = _values(status_of(stats))
    assert values["latency_ms_mean"] == "50.50"
    assert values["latency_ms_p95"] == "96.00" and values["latency_ms_max"] == "100.00"
    assert _values(status_of(stats))["latency_ms_max"] == "n/a"  # a new window


def _values(status: DiagnosticStatus) -> dict[str, str]:
    return {v.key: v.value for v in status.values}


def test_frames_lost_on_the_way_warn_and_lower_the_receive_ratio():
    stats = PoseStats()
    for _ in range(3):
        stats.received()
        stats.processed(10.0)
    stats.dropped(1)
    stats.lost(4)
    status = status_of(stats)
    values = {v.key: v.value for v in status.values}
    assert status.level == DiagnosticStatus.WARN and "4 of 8 images lost" in status.message
    assert values["receive_ratio"] == "0.375" and values["lost_frames_total"] == "4"
    assert values["input_rate_hz"] == "8.00"


def test_status_is_named_by_the_fully_qualified_node_name():
    # Two graphs in namespaces cam1 and cam2: their statuses must be told apart.
    stats = PoseStats()
    names = [status_of(stats, node).name for node in ("/cam1/pose_node", "/cam2/pose_node")]
    assert names == ["/cam1/pose_node: pose estimation", "/cam2/pose_node: pose estimation"]
