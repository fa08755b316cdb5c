"""Options dataclasses whose fields carry their spec; merging, and one parameter per name.

A family's options are a frozen dataclass whose fields are declared with
``option(default, description, ...)``: the field's metadata holds its
``ParamSpec`` (unit, range, choices), the one definition that validation
here, the pose node's parameters, the params file and the docs tables use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import field, fields, replace
from typing import Any, TypeVar

from pose_estimation_ros.core.param_spec import ParamSpec, coerce

T = TypeVar("T")
_SPEC = "spec"


def option(
    default: Any,
    description: str,
    *,
    unit: str = "",
    min_value: float | None = None,
    max_value: float | None = None,
    choices: Sequence[str] = (),
) -> Any:
    """Declare a dataclass field with its spec; options are read-only once a model is built."""
    spec = ParamSpec(
        "", default, description, min_value, max_value, tuple(choices), True, unit=unit
    )
    return field(default=default, metadata={_SPEC: spec})


def field_specs(options_type: type) -> tuple[ParamSpec, ...]:
    """Return the spec of each field of ``options_type``, in field order."""
    return tuple(replace(f.metadata[_SPEC], name=f.name) for f in fields(options_type))


def field_names(options_type: type) -> frozenset[str]:
    """Names of the options a family's options dataclass accepts."""
    return frozenset(f.name for f in fields(options_type))


def merge_options(defaults: T, options: dict[str, Any], family: str) -> T:
    """Return ``defaults`` with ``options`` applied; ``ValueError`` naming a bad key or value.

    Each value is checked against its field's spec (type, range, choices);
    ``family`` (e.g. ``MoveNet``) starts every message.
    """
    specs = {spec.name: spec for spec in field_specs(type(defaults))}
    unknown = sorted(set(options) - specs.keys())
    if unknown:
        raise ValueError(f"unknown {family} options {unknown}; known: {', '.join(sorted(specs))}")
    checked = {
        name: coerce(specs[name], value, f"{family} {name}") for name, value in options.items()
    }
    return replace(defaults, **checked)


def shared_specs(families: Sequence[tuple[str, type]]) -> tuple[ParamSpec, ...]:
    """One spec per option name over ``(family, options type)`` pairs, in first-seen order.

    Families sharing a name must agree on default, unit, range and types
    (``ValueError`` otherwise); their choices are joined, and the description
    says which families take the option and what it means to each.
    """
    by_name: dict[str, list[tuple[str, ParamSpec]]] = {}
    for family, options_type in families:
        for spec in field_specs(options_type):
            by_name.setdefault(spec.name, []).append((family, spec))
    return tuple(_joined(name, owners) for name, owners in by_name.items())


def _joined(name: str, owners: list[tuple[str, ParamSpec]]) -> ParamSpec:
    first_family, first = owners[0]
    for family, spec in owners[1:]:
        for what in ("default", "unit", "min_value", "max_value", "types"):
            if getattr(spec, what) != getattr(first, what):
                raise ValueError(
                    f"option {name!r}: {first_family} and {family} differ in {what} "
                    f"({getattr(first, what)!r}, {getattr(spec, what)!r})"
                )
    choices: tuple[str, ...] = ()
    if all(spec.choices for _, spec in owners):
        choices = tuple(dict.fromkeys(c for _, spec in owners for c in spec.choices))
    meanings = dict.fromkeys(spec.description for _, spec in owners)
    if len(meanings) == 1:
        description = f"{', '.join(f for f, _ in owners)}: {first.description}"
    else:
        description = " | ".join(f"{family}: {spec.description}" for family, spec in owners)
    return replace(first, description=description, choices=choices)
