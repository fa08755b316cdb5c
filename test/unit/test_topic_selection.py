"""The recorder's choice of topics: names resolved, typed ones at once, patterns as they come."""

import pytest

from pose_estimation_ros.core.topic_selection import Scan, TopicSelection, absolute_name

GRAPH = {
    "/robot1/image_raw": ["sensor_msgs/msg/Image"],
    "/robot1/poses": ["pose_estimation_ros/msg/PoseArray"],
    "/diagnostics": ["diagnostic_msgs/msg/DiagnosticArray"],
    "/humans/bodies/tracked": ["hri_msgs/msg/IdsList"],
    "/humans/bodies/b1_ab/roi": ["hri_msgs/msg/NormalizedRegionOfInterest2D"],
    "/humans/bodies/b1_ab/skeleton2d": ["hri_msgs/msg/Skeleton2D"],
    "/humans/bodies/b1_ab/extra/roi": ["hri_msgs/msg/NormalizedRegionOfInterest2D"],
}


@pytest.mark.parametrize(
    "name, namespace, expected",
    [
        ("poses", "", "/poses"),
        ("cam1/poses", "/robot1", "/robot1/cam1/poses"),
        ("/diagnostics", "/robot1", "/diagnostics"),
        ("poses/", "robot1/", "/robot1/poses"),
    ],
)
def test_names_resolve_in_the_namespace_unless_absolute(name, namespace, expected):
    assert absolute_name(name, namespace) == expected


@pytest.mark.parametrize("name", ["", " ", "~/poses", "{node}/poses"])
def test_names_a_recorder_cannot_resolve_are_refused(name):
    with pytest.raises(ValueError, match="relative to the recorder's namespace or absolute"):
        absolute_name(name, "/robot1")


def test_typed_topics_are_apart_and_never_come_from_a_scan():
    selection = TopicSelection(
        ["image_raw:sensor_msgs/msg/Image", "poses", "/diagnostics : diagnostic_msgs/msg/X"],
        [],
        "/robot1",
    )
    assert selection.typed == {
        "/robot1/image_raw": "sensor_msgs/msg/Image",
        "/diagnostics": "diagnostic_msgs/msg/X",
    }
    assert selection.untyped == ("/robot1/poses",)
    scan = selection.scan(GRAPH, subscribed=set(selection.typed))
    assert scan.subscribe == [("/robot1/poses", "pose_estimation_ros/msg/PoseArray")]
    assert scan.other_type == ["/diagnostics"]  # published as DiagnosticArray: never matches


def test_an_untyped_topic_waits_for_its_publisher():
    selection = TopicSelection(["cam2/poses"], [], "/robot1")
    assert selection.scan(GRAPH, set()) == Scan(waiting_for=["/robot1/cam2/poses"])
    later = {**GRAPH, "/robot1/cam2/poses": ["pose_estimation_ros/msg/PoseArray"]}
    assert selection.scan(later, set()).subscribe == [
        ("/robot1/cam2/poses", "pose_estimation_ros/msg/PoseArray")
    ]
    assert selection.scan(later, {"/robot1/cam2/poses"}) == Scan()


def test_a_pattern_token_matches_one_name_token_and_its_topics_come_and_go():
    selection = TopicSelection([], ["/humans/bodies/*/roi", "/humans/bodies/*/skeleton2d"], "")
    scan = selection.scan(GRAPH, set())
    assert scan.subscribe == [
        ("/humans/bodies/b1_ab/roi", "hri_msgs/msg/NormalizedRegionOfInterest2D"),
        ("/humans/bodies/b1_ab/skeleton2d", "hri_msgs/msg/Skeleton2D"),
    ]  # not .../b1_ab/extra/roi: '*' is one token
    body_left = {k: v for k, v in GRAPH.items() if "b1_ab" not in k}
    held = {"/humans/bodies/b1_ab/roi", "/humans/bodies/b1_ab/skeleton2d"}
    assert selection.scan(body_left, held).gone == sorted(held)
    assert selection.scan(GRAPH, held) == Scan()


def test_a_topic_with_several_types_is_left_out_and_reported():
    selection = TopicSelection(["/mixed"], ["/humans/*"], "")
    mixed = {"/mixed": ["std_msgs/msg/String", "std_msgs/msg/Int32"], "/humans/x": ["a/msg/B"]}
    scan = selection.scan(mixed, set())
    assert scan.several_types == ["/mixed"]
    assert scan.subscribe == [("/humans/x", "a/msg/B")]


@pytest.mark.parametrize(
    "topics, patterns, error",
    [
        ([], [], "nothing to record"),
        (["poses:PoseArray"], [], "its type must read pkg/msg/Name"),
        (["~/poses"], [], "no '~'"),
    ],
)
def test_a_selection_that_cannot_work_is_refused(topics, patterns, error):
    with pytest.raises(ValueError, match=error):
        TopicSelection(topics, patterns, "")
