"""The Fast DDS transport variable every process of the graph sets for itself."""

import os

from pose_estimation_ros.nodes.transport import (
    FASTDDS_TRANSPORTS_VARIABLE,
    LARGE_FRAME_TRANSPORTS,
    use_large_frame_transports,
)


def test_unset_variable_gets_large_frame_buffers(monkeypatch):
    monkeypatch.delenv(FASTDDS_TRANSPORTS_VARIABLE, raising=False)
    use_large_frame_transports()
    assert os.environ[FASTDDS_TRANSPORTS_VARIABLE] == LARGE_FRAME_TRANSPORTS


def test_a_users_choice_is_kept(monkeypatch):
    monkeypatch.setenv(FASTDDS_TRANSPORTS_VARIABLE, "LARGE_DATA")
    use_large_frame_transports()
    assert os.environ[FASTDDS_TRANSPORTS_VARIABLE] == "LARGE_DATA"
