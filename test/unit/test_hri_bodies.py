"""REP-155 bodies from pose frames (``core.hri_bodies``): order, neck, normalisation, ids."""

import re

import numpy as np
import pytest
from hri_msgs.msg import Skeleton2D

from pose_estimation_ros.core import hri_bodies
from pose_estimation_ros.core.hri_bodies import (
    REP155_KEYPOINT_NAMES,
    LiveBodies,
    bodies,
    body_id,
    camera_tags,
    new_run_tag,
    region,
    rep155_order,
    skeleton,
)
from pose_estimation_ros.core.skeletons import COCO17, LAYOUTS, OPENPOSE18, Layout
from pose_estimation_ros.core.types import UNTRACKED, Person, PoseFrame

WIDTH, HEIGHT = 640, 480


def test_the_order_is_skeleton2d_s_constants():
    """Each name's index is the message's constant of that name, and there are no others."""
    constants = {
        name: getattr(Skeleton2D, name)
        for name in dir(Skeleton2D)
        if name.isupper() and isinstance(getattr(Skeleton2D, name), int)
    }
    assert constants == {name.upper(): i for i, name in enumerate(REP155_KEYPOINT_NAMES)}
    array = Skeleton2D.get_fields_and_field_types()["skeleton"]
    assert array == f"hri_msgs/NormalizedPointOfInterest2D[{len(REP155_KEYPOINT_NAMES)}]"


def test_the_eyes_and_ears_are_not_in_openpose18_s_order():
    """Why the order is looked up by name: a positional copy of openpose18 would swap them."""
    assert OPENPOSE18.keypoint_names != REP155_KEYPOINT_NAMES
    assert sorted(OPENPOSE18.keypoint_names) == sorted(REP155_KEYPOINT_NAMES)


def _keypoints(layout: Layout) -> np.ndarray:
    """Distinct pixels and scores per keypoint: x = 10 * index + 5, y = 8 * index + 3."""
    index = np.arange(layout.num_keypoints, dtype=np.float32)
    return np.stack([10 * index + 5, 8 * index + 3, 0.02 + 0.05 * index], axis=1)


@pytest.mark.parametrize("layout", LAYOUTS.values(), ids=lambda layout: layout.name)
def test_every_point_is_its_named_keypoint_normalised(layout):
    keypoints = _keypoints(layout)
    points = skeleton(keypoints, layout, WIDTH, HEIGHT)
    assert points.shape == (18, 3) and points.dtype == np.float32
    for rep_index, name in enumerate(REP155_KEYPOINT_NAMES):
        if name == "neck" and "neck" not in layout.keypoint_names:
            continue
        x, y, score = keypoints[layout.index(name)]
        np.testing.assert_allclose(points[rep_index], (x / WIDTH, y / HEIGHT, score), rtol=1e-6)


def test_coco17_s_neck_is_the_mid_shoulder_point_with_the_lower_score():
    keypoints = _keypoints(COCO17)
    left, right = COCO17.index("left_shoulder"), COCO17.index("right_shoulder")
    keypoints[left] = (100.0, 200.0, 0.9)
    keypoints[right] = (300.0, 220.0, 0.4)
    neck = skeleton(keypoints, COCO17, WIDTH, HEIGHT)[Skeleton2D.NECK]
    np.testing.assert_allclose(neck, (200.0 / WIDTH, 210.0 / HEIGHT, 0.4), rtol=1e-6)
    keypoints[left, 2], keypoints[right, 2] = 0.1, 0.8
    assert skeleton(keypoints, COCO17, WIDTH, HEIGHT)[Skeleton2D.NECK][2] == pytest.approx(0.1)


def test_openpose18_keeps_its_own_neck():
    keypoints = _keypoints(OPENPOSE18)
    keypoints[OPENPOSE18.index("neck")] = (64.0, 48.0, 0.77)
    neck = skeleton(keypoints, OPENPOSE18, WIDTH, HEIGHT)[Skeleton2D.NECK]
    np.testing.assert_allclose(neck, (0.1, 0.1, 0.77), rtol=1e-6)
    assert rep155_order(OPENPOSE18)[Skeleton2D.LEFT_EYE] == OPENPOSE18.index("left_eye") == 15


