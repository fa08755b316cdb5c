"""``pose_node``'s parameters, as the node reads them: its own table's defaults, then overrides.

The defaults come from ``nodes.pose_params.PARAMS`` (never re-typed here), a
params file is read like the node's ``ros__parameters`` block, and each
value is checked with the node's own ``coerce``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml

from pose_estimation_ros.core.estimator import option_names
from pose_estimation_ros.core.param_spec import ParamSpec, coerce
from pose_estimation_ros.nodes.pose_params import PARAMS
from pose_estimation_ros.params_file import ParamsFileError, node_parameters

NODE_NAME = "pose_node"
_SPECS: dict[str, ParamSpec] = {spec.name: spec for spec in PARAMS}


def node_defaults() -> dict[str, Any]:
    """Return every ``pose_node`` parameter at its default."""
    return {spec.name: spec.default for spec in PARAMS}


def checked(name: str, value: Any) -> Any:
    """Return ``value`` coerced as ``pose_node`` would; ``ValueError`` for unknown or bad ones."""
    if name not in _SPECS:
        raise ValueError(f"pose_node has no parameter {name!r}; known: {', '.join(_SPECS)}")
    return coerce(_SPECS[name], value)


def parse_assignment(text: str) -> tuple[str, Any]:
    """Split ``key=value``; the value is read as YAML, as ``ros2 run ... -p`` reads it."""
    name, sep, raw = text.partition("=")
    if not sep or not name:
        raise ValueError(f"expected key=value, got {text!r}")
    return name.strip(), checked(name.strip(), yaml.safe_load(raw))


def file_parameters(path: str) -> dict[str, Any]:
    """Read the ``pose_node`` ``ros__parameters`` of a params file (wildcard blocks too)."""
    merged = node_parameters(path, NODE_NAME)
    if not merged:
        raise ParamsFileError(f"params file {path} has no {NODE_NAME} ros__parameters block")
    return {name: checked(name, value) for name, value in merged.items()}


def resolve_parameters(
    params_file: str | None, assignments: Iterable[str], model: str | None
) -> dict[str, Any]:
    """Defaults, then the params file, then ``key=value`` assignments, then ``model``."""
    values = node_defaults()
    if params_file:
        values.update(file_parameters(params_file))
    values.update(parse_assignment(text) for text in assignments)
    if model:
        values["model"] = checked("model", model)
    return values


def estimator_options(values: dict[str, Any]) -> dict[str, Any]:
    """Pick the ``create_estimator`` options of ``values['model']``, as ``on_configure`` does."""
    names = option_names(values["model"])
    return {name: value for name, value in values.items() if name in names}
