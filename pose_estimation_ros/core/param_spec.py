"""One parameter or option, described once: default, description, unit, range, choices.

Core option dataclasses, node parameter tables, the params file and the docs
tables all come from ``ParamSpec``s. ``coerce`` checks a value against one
(ints count as floats; a bool is not a number), with no ROS involved.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ParamSpec:
    """One parameter: name, default (which fixes its type), description and constraints."""

    name: str
    default: Any
    description: str
    min_value: float | None = None
    max_value: float | None = None
    choices: Sequence[str] = ()
    read_only: bool = False
    types: tuple[type, ...] = ()
    unit: str = ""  # e.g. s, Hz, px; shown after the description

    @property
    def accepted_types(self) -> tuple[type, ...]:
        """Python types a value may have (ints count as floats for float parameters)."""
        return self.types or (type(self.default),)

    @property
    def summary(self) -> str:
        """Return the description with the unit, as ``ros2 param describe`` shows it."""
        return f"{self.description} ({self.unit})" if self.unit else self.description


def coerce(spec: ParamSpec, value: Any, subject: str = "") -> Any:
    """Return ``value`` converted to the spec's type; ``ValueError`` saying why it is refused.

    ``subject`` starts the message (default: ``parameter 'name'``).
    """
    subject = subject or f"parameter {spec.name!r}"
    if isinstance(spec.default, tuple):
        return _string_list(value, subject)
    accepted = spec.accepted_types
    if isinstance(value, bool) and bool not in accepted:
        raise ValueError(f"{subject} expects {_names(accepted)}, got {value!r}")
    if not isinstance(value, accepted):
        if float in accepted and isinstance(value, int):
            value = float(value)
        else:
            raise ValueError(f"{subject} expects {_names(accepted)}, got {value!r}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if spec.min_value is not None and value < spec.min_value:
            raise ValueError(f"{subject} must be >= {spec.min_value}, got {value}")
        if spec.max_value is not None and value > spec.max_value:
            raise ValueError(f"{subject} must be <= {spec.max_value}, got {value}")
    if spec.choices and value not in spec.choices:
        raise ValueError(f"{subject} must be one of {', '.join(spec.choices)}, got {value!r}")
    return value


def _string_list(value: Any, subject: str) -> tuple[str, ...]:
    """Return a list of strings as a tuple; ``None`` (a typed parameter left unset) is empty."""
    if value is None:
        return ()
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{subject} expects a list of strings, got {value!r}")
    return tuple(value)


def _names(types: Iterable[type]) -> str:
    return " or ".join(
        {int: "an integer", float: "a number", str: "a string"}.get(t, t.__name__) for t in types
    )
