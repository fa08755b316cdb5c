"""Layout tables, and the PoseArray constants that repeat them for other languages."""

import pytest

from pose_estimation_ros.core.skeletons import COCO17, LAYOUTS, OPENPOSE18, get_layout
from pose_estimation_ros.msg import PoseArray


@pytest.mark.parametrize("layout, prefix", [(COCO17, "COCO17"), (OPENPOSE18, "OPENPOSE18")])
def test_message_constants_match_tables(layout, prefix):
    assert getattr(PoseArray, f"LAYOUT_{prefix}") == layout.name
    assert (
        tuple(getattr(PoseArray, f"{prefix}_KEYPOINT_NAMES").split(",")) == layout.keypoint_names
    )
    edges = tuple(
        tuple(int(i) for i in e.split("-"))
        for e in getattr(PoseArray, f"{prefix}_EDGES").split(",")
    )
    assert edges == layout.edges


@pytest.mark.parametrize("layout", LAYOUTS.values())
def test_edges_index_existing_keypoints_once(layout):
    assert len(set(layout.edges)) == len(layout.edges)
    assert all(
        0 <= a < layout.num_keypoints and 0 <= b < layout.num_keypoints for a, b in layout.edges
    )


def test_unknown_layout_is_rejected_with_known_names():
    with pytest.raises(ValueError, match="coco17, openpose18"):
        get_layout("body25")
