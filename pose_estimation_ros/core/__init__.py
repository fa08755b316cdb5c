"""The part of pose_estimation_ros that needs no ROS: nothing here imports rclpy or messages."""
