"""``visualization_msgs/MarkerArray`` of people: joints and skeleton lines per person.

Markers live in the image's frame, one pixel drawn as ``PIXEL_SIZE_M`` metres
(x right, y down, z 0), coloured by track id. Every array starts with a
DELETEALL marker, so people who left (or an empty frame) are cleared.
"""

from __future__ import annotations

from geometry_msgs.msg import Point
from std_msgs.msg import ColorRGBA, Header
from visualization_msgs.msg import Marker, MarkerArray

from pose_estimation_ros.core.drawing import track_colour
from pose_estimation_ros.core.skeletons import Layout
from pose_estimation_ros.core.types import Person

PIXEL_SIZE_M = 0.001
JOINT_DIAMETER_M = 0.008
LINE_WIDTH_M = 0.003


def _marker(header: Header, namespace: str, index: int, kind: int, person: Person) -> Marker:
    red, green, blue = track_colour(person.track_id)
    marker = Marker(header=header, ns=namespace, id=index, type=kind, action=Marker.ADD)
    marker.pose.orientation.w = 1.0
    marker.color = ColorRGBA(r=red, g=green, b=blue, a=1.0)
    return marker


def _point(x: float, y: float) -> Point:
    return Point(x=float(x) * PIXEL_SIZE_M, y=float(y) * PIXEL_SIZE_M, z=0.0)


def people_markers(
    people: list[Person], layout: Layout, header: Header, score_threshold: float
) -> MarkerArray:
    """Build a DELETEALL marker, then per person a SPHERE_LIST of joints and a LINE_LIST."""
    markers = [Marker(header=header, action=Marker.DELETEALL)]
    for index, person in enumerate(people):
        visible = person.keypoints[:, 2] >= score_threshold
        joints = _marker(header, "joints", index, Marker.SPHERE_LIST, person)
        joints.scale.x = joints.scale.y = joints.scale.z = JOINT_DIAMETER_M
        joints.points = [_point(x, y) for x, y, _ in person.keypoints[visible]]
        lines = _marker(header, "skeleton", index, Marker.LINE_LIST, person)
        lines.scale.x = LINE_WIDTH_M
        for a, b in layout.edges:
            if visible[a] and visible[b]:
                lines.points += [
                    _point(*person.keypoints[a, :2]),
                    _point(*person.keypoints[b, :2]),
                ]
        markers += [joints, lines]
    return MarkerArray(markers=markers)
