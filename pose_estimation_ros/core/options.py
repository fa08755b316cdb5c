"""Merge a model family's options over its defaults, refusing unknown keys and bad choices."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields, replace
from typing import Any, TypeVar

T = TypeVar("T")


def field_names(options_type: type) -> frozenset[str]:
    """Names of the options a family's options dataclass accepts."""
    return frozenset(f.name for f in fields(options_type))


def merge_options(
    defaults: T, options: dict[str, Any], family: str, choices: dict[str, Sequence[str]]
) -> T:
    """Return ``defaults`` with ``options`` applied; ``ValueError`` naming a bad key or choice.

    ``choices`` maps option names to their allowed values; ``family`` (e.g.
    ``MoveNet``) starts every message.
    """
    known = field_names(type(defaults))
    unknown = sorted(set(options) - known)
    if unknown:
        raise ValueError(f"unknown {family} options {unknown}; known: {', '.join(sorted(known))}")
    merged = replace(defaults, **options)
    for name, allowed in choices.items():
        value = getattr(merged, name)
        if value not in allowed:
            raise ValueError(f"{family} {name} must be one of {', '.join(allowed)}, got {value!r}")
    return merged
