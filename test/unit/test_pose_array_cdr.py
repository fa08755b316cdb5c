"""PoseArrays written and read as CDR agree with rclpy's own serialization, both ways."""

import numpy as np
import pytest
from rclpy.serialization import deserialize_message, serialize_message
from std_msgs.msg import Header

from pose_estimation_ros.core.skeletons import COCO17, OPENPOSE18
from pose_estimation_ros.core.types import Person, PoseFrame, box_around
from pose_estimation_ros.msg import PoseArray
from pose_estimation_ros.nodes.conversions import pose_frame_to_msg
from pose_estimation_ros.nodes.pose_array_cdr import read_pose_array, serialize_pose_array


def pose_frame(people: int, layout=COCO17, model: str = "movenet_lightning") -> PoseFrame:
    """Build a frame of ``people`` people with random keypoints."""
    rng = np.random.default_rng(people)
    persons = []
    for index in range(people):
        keypoints = rng.uniform(0, 640, (layout.num_keypoints, 3)).astype(np.float32)
        keypoints[:, 2] = rng.uniform(0, 1, layout.num_keypoints)
        persons.append(Person(keypoints, float(rng.uniform()), box_around(keypoints), index - 1))
    return PoseFrame(model, layout, 640, 480, persons)


def header(frame_id: str) -> Header:
    """Build a header stamped at an arbitrary time."""
    result = Header(frame_id=frame_id)
    result.stamp.sec, result.stamp.nanosec = 1_795_000_123, 987_654_321
    return result


# Frame ids and model names of every length modulo 4 (string padding), both layouts.
CASES = [
    (0, COCO17, "camera_optical_frame", "movenet_lightning"),
    (1, COCO17, "", "m"),
    (3, OPENPOSE18, "c", "openpose_hpe0001"),
    (2, OPENPOSE18, "cam", "ab"),
    (6, COCO17, "kamera_ö", "abc"),
]


@pytest.mark.parametrize("people, layout, frame_id, model", CASES)
def test_written_bytes_are_the_message_rclpy_builds(people, layout, frame_id, model):
    frame, stamp = pose_frame(people, layout, model), header(frame_id)
    written = deserialize_message(serialize_pose_array(frame, stamp), PoseArray)
    # Through rclpy too: float32 fields hold Python floats until serialized.
    expected = serialize_message(pose_frame_to_msg(frame, stamp))
    assert written == deserialize_message(expected, PoseArray)


@pytest.mark.parametrize("people, layout, frame_id, model", CASES)
def test_rclpy_serialized_messages_read_back_as_the_frame(people, layout, frame_id, model):
    frame, stamp = pose_frame(people, layout, model), header(frame_id)
    read_header, read = read_pose_array(serialize_message(pose_frame_to_msg(frame, stamp)))
    assert read_header == stamp
    assert (read.model, read.layout, read.image_width, read.image_height) == (
        model,
        layout,
        640,
        480,
    )
    assert len(read.people) == people
    for got, want in zip(read.people, frame.people):
        np.testing.assert_array_equal(got.keypoints, want.keypoints)
        assert got.track_id == want.track_id
        assert got.score == pytest.approx(want.score, rel=1e-6)
        assert got.box == pytest.approx(want.box, rel=1e-6)


def test_malformed_bytes_and_unknown_layouts_are_value_errors():
    serialized = serialize_pose_array(pose_frame(2), header("camera"))
    for cut in (10, 60, len(serialized) - 4):
        with pytest.raises(ValueError):
            read_pose_array(serialized[:cut])
    msg = pose_frame_to_msg(pose_frame(1), header("camera"))
    msg.layout = "body25"
    with pytest.raises(ValueError, match="body25"):
        read_pose_array(serialize_message(msg))
