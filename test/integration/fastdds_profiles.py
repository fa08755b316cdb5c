"""Fast DDS profiles as a user would write them, for tests of the package's transport set-up."""

from __future__ import annotations


def user_profile(segment_bytes: int, socket_bytes: int) -> str:
    """Return a profile whose default participant has only sized SHM and UDPv4 transports."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<dds xmlns="http://www.eprosima.com"><profiles>
  <transport_descriptors>
    <transport_descriptor>
      <transport_id>my_shm</transport_id><type>SHM</type>
      <segment_size>{segment_bytes}</segment_size>
    </transport_descriptor>
    <transport_descriptor>
      <transport_id>my_udp</transport_id><type>UDPv4</type>
      <sendBufferSize>{socket_bytes}</sendBufferSize>
      <receiveBufferSize>{socket_bytes}</receiveBufferSize>
    </transport_descriptor>
  </transport_descriptors>
  <participant profile_name="robot" is_default_profile="true"><rtps>
    <userTransports><transport_id>my_shm</transport_id><transport_id>my_udp</transport_id>
    </userTransports>
    <useBuiltinTransports>false</useBuiltinTransports>
  </rtps></participant>
</profiles></dds>
"""


# Cannot carry 1.3 MB frames: a 64 kB shared-memory segment and UDP buffers, nothing else.
SMALL_BUFFERS_PROFILE = user_profile(65536, 65536)