def test_points_outside_the_image_and_non_finite_ones_are_clipped():
    keypoints = _keypoints(COCO17)
    keypoints[COCO17.index("nose")] = (-20.0, 500.0, 1.5)
    keypoints[COCO17.index("left_wrist")] = (np.nan, 10.0, 0.9)
    points = skeleton(keypoints, COCO17, WIDTH, HEIGHT)
    np.testing.assert_array_equal(points[Skeleton2D.NOSE], (0.0, 1.0, 1.0))
    np.testing.assert_array_equal(points[Skeleton2D.LEFT_WRIST], (0.0, 0.0, 0.0))
    assert ((points >= 0) & (points <= 1)).all()


def test_the_region_is_the_box_normalised_and_clipped_with_the_person_score():
    assert region((64.0, 48.0, 320.0, 240.0), 0.7, WIDTH, HEIGHT) == pytest.approx(
        (0.1, 0.1, 0.5, 0.5, 0.7)
    )
    assert region((-10.0, -5.0, 700.0, 479.0), 0.5, WIDTH, HEIGHT) == pytest.approx(
        (0.0, 0.0, 1.0, 479.0 / HEIGHT, 0.5)
    )


def test_a_layout_without_the_rep155_keypoints_is_refused():
    partial = Layout("face", ("nose", "left_eye", "right_eye"), ())
    assert rep155_order(COCO17)[Skeleton2D.NECK] == -1  # from the shoulders
    with pytest.raises(ValueError, match="^layout face has no neck, right_shoulder, right_elbow,"):
        rep155_order(partial)


def _person(track_id: int, layout: Layout = COCO17) -> Person:
    return Person(_keypoints(layout), 0.8, (10.0, 20.0, 110.0, 220.0), track_id)


def test_bodies_are_the_tracked_people_named_by_camera_track_and_run():
    people = [_person(3), _person(UNTRACKED), _person(5), _person(3)]
    frame = PoseFrame("movenet_multipose", COCO17, WIDTH, HEIGHT, people)
    found = bodies(frame, "cam2_", "kqzx")
    assert [b.body_id for b in found] == ["cam2_b3_kqzx", "cam2_b5_kqzx"]
    assert found[0].roi == pytest.approx(region(people[0].box, 0.8, WIDTH, HEIGHT))
    expected = skeleton(people[2].keypoints, COCO17, WIDTH, HEIGHT)
    np.testing.assert_array_equal(found[1].skeleton, expected)


def test_a_frame_without_an_image_size_is_refused():
    with pytest.raises(ValueError, match="image size 0x480: cannot normalise"):
        bodies(PoseFrame("m", COCO17, 0, 480, [_person(1)]), "", "abcd")


def test_ids_are_valid_topic_tokens_unique_per_camera_and_run():
    run = new_run_tag()
    assert re.fullmatch(r"[a-z]{4}", run)
    prefixes = camera_tags(["cam1", "robot/cam2", "/front/"])
    assert prefixes == {"cam1": "cam1_", "robot/cam2": "robot_cam2_", "/front/": "front_"}
    assert camera_tags([""]) == {"": ""}
    ids = {body_id(prefix, 7, run) for prefix in prefixes.values()} | {body_id("", 7, run)}
    assert len(ids) == 4
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", i) for i in ids), ids
    assert hri_bodies.skeleton_body_topic("b7_abcd") == "/humans/bodies/b7_abcd/skeleton2d"
    assert hri_bodies.roi_body_topic("b7_abcd") == "/humans/bodies/b7_abcd/roi"


def test_cameras_that_would_share_a_prefix_are_refused():
    with pytest.raises(ValueError, match=r"cameras \['a/b', 'a_b'\] give the same body-id"):
        camera_tags(["a/b", "a_b"])


def test_live_bodies_follow_each_camera_s_last_frame_and_expire_with_a_silent_camera():
    live = LiveBodies()
    assert live.update("cam1", ["a", "b"], 0.0) == (["a", "b"], [])
    assert live.update("cam2", ["c"], 0.1) == (["c"], [])
    assert live.tracked == ["a", "b", "c"]
    assert live.update("cam1", ["b", "d"], 0.2) == (["d"], ["a"])
    assert live.tracked == ["b", "d", "c"]
    assert live.expire(1.0, timeout_s=2.0) == []
    assert live.update("cam1", ["b"], 2.05) == ([], ["d"])
    assert live.expire(2.2, timeout_s=2.0) == ["c"]  # cam2 silent since 0.1
    assert live.tracked == ["b"]
    assert live.expire(2.3, timeout_s=2.0) == []  # told once
    assert live.update("cam2", ["c"], 2.4) == (["c"], [])  # back: a body again
