"""People as vision_msgs detections: ``core.detections`` and the node's message building."""

import numpy as np
import pytest
from std_msgs.msg import Header

from pose_estimation_ros.core.detections import PERSON_CLASS, detections
from pose_estimation_ros.core.skeletons import COCO17
from pose_estimation_ros.core.types import UNTRACKED, Person, PoseFrame
from pose_estimation_ros.nodes.detections_node import detection_msg


def _frame() -> PoseFrame:
    keypoints = np.zeros((COCO17.num_keypoints, 3), np.float32)
    people = [
        Person(keypoints, 0.75, (10.0, 20.0, 110.0, 220.0), 4),
        Person(keypoints, 0.5, (-5.0, 0.5, 700.0, 479.5), UNTRACKED),
    ]
    return PoseFrame("movenet_multipose", COCO17, 640, 480, people)


def test_each_person_is_a_person_detection_with_its_box_as_centre_and_size():
    tracked, untracked = detections(_frame())
    assert (tracked.id, tracked.class_id, tracked.score) == ("4", PERSON_CLASS, 0.75)
    assert (tracked.center_x, tracked.center_y, tracked.size_x, tracked.size_y) == (
        60.0, 120.0, 100.0, 200.0
    )
    assert untracked.id == ""  # vision_msgs: "This field may be empty"
    # The pose node's box as it is, in pixels, not clipped to the image.
    assert (untracked.center_x, untracked.size_x) == pytest.approx((347.5, 705.0))


def test_the_message_carries_the_image_header_the_class_and_the_box():
    header = Header(frame_id="cam1_optical")
    header.stamp.sec, header.stamp.nanosec = 12, 345
    msg = detection_msg(detections(_frame())[0], header)
    assert msg.header == header and msg.id == "4"
    (result,) = msg.results
    assert (result.hypothesis.class_id, result.hypothesis.score) == ("person", 0.75)
    assert (msg.bbox.center.position.x, msg.bbox.center.position.y) == (60.0, 120.0)
    assert (msg.bbox.size_x, msg.bbox.size_y, msg.bbox.center.theta) == (100.0, 200.0, 0.0)
