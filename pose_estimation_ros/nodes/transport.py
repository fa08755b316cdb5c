"""One Fast DDS transport set-up for every process of the graph, made for camera frames.

Fast DDS (the default RMW) sends a message bigger than 64 kB in fragments
allocated from the sending participant's shared-memory segment, 512 kB by
default: fragments of a bigger frame that do not fit are dropped. Best-effort
readers lose the frame; reliable ones wait for a retransmission, and a small
message (a ``PoseArray``) caught in the same overflow can be lost for good once
its writer's history has moved on. A 16 MB segment carries whole frames.

Every node here sets the same value, because participants configured alike
also discover each other promptly: a default participant was seen to match a
newly started camera only at the next periodic announcement, 3.5 s later. A
value the user set is kept (docs/camera.md). Other RMWs ignore the variable.
"""

from __future__ import annotations

import os

FASTDDS_TRANSPORTS_VARIABLE = "FASTDDS_BUILTIN_TRANSPORTS"
LARGE_FRAME_TRANSPORTS = "DEFAULT?sockets_size=16MB"


def use_large_frame_transports() -> None:
    """Give this process's participants 16 MB buffers unless the user chose; before ``init``."""
    os.environ.setdefault(FASTDDS_TRANSPORTS_VARIABLE, LARGE_FRAME_TRANSPORTS)
