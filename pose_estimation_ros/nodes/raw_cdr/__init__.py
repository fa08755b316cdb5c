"""The raw path: ROS messages read and written as CDR bytes, without Python message objects.

This package is the only code that knows how ``sensor_msgs/Image`` and
``pose_estimation_ros/msg/PoseArray`` lie in serialized bytes, and reads the
stamp of any header-first message (the camera's pacing). It exists for time:
the pose node reads each 768x576 image in place (receive 0.71 -> 0.06 ms) and
publishes its poses as bytes (0.24 -> 0.15 ms), and the UDP bridge reads them
without building 17 ``Keypoint`` objects per person (docs/benchmarks.md).

It is kept true to the ``.msg`` files by ``layout.derive``: each codec
(``header``, ``image``, ``pose_array``, on the CDR primitives of ``stream``)
declares the fields it reads and writes, checked at import against the
rosidl-generated classes, with the ``struct`` formats built from the types and
order found there. A message that no longer matches stops the import (the
node at start-up, the unit tests) with a ``LayoutError`` naming the message,
the field and the module to update. The unit tests compare the bytes with
rclpy's own serialization, both ways.
"""

from pose_estimation_ros.nodes.raw_cdr.header import header_first_stamp_ns, header_stamp_ns
from pose_estimation_ros.nodes.raw_cdr.image import ImageFields, read_image
from pose_estimation_ros.nodes.raw_cdr.layout import LayoutError
from pose_estimation_ros.nodes.raw_cdr.pose_array import read_pose_array, serialize_pose_array
from pose_estimation_ros.nodes.raw_cdr.stream import CDR_LITTLE_ENDIAN

__all__ = [
    "CDR_LITTLE_ENDIAN",
    "ImageFields",
    "LayoutError",
    "header_first_stamp_ns",
    "header_stamp_ns",
    "read_image",
    "read_pose_array",
    "serialize_pose_array",
]
