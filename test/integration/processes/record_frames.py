"""Record what crosses to a pose host: frame stamps (camera_info), PoseArray stamps, images.

    record_frames.py IMAGE_TOPIC [--count-images]

Subscribes reliably to ``camera_info`` (one per frame, small), ``poses`` and
``/diagnostics``, and with ``--count-images`` best-effort to IMAGE_TOPIC (raw,
not deserialized). Prints ``ready`` once pose_node subscribes to IMAGE_TOPIC
(its model loaded), ``diagnostics`` and a JSON object of its status's values
each time pose_node's status arrives, and on SIGINT one JSON line: ``frames``
(``[stamp_ns, publication sequence number]`` of each camera_info), ``poses``
(``[stamp_ns, receipt_ns]`` each, receipt on the system clock) and ``images``.
"""

import json
import signal
import sys
import time

import rclpy
from diagnostic_msgs.msg import DiagnosticArray
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy, qos_profile_sensor_data
from rclpy.signals import SignalHandlerOptions
from rclpy.subscription import MessageInfo
from sensor_msgs.msg import CameraInfo, CompressedImage, Image

from pose_estimation_ros.msg import PoseArray
from pose_estimation_ros.nodes.conversions import stamp_ns
from pose_estimation_ros.nodes.node_status import status_name
from pose_estimation_ros.nodes.pose_diagnostics import ROLE
from pose_estimation_ros.nodes.transport import use_large_frame_transports

HISTORY = 5000  # more than a test's frames: nothing is overwritten before it is taken
POSE_STATUS = status_name("/pose_node", ROLE)


def print_pose_status(msg: DiagnosticArray) -> None:
    """Print pose_node's status values, if ``msg`` holds its status."""
    for status in msg.status:
        if status.name == POSE_STATUS:
            values = {value.key: value.value for value in status.values}
            print("diagnostics", json.dumps(values), flush=True)


def main() -> None:
    """Record until SIGINT, then print the record."""
    image_topic = sys.argv[1]
    use_large_frame_transports("record_frames")
    rclpy.init(signal_handler_options=SignalHandlerOptions.NO)
    stop = []
    signal.signal(signal.SIGINT, lambda *_: stop.append(True))
    node = rclpy.create_node("two_machines_recorder")
    reliable = QoSProfile(depth=HISTORY, reliability=ReliabilityPolicy.RELIABLE)
    record = {"frames": [], "poses": [], "images": 0}

    def on_info(msg: CameraInfo, info: MessageInfo) -> None:
        record["frames"].append([stamp_ns(msg), info["publication_sequence_number"]])

    node.create_subscription(CameraInfo, "camera_info", on_info, reliable)
    # As pose_node publishes them (transient local): none missed while matching.
    poses_qos = QoSProfile(
        depth=HISTORY,
        reliability=ReliabilityPolicy.RELIABLE,
        durability=DurabilityPolicy.TRANSIENT_LOCAL,
    )
    node.create_subscription(
        PoseArray, "poses", lambda m: record["poses"].append([stamp_ns(m), time.time_ns()]),
        poses_qos,
    )  # fmt: skip
    node.create_subscription(DiagnosticArray, "/diagnostics", print_pose_status, reliable)
    if "--count-images" in sys.argv:
        image_type = CompressedImage if image_topic.endswith("compressed") else Image

        def count(_) -> None:
            record["images"] += 1

        node.create_subscription(image_type, image_topic, count, qos_profile_sensor_data, raw=True)
    ready = False
    while not stop:
        if not ready:
            infos = node.get_subscriptions_info_by_topic(image_topic)
            ready = any(info.node_name == "pose_node" for info in infos)
            if ready:
                print("ready", flush=True)
        rclpy.spin_once(node, timeout_sec=0.05)
    print(json.dumps(record), flush=True)
    node.destroy_node()
    rclpy.try_shutdown()


if __name__ == "__main__":
    main()
