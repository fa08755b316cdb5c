"""``PoseArray`` to and from core pose frames, and the stamp of any stamped message.

Images to and from BGR arrays are in ``nodes.image_conversions``, which loads no message of
this package (the camera uses it).
"""

from __future__ import annotations

import numpy as np
from std_msgs.msg import Header

from pose_estimation_ros.core.skeletons import get_layout
from pose_estimation_ros.core.types import Person, PoseFrame
from pose_estimation_ros.msg import Keypoint, PersonPose, PoseArray


def stamp_ns(msg: object) -> int:
    """Return the ``header.stamp`` of a stamped message in nanoseconds."""
    return msg.header.stamp.sec * 1_000_000_000 + msg.header.stamp.nanosec


def person_to_msg(person: Person) -> PersonPose:
    """Build a ``PersonPose`` carrying every keypoint of the person, in layout order."""
    x_min, y_min, x_max, y_max = person.box
    return PersonPose(
        id=int(person.track_id),
        score=float(person.score),
        x_min=float(x_min),
        y_min=float(y_min),
        x_max=float(x_max),
        y_max=float(y_max),
        keypoints=[Keypoint(x=x, y=y, score=s) for x, y, s in person.keypoints.tolist()],
    )


def pose_frame_to_msg(frame: PoseFrame, header: Header) -> PoseArray:
    """Build a ``PoseArray`` whose header is the source image's header, verbatim."""
    return PoseArray(
        header=header,
        model=frame.model,
        layout=frame.layout.name,
        image_width=int(frame.image_width),
        image_height=int(frame.image_height),
        poses=[person_to_msg(p) for p in frame.people],
    )


def msg_to_person(msg: PersonPose) -> Person:
    """Core ``Person`` from a ``PersonPose``."""
    keypoints = np.array([(k.x, k.y, k.score) for k in msg.keypoints], dtype=np.float32)
    return Person(
        keypoints=keypoints.reshape(-1, 3),
        score=float(msg.score),
        box=(msg.x_min, msg.y_min, msg.x_max, msg.y_max),
        track_id=int(msg.id),
    )


def msg_to_pose_frame(msg: PoseArray) -> PoseFrame:
    """Build a core ``PoseFrame``; ``ValueError`` for an unknown layout or wrong lengths."""
    return PoseFrame(
        model=msg.model,
        layout=get_layout(msg.layout),
        image_width=msg.image_width,
        image_height=msg.image_height,
        people=[msg_to_person(p) for p in msg.poses],
    )
