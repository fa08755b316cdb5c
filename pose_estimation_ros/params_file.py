"""Read a parameters file as the nodes will, before any starts: one error, not a traceback each.

ROS nodes given a file that is missing, not YAML, or not ``node: ros__parameters``
blocks each print a traceback (``make run``) or start on built-in defaults
(``ros2 launch``); ``check_params_file`` refuses it once with what is wrong.
``node_parameters`` reads what one node gets from a file.
"""

from __future__ import annotations

from typing import Any

import yaml


class ParamsFileError(ValueError):
    """A params file the nodes could not read; the message says which and why."""


def check_params_file(path: str) -> None:
    """Raise ``ParamsFileError`` unless ``path`` is YAML of ``node: ros__parameters`` blocks.

    Checked before any node starts, so a wrong ``--params-file`` is one line,
    not a traceback from every node.
    """
    try:
        with open(path, encoding="utf-8") as stream:
            blocks = yaml.safe_load(stream)
    except OSError as error:
        raise ParamsFileError(f"cannot read params file {path}: {error.strerror}") from None
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        at = f" at line {where.line + 1}, column {where.column + 1}" if where else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ParamsFileError(f"params file {path} is not valid YAML{at}: {problem}") from None
    if not isinstance(blocks, dict) or not blocks:
        held = "nothing" if blocks is None else f"a {type(blocks).__name__}"
        raise ParamsFileError(
            f"params file {path} must map node names to ros__parameters blocks, not hold {held}"
        )
    _check_blocks(path, blocks, "")


def block_key(node: str) -> str:
    """Return the key of ``node``'s block in the package's params file: any namespace."""
    return f"/**/{node}"


def block_keys(node: str) -> tuple[str, ...]:
    """Keys of the blocks a node named ``node`` reads, in any namespace; later ones win.

    ``/**`` is every node, ``/**/<node>`` the node in any namespace (how the
    package's own file keys its blocks, so ``namespace:=`` and several cameras
    in ``cam1``, ``cam2`` keep them); ``<node>`` and ``/<node>`` match only the
    node outside any namespace, as rcl reads them.
    """
    return ("/**", block_key(node), node, f"/{node}")


def node_parameters(path: str, node: str) -> dict[str, Any]:
    """Return the ``ros__parameters`` a node named ``node`` reads from ``path`` (merged)."""
    check_params_file(path)
    with open(path, encoding="utf-8") as stream:
        blocks = yaml.safe_load(stream)
    merged: dict[str, Any] = {}
    for key in block_keys(node):
        block = blocks.get(key)
        if isinstance(block, dict) and isinstance(block.get("ros__parameters"), dict):
            merged.update(block["ros__parameters"])
    return merged


def _check_blocks(path: str, blocks: dict, namespace: str) -> None:
    """Each key is a node holding ``ros__parameters``, or a namespace holding nodes."""
    for key, block in blocks.items():
        name = f"{namespace}/{key}".replace("//", "/")
        if not isinstance(block, dict) or not block:
            raise ParamsFileError(
                f"params file {path}: {name!r} must hold a ros__parameters mapping"
            )
        if "ros__parameters" in block:
            if not isinstance(block["ros__parameters"], dict):
                raise ParamsFileError(
                    f"params file {path}: {name!r}: ros__parameters must be a mapping"
                )
        else:
            _check_blocks(path, block, name)
