"""Render parameter specs as a params-file block and as a Markdown table.

The params file and the docs tables are written from the same ``ParamSpec``s
the nodes declare, so a default, range or description is typed once.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from typing import Any

import yaml

from pose_estimation_ros.core.param_spec import ParamSpec
from pose_estimation_ros.params_file import block_key

TYPE_NAMES = {bool: "bool", int: "int", float: "double", str: "string", tuple: "string[]"}
WIDTH = 99


def type_name(spec: ParamSpec) -> str:
    """Return the ROS type name(s) of the spec's accepted values."""
    return " or ".join(TYPE_NAMES[t] for t in spec.accepted_types)


def constraint(spec: ParamSpec) -> str:
    """Return the accepted values in short: ``0..256``, ``>= 1``, ``int8, fp16`` or ``""``."""
    if spec.choices:
        return ", ".join(spec.choices)
    if spec.min_value is not None and spec.max_value is not None:
        return f"{spec.min_value}..{spec.max_value}"
    if spec.min_value is not None:
        return f">= {spec.min_value}"
    if spec.max_value is not None:
        return f"<= {spec.max_value}"
    return ""


def yaml_value(value: Any) -> str:
    """Return ``value`` as YAML reads it back unchanged (strings quoted only when needed)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "[" + ", ".join(yaml_value(item) for item in value) + "]"
    text = value if isinstance(value, str) else repr(value)
    if isinstance(value, str) and (not value or yaml.safe_load(value) != value):
        text = json.dumps(value)
    return text


def params_block(node: str, specs: Sequence[ParamSpec]) -> str:
    """Return the node's ``ros__parameters`` block: each default under its described comment.

    Keyed ``/**/<node>``: the node reads it in any namespace (``params_file.block_key``).
    """
    lines = [f"{block_key(node)}:", "  ros__parameters:"]
    for spec in specs:
        limits = constraint(spec)
        comment = f"{spec.summary} [{limits}]" if limits else spec.summary
        lines += textwrap.wrap(
            comment, WIDTH, initial_indent="    # ", subsequent_indent="    #   "
        )
        lines.append(f"    {spec.name}: {yaml_value(spec.default)}")
    return "\n".join(lines) + "\n"


def markdown_table(specs: Sequence[ParamSpec]) -> str:
    """Return a Markdown table: name, type, default, unit, accepted values, meaning."""
    lines = [
        "| name | type | default | unit | values | meaning |",
        "|---|---|---|---|---|---|",
    ]
    for spec in specs:
        cells = (
            f"`{spec.name}`",
            type_name(spec),
            f"`{yaml_value(spec.default)}`",
            spec.unit,
            constraint(spec),
            spec.description,
        )
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"
