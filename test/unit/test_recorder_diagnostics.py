"""The MCAP recorder's /diagnostics status: a loss stays an error, per-topic counts as values."""

import pytest
from diagnostic_msgs.msg import DiagnosticStatus

from pose_estimation_ros.core.topic_selection import Scan
from pose_estimation_ros.nodes.recorder_diagnostics import TopicCounts, recorder_status

WHOLE = TopicCounts(received=120, written=120)


def status(counts: dict[str, TopicCounts], scan: Scan = Scan()) -> DiagnosticStatus:
    return recorder_status("/robot1/mcap_recorder_node", "/tmp/run1", counts, scan)


def test_a_whole_recording_is_ok_with_each_topic_counted():
    result = status({"/poses": WHOLE, "/image_raw": TopicCounts(120, 120, 0, 1)})
    assert result.level == DiagnosticStatus.OK
    assert result.name == "/robot1/mcap_recorder_node: MCAP recorder"
    assert (result.message, result.hardware_id) == ("recording 2 topics", "/tmp/run1")
    assert {v.key: v.value for v in result.values} == {
        "/image_raw": "received 120, written 120, lost 0, 1 sent before subscribed",
        "/poses": "received 120, written 120, lost 0, 0 sent before subscribed",
    }


@pytest.mark.parametrize(
    "counts, scan, level, message",
    [
        ({"/poses": TopicCounts(120, 119)}, Scan(), DiagnosticStatus.ERROR,
         "messages not written (see the log): /poses"),
        ({"/poses": TopicCounts(118, 118, 2)}, Scan(), DiagnosticStatus.ERROR,
         "messages lost before the recorder: /poses"),
        ({"/poses": WHOLE}, Scan(other_type=["/x"]), DiagnosticStatus.ERROR,
         "published with another type: /x"),
        ({"/poses": WHOLE}, Scan(several_types=["/x"]), DiagnosticStatus.WARN,
         "not recorded, several types: /x"),
        ({}, Scan(waiting_for=["/robot1/poses"]), DiagnosticStatus.WARN,
         "waiting for publishers of /robot1/poses"),
    ],
)
def test_what_is_missing_sets_the_level(counts, scan, level, message):
    result = status(counts, scan)
    assert (result.level, result.message) == (level, message)
