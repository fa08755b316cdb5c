"""The Fast DDS set-up every process of the graph makes for itself, and a user's own kept."""

import os
from pathlib import Path

import pytest

from pose_estimation_ros.nodes.fastdds_profile import read_transports
from pose_estimation_ros.nodes.transport import (
    BUILTIN_TRANSPORTS_VARIABLE,
    LEGACY_PROFILES_VARIABLE,
    PROFILES_VARIABLE,
    large_frame_profile,
    use_large_frame_transports,
    user_setup_problems,
)

SMALL_SHM_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<dds xmlns="http://www.eprosima.com"><profiles>
  <transport_descriptors>
    <transport_descriptor><transport_id>shm</transport_id><type>SHM</type></transport_descriptor>
    <transport_descriptor>
      <transport_id>udp</transport_id><type>UDPv4</type>
      <receiveBufferSize>8MB</receiveBufferSize>
    </transport_descriptor>
  </transport_descriptors>
  <participant profile_name="mine" is_default_profile="true"><rtps>
    <userTransports><transport_id>shm</transport_id><transport_id>udp</transport_id></userTransports>
    <useBuiltinTransports>false</useBuiltinTransports>
  </rtps></participant>
</profiles></dds>
"""


@pytest.fixture
def no_user_setup(monkeypatch):
    for name in (PROFILES_VARIABLE, LEGACY_PROFILES_VARIABLE, BUILTIN_TRANSPORTS_VARIABLE):
        monkeypatch.delenv(name, raising=False)


def test_without_a_user_setup_the_large_frame_profile_is_loaded(no_user_setup):
    use_large_frame_transports("test")
    assert os.environ[PROFILES_VARIABLE] == str(large_frame_profile())


def test_the_shipped_profile_carries_frames_in_every_transport():
    sizes = read_transports(large_frame_profile()).buffer_sizes()
    assert set(sizes) == {
        "its shared-memory segment",
        "its UDP receive buffer (frames from other machines)",
    }
    assert min(sizes.values()) == 16 * 2**20
    assert user_setup_problems({PROFILES_VARIABLE: str(large_frame_profile())}) == []


@pytest.mark.parametrize("variable", [PROFILES_VARIABLE, LEGACY_PROFILES_VARIABLE])
def test_a_users_profile_is_kept_and_its_small_segment_named(no_user_setup, monkeypatch, tmp_path,
                                                             variable):
    profile = tmp_path / "mine.xml"
    profile.write_text(SMALL_SHM_PROFILE)
    monkeypatch.setenv(variable, str(profile))
    use_large_frame_transports("test")
    assert os.environ[variable] == str(profile)
    assert variable == PROFILES_VARIABLE or PROFILES_VARIABLE not in os.environ
    (problem,) = user_setup_problems(os.environ)
    assert "shared-memory segment 512 kB" in problem and str(large_frame_profile()) in problem


def test_a_profile_without_a_default_participant_has_the_builtin_transports(tmp_path):
    profile = tmp_path / "qos_only.xml"
    profile.write_text('<dds><profiles><data_writer profile_name="w"/></profiles></dds>')
    problems = user_setup_problems({PROFILES_VARIABLE: str(profile)})
    assert len(problems) == 2  # the 512 kB segment and the OS's socket buffer


def test_builtin_transports_sized_in_the_profile_count(tmp_path):
    profile = tmp_path / "builtin.xml"
    profile.write_text(
        '<dds><profiles><participant profile_name="p" is_default_profile="true"><rtps>'
        '<builtinTransports sockets_size="16MB">DEFAULT</builtinTransports>'
        "</rtps></participant></profiles></dds>"
    )
    assert user_setup_problems({PROFILES_VARIABLE: str(profile)}) == []


def test_an_unreadable_profile_is_named(tmp_path):
    profile = tmp_path / "broken.xml"
    profile.write_text("<dds><profiles>")
    (problem,) = user_setup_problems({PROFILES_VARIABLE: str(profile)})
    assert str(profile) in problem and "cannot be read" in problem
    missing = Path(tmp_path / "missing.xml")
    (problem,) = user_setup_problems({PROFILES_VARIABLE: str(missing)})
    assert "cannot be read" in problem


def test_builtin_transports_variable_is_kept_but_named_under_localhost_discovery(
    no_user_setup, monkeypatch
):
    monkeypatch.setenv(BUILTIN_TRANSPORTS_VARIABLE, "LARGE_DATA")
    use_large_frame_transports("test")
    assert os.environ[BUILTIN_TRANSPORTS_VARIABLE] == "LARGE_DATA"
    assert PROFILES_VARIABLE not in os.environ
    assert user_setup_problems({BUILTIN_TRANSPORTS_VARIABLE: "LARGE_DATA"}) == []
    for localhost in ({"ROS_AUTOMATIC_DISCOVERY_RANGE": "LOCALHOST"}, {"ROS_LOCALHOST_ONLY": "1"}):
        (problem,) = user_setup_problems({BUILTIN_TRANSPORTS_VARIABLE: "LARGE_DATA", **localhost})
        assert "ignored by rmw_fastrtps" in problem
