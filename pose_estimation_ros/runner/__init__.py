"""The ``run`` command: the node graph as separate processes over DDS, without ``ros2 launch``."""
