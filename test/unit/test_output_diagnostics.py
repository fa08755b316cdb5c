"""The output nodes' ``/diagnostics`` status (``nodes.output_diagnostics``): level and values."""

import pytest
from diagnostic_msgs.msg import DiagnosticStatus

from pose_estimation_ros.nodes.output_diagnostics import OutputCounts, output_status


@pytest.mark.parametrize(
    "counts, level, message",
    [
        (OutputCounts(30, 0, 60), DiagnosticStatus.OK, "publishing REP-155 bodies"),
        (OutputCounts(0, 0, 0), DiagnosticStatus.WARN, "no PoseArray arrived"),
        (OutputCounts(30, 1, 58), DiagnosticStatus.ERROR, "PoseArrays refused (see the log)"),
    ],
)
def test_status_says_what_the_period_was(counts, level, message):
    status = output_status("/robot/hri_node", "REP-155 bodies", 1.0, counts, {"bodies": "2"})
    assert status.name == "/robot/hri_node: REP-155 bodies"
    assert (status.level, status.message) == (level, message)
    values = {kv.key: kv.value for kv in status.values}
    assert values == {
        "poses_per_s": f"{counts.poses_received:.1f}",
        "published_per_s": f"{counts.published:.1f}",
        "refused": str(counts.refused),
        "bodies": "2",
    }
