"""ROS 2 nodes: thin adapters between topics and ``pose_estimation_ros.core``."""
