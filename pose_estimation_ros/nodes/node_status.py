"""One scheme for every node's ``/diagnostics`` status: name, values, frame age, parameters.

Each node publishes one ``DiagnosticStatus`` named ``<fully qualified node
name>: <role>`` (``/cam1/pose_node: pose estimation``), so nodes in two
namespaces report statuses that can be told apart. Each node's module
(``camera_diagnostics``, ``pose_diagnostics``, ``bridge_diagnostics``) rates
its counts and builds its status with ``node_status``; ``diagnostic_array``
stamps it for publishing; ``frame_age_s`` and ``format_age`` give the
``last_frame_age_s`` value (``inf`` before the first frame).
``DIAGNOSTICS_PARAMS`` are the parameters of nodes that watch frames.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import fields
from typing import Any, TypeVar

from builtin_interfaces.msg import Time
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue

from pose_estimation_ros.core.param_spec import ParamSpec

Counts = TypeVar("Counts")

DIAGNOSTICS_PARAMS = (
    ParamSpec(
        "diagnostics_period_s",
        1.0,
        "period of /diagnostics messages",
        0.1,
        60.0,
        read_only=True,
        unit="s",
    ),
    ParamSpec(
        "stale_frame_warn_s",
        2.0,
        "/diagnostics status is WARN when no frame came for longer than this",
        0.1,
        3600.0,
        read_only=True,
        unit="s",
    ),
)


def status_name(node_name: str, role: str) -> str:
    """Name a status by the node's fully qualified name and its role: ``/pose_node: role``."""
    return f"{node_name}: {role}"


def node_status(
    node_name: str,
    role: str,
    level: bytes,
    message: str,
    hardware_id: str,
    values: Mapping[str, str],
) -> DiagnosticStatus:
    """Build the status of node ``node_name`` (fully qualified) with ``values`` as key/values."""
    return DiagnosticStatus(
        level=level,
        name=status_name(node_name, role),
        message=message,
        hardware_id=hardware_id,
        values=[KeyValue(key=key, value=value) for key, value in values.items()],
    )


def diagnostic_array(
    status: DiagnosticStatus | Sequence[DiagnosticStatus], stamp: Time
) -> DiagnosticArray:
    """Wrap one status (or several) in a ``DiagnosticArray`` stamped ``stamp``."""
    statuses = [status] if isinstance(status, DiagnosticStatus) else list(status)
    array = DiagnosticArray(status=statuses)
    array.header.stamp = stamp
    return array


def frame_age_s(last_frame_s: float | None, now_s: float) -> float:
    """Return seconds from ``last_frame_s`` to ``now_s`` (one clock); ``inf`` if no frame yet."""
    return math.inf if last_frame_s is None else max(now_s - last_frame_s, 0.0)


def format_age(age_s: float) -> str:
    """Write an age for ``last_frame_age_s``: milliseconds precision, ``inf`` when none."""
    return "inf" if math.isinf(age_s) else f"{age_s:.3f}"


def difference(now: Counts, before: Counts) -> Counts:
    """Field-by-field ``now - before`` of two count dataclasses: the counts of one period."""
    values: dict[str, Any] = {
        f.name: getattr(now, f.name) - getattr(before, f.name) for f in fields(now)
    }
    return type(now)(**values)
