"""Developer tools run with ``python -m pose_estimation_ros.tools.<name>``."""
