"""Topic names of the graph, relative to a node's namespace, spelled once.

The nodes publish and subscribe on these names, and the graph, the runner and
the benchmarks find them by the same constants; a remapping or a namespace
moves every user of a name together.
"""

from __future__ import annotations

IMAGE = "image_raw"  # sensor_msgs/Image, stamped at capture (image_transport's raw topic)
CAMERA_INFO = "camera_info"  # sensor_msgs/CameraInfo, one per image, same header
POSES = "poses"  # pose_estimation_ros/PoseArray, each with its image's header
POSE_MARKERS = "pose_markers"  # visualization_msgs/MarkerArray for RViz
IMAGE_ANNOTATED = "image_annotated"  # sensor_msgs/Image: the image with the poses drawn
DETECTIONS = "detections"  # vision_msgs/Detection2DArray: the people of each PoseArray
DIAGNOSTICS = "/diagnostics"  # diagnostic_msgs/DiagnosticArray, every node's status


def in_camera(camera: str, topic: str) -> str:
    """Return ``topic`` in ``camera``'s namespace (``topic`` itself for the unnamed camera).

    A node serving several cameras (``cameras: [front, rear]``) reads and writes
    each camera's topics beside its images: ``front/image_raw``, ``front/poses``.
    """
    return f"{camera.rstrip('/')}/{topic}" if camera else topic
