"""Read a rosbag2 bag with the rosbags library alone and print what it holds, as JSON.

Run it without ROS (``python -I``, no ROS environment): every type is
registered from the definitions in the bag, every message decoded. Prints the
topics with their types and counts (rosbags' and metadata.yaml's), each topic's
header stamps in ns (for messages with a header), the number of messages
decoded, and whether any ROS Python module was imported meanwhile.
"""

import json
import sys
from pathlib import Path

import yaml
from rosbags.highlevel import AnyReader

ROS_MODULES = ("rclpy", "rosidl_runtime_py", "sensor_msgs", "pose_estimation_ros", "hri_msgs")


def main(path: Path) -> None:
    """Print the bag at ``path`` as JSON on stdout."""
    stamps: dict[str, list[int]] = {}
    decoded = 0
    with AnyReader([path]) as reader:
        topics = {c.topic: {"type": c.msgtype, "count": c.msgcount} for c in reader.connections}
        for connection, _, rawdata in reader.messages():
            msg = reader.deserialize(rawdata, connection.msgtype)
            decoded += 1
            header = getattr(msg, "header", None)
            if header is not None:
                stamp = header.stamp.sec * 1_000_000_000 + header.stamp.nanosec
                stamps.setdefault(connection.topic, []).append(stamp)
    info = yaml.safe_load((path / "metadata.yaml").read_text())["rosbag2_bagfile_information"]
    metadata = {
        entry["topic_metadata"]["name"]: entry["message_count"]
        for entry in info["topics_with_message_count"]
    }
    print(
        json.dumps(
            {
                "topics": topics,
                "metadata_counts": metadata,
                "files": info["relative_file_paths"],
                "stamps": stamps,
                "decoded": decoded,
                "ros_imported": sorted(m for m in ROS_MODULES if m in sys.modules),
            }
        )
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
