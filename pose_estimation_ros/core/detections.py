"""People of a pose frame as 2D detections (``vision_msgs/Detection2D``'s fields), no ROS.

Each person is one detection of class ``person`` with the person's score; its box is the
person's box in source-image pixels as centre and size (not clipped to the image: the
box is the pose node's), its id the track id as text, empty for an untracked person.
"""

from __future__ import annotations

from dataclasses import dataclass

from pose_estimation_ros.core.types import UNTRACKED, Person, PoseFrame

PERSON_CLASS = "person"  # ObjectHypothesis.class_id of every detection


@dataclass(frozen=True)
class PersonDetection:
    """One person as a detection: id, class score and box centre and size in pixels."""

    id: str
    score: float
    center_x: float
    center_y: float
    size_x: float
    size_y: float
    class_id: str = PERSON_CLASS


def person_detection(person: Person) -> PersonDetection:
    """Return ``person`` as a detection."""
    x_min, y_min, x_max, y_max = (float(v) for v in person.box)
    return PersonDetection(
        "" if person.track_id == UNTRACKED else str(person.track_id),
        float(person.score),
        (x_min + x_max) / 2,
        (y_min + y_max) / 2,
        x_max - x_min,
        y_max - y_min,
    )


def detections(frame: PoseFrame) -> list[PersonDetection]:
    """Return every person of ``frame`` as a detection, in the frame's order."""
    return [person_detection(person) for person in frame.people]
