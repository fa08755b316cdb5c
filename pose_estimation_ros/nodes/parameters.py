"""Declare node parameters from specs (``core.param_spec``): ranges, choices, number types.

Users type ``fps:=10`` as often as ``fps:=10.0``; ROS would reject the int
for a double parameter. Numeric parameters are therefore declared with
dynamic typing and coerced here, so both work, while a wrong kind of value
(text for a number) is still refused with a message naming the parameter.
``choices`` lists the accepted strings; ``types`` lets one parameter take
several kinds (``source`` is a device index or a path).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rcl_interfaces.msg import (
    FloatingPointRange,
    IntegerRange,
    ParameterDescriptor,
    SetParametersResult,
)
from rclpy.node import Node
from rclpy.parameter import Parameter

from pose_estimation_ros.core.param_spec import ParamSpec, coerce

__all__ = ["ParamSpec", "coerce", "declare_parameters", "descriptor_for"]


def descriptor_for(spec: ParamSpec) -> ParameterDescriptor:
    """Build the ROS descriptor: description, range, choices (``ros2 param describe``)."""
    descriptor = ParameterDescriptor(description=spec.summary, read_only=spec.read_only)
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
