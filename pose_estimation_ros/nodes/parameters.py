"""Declare node parameters from specs (``core.param_spec``): ranges, choices, number types.

Users type ``fps:=10`` as often as ``fps:=10.0``; ROS would reject the int
for a double parameter. Numeric parameters are therefore declared with
dynamic typing and coerced here, so both work, while a wrong kind of value
(text for a number) is still refused with a message naming the parameter.
``choices`` lists the accepted strings; ``types`` lets one parameter take
several kinds (``source`` is a device index or a path). A tuple default is a
list of strings, declared ``STRING_ARRAY`` (an empty one is a typed parameter
left unset, as ROS cannot type an empty list).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rcl_interfaces.msg import (
    FloatingPointRange,
    IntegerRange,
    ParameterDescriptor,
    ParameterType,
    SetParametersResult,
)
from rclpy.exceptions import ParameterUninitializedException
from rclpy.node import Node
from rclpy.parameter import Parameter

from pose_estimation_ros.core.param_spec import ParamSpec, coerce

__all__ = ["ParamSpec", "coerce", "current_values", "declare_parameters", "descriptor_for"]


def descriptor_for(spec: ParamSpec) -> ParameterDescriptor:
    """Build the ROS descriptor: description, range, choices (``ros2 param describe``)."""
    descriptor = ParameterDescriptor(description=spec.summary, read_only=spec.read_only)
    if isinstance(spec.default, tuple):
        descriptor.type = ParameterType.PARAMETER_STRING_ARRAY
        return descriptor
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


def declared_value(spec: ParamSpec) -> Any:
    """Return what to declare: the default, a list for a tuple, the type for an empty one."""
    if isinstance(spec.default, tuple):
        return list(spec.default) if spec.default else Parameter.Type.STRING_ARRAY
    return spec.default


def current_values(node: Node, specs: Sequence[ParamSpec]) -> dict[str, Any]:
    """Return every spec's current value on ``node``, coerced (an unset typed list is empty)."""
    values = {}
    for spec in specs:
        try:
            value = node.get_parameter(spec.name).value
        except ParameterUninitializedException:  # a typed parameter nobody set
            value = None
        values[spec.name] = coerce(spec, value)
    return values


def declare_parameters(node: Node, specs: Sequence[ParamSpec]) -> dict[str, Any]:
    """Declare every spec on ``node``; return the coerced values, ``ValueError`` on a bad one.

    Also installs a set-parameters callback that refuses live edits the specs
    would refuse, so ``ros2 param set`` gets the same message.
    """
    by_name = {spec.name: spec for spec in specs}
    values = {}
    for spec in specs:
        parameter = node.declare_parameter(spec.name, declared_value(spec), descriptor_for(spec))
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
