"""Declare node parameters from specs: descriptions, ranges, choices, forgiving number types.

Users type ``fps:=10`` as often as ``fps:=10.0``; ROS would reject the int
for a double parameter. Numeric parameters are therefore declared with
dynamic typing and coerced here, so both work, while a wrong kind of value
(text for a number) is still refused with a message naming the parameter.
``choices`` lists the accepted strings; ``types`` lets one parameter take
several kinds (``source`` is a device index or a path).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rcl_interfaces.msg import (
    FloatingPointRange,
    IntegerRange,
    ParameterDescriptor,
    SetParametersResult,
)
from rclpy.node import Node
from rclpy.parameter import Parameter


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

    @property
    def accepted_types(self) -> tuple[type, ...]:
        """Python types a value may have (ints count as floats for float parameters)."""
        return self.types or (type(self.default),)


def coerce(spec: ParamSpec, value: Any) -> Any:
    """Return ``value`` converted to the spec's type; ``ValueError`` saying why it is refused."""
    accepted = spec.accepted_types
    if isinstance(value, bool) and bool not in accepted:
        raise ValueError(f"parameter {spec.name!r} expects {_names(accepted)}, got {value!r}")
    if not isinstance(value, accepted):
        if float in accepted and isinstance(value, int):
            value = float(value)
        else:
            raise ValueError(f"parameter {spec.name!r} expects {_names(accepted)}, got {value!r}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if spec.min_value is not None and value < spec.min_value:
            raise ValueError(f"parameter {spec.name!r} must be >= {spec.min_value}, got {value}")
        if spec.max_value is not None and value > spec.max_value:
            raise ValueError(f"parameter {spec.name!r} must be <= {spec.max_value}, got {value}")
    if spec.choices and value not in spec.choices:
        raise ValueError(
            f"parameter {spec.name!r} must be one of {', '.join(spec.choices)}, got {value!r}"
        )
    return value


def _names(types: Iterable[type]) -> str:
    return " or ".join(
        {int: "an integer", float: "a number", str: "a string"}.get(t, t.__name__) for t in types
    )


def descriptor_for(spec: ParamSpec) -> ParameterDescriptor:
    """Build the ROS descriptor: description, range, choices (``ros2 param describe``)."""
    descriptor = ParameterDescriptor(description=spec.description, read_only=spec.read_only)
    numeric = isinstance(spec.default, (int, float)) and not isinstance(spec.default, bool)
    descriptor.dynamic_typing = numeric or len(spec.accepted_types) > 1
    if spec.choices:
        descriptor.additional_constraints = f"one of: {', '.join(spec.choices)}"
    if numeric and (spec.min_value is not None or spec.max_value is not None):
        low = spec.min_value if spec.min_value is not None else -1e308
        high = spec.max_value if spec.max_value is not None else 1e308
        if isinstance(spec.default, float):
            descriptor.floating_point_range = [
                FloatingPointRange(from_value=float(low), to_value=float(high))
            ]
        else:
            descriptor.integer_range = [
                IntegerRange(
                    from_value=int(max(low, -(2**63))), to_value=int(min(high, 2**63 - 1))
                )
            ]
    return descriptor


def declare_parameters(node: Node, specs: Sequence[ParamSpec]) -> dict[str, Any]:
    """Declare every spec on ``node``; return the coerced values, ``ValueError`` on a bad one.

    Also installs a set-parameters callback that refuses live edits the specs
    would refuse, so ``ros2 param set`` gets the same message.
    """
    by_name = {spec.name: spec for spec in specs}
    values = {}
    for spec in specs:
        parameter = node.declare_parameter(spec.name, spec.default, descriptor_for(spec))
        values[spec.name] = coerce(spec, parameter.value)

    def validate(parameters: list[Parameter]) -> SetParametersResult:
        for parameter in parameters:
            if parameter.name in by_name:
                try:
                    coerce(by_name[parameter.name], parameter.value)
                except ValueError as error:
                    return SetParametersResult(successful=False, reason=str(error))
        return SetParametersResult(successful=True)

    node.add_on_set_parameters_callback(validate)
    return values
