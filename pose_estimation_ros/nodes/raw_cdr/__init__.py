"""The raw path: ROS messages read and written as CDR bytes, without Python message objects.

This package is the only code that knows how ``sensor_msgs/Image`` and
``pose_estimation_ros/msg/PoseArray`` lie in serialized bytes, and reads the
stamp of any header-first message (the camera's pacing). It exists for time:
the pose node reads each 768x576 image in place (receive 0.71 -> 0.06 ms) and
publishes its poses as bytes (0.24 -> 0.15 ms), and the UDP bridge reads them
without building 17 ``Keypoint`` objects per person (docs/benchmarks.md).

It is kept true to the ``.msg`` files by ``layout.derive``: each codec
(``header``, ``image``, ``pose_array``, on the CDR primitives of ``stream``)
declares the fields it reads and writes, checked at import against the
rosidl-generated classes, with the ``struct`` formats built from the types and
order found there. A message that no longer matches stops the import (the
node at start-up, the unit tests) with a ``LayoutError`` naming the message,
the field and the module to update. The unit tests compare the bytes with
rclpy's own serialization, both ways.

Code outside this package imports these names from the package itself, never
from its modules (a test checks it). Each name loads only its own module, on
first use: the camera, reading stamps, loads no ``PoseArray``, so a change to
this package's messages cannot stop it.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# Each public name, and the module of this package that defines it.
_MODULE_OF = {
    "CDR_LITTLE_ENDIAN": "stream",
    "ImageFields": "image",
    "LayoutError": "layout",
    "header_first_stamp_ns": "header",
    "header_stamp_ns": "header",
    "read_image": "image",
    "read_pose_array": "pose_array",
    "serialize_pose_array": "pose_array",
}
__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> Any:
    """Import the module that defines ``name`` (PEP 562: called for names not yet loaded)."""
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{_MODULE_OF[name]}"), name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    """List the loaded names and the public ones."""
    return sorted({*globals(), *__all__})
