"""Message definitions and type hashes for a rosbag2 file, read from the installed interfaces.

rosbag2 stores with each topic its type's full definition (the type and every
type it refers to) and its type hash (RIHS01), so a reader decodes the bag
without the message packages. Both come from the files rosidl installs for each
message, never retyped: ``share/<pkg>/msg/<Name>.json`` (the type description,
which lists every referenced type, and their hashes) and ``<Name>.idl``.

The definition is rosbag2's ``ros2idl`` form: one section per type,
``"=" * 80``, ``IDL: pkg/msg/Name``, then the ``.idl`` text, without its
preprocessor lines (``#include``: each included type is a section of its own).
Not the ``ros2msg`` form: rosbags, the ROS-free reader, misreads a string
constant that starts with a digit (``PoseArray``'s ``COCO17_EDGES=0-1,...``)
in ``.msg`` text, and has no preprocessor for IDL.

A package's share directory is found in the ament index, else beside its
Python package (``<prefix>/lib/pythonX.Y/site-packages/<pkg>`` ->
``<prefix>/share/<pkg>``: where the ROS wheels from PyPI install it, a prefix
a venv does not put on ``AMENT_PREFIX_PATH``).
"""

from __future__ import annotations

import importlib.util
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ament_index_python.packages import PackageNotFoundError, get_package_share_directory

SEPARATOR = "=" * 80
_PREPROCESSOR_LINE = re.compile(r"^#.*\n?", re.MULTILINE)


class DefinitionNotFound(LookupError):
    """An installed interface file a message definition needs is missing."""


@dataclass(frozen=True)
class MessageDefinition:
    """A message type's definition in rosbag2's ``ros2idl`` form and its RIHS01 hash."""

    msgtype: str  # pkg/msg/Name
    text: str
    rihs01: str


def share_directory(package: str) -> Path:
    """Return ``package``'s share directory: the ament index's, else its Python prefix's."""
    try:
        return Path(get_package_share_directory(package))
    except PackageNotFoundError:
        pass
    spec = importlib.util.find_spec(package)
    if spec is not None and spec.origin is not None:
        # <prefix>/lib/pythonX.Y/site-packages/<package>/__init__.py
        candidate = Path(spec.origin).resolve().parents[4] / "share" / package
        if (candidate / "package.xml").is_file():
            return candidate
    raise DefinitionNotFound(
        f"package {package!r} is not installed (not in the ament index, "
        "AMENT_PREFIX_PATH, nor beside its Python package)"
    )


def _interface_file(msgtype: str, suffix: str) -> Path:
    """Return the installed file of ``pkg/msg/Name`` with ``suffix`` (``.json``, ``.idl``)."""
    package, kind, name = _split(msgtype)
    path = share_directory(package) / kind / f"{name}{suffix}"
    if not path.is_file():
        raise DefinitionNotFound(f"{msgtype}: {path} is missing")
    return path


def _split(msgtype: str) -> tuple[str, str, str]:
    parts = msgtype.split("/")
    if len(parts) != 3 or not all(parts):
        raise ValueError(f"{msgtype!r} is not a message type name (pkg/msg/Name)")
    return parts[0], parts[1], parts[2]


@cache
def message_definition(msgtype: str) -> MessageDefinition:
    """Return ``msgtype``'s definition (it and every type it refers to) and hash.

    ``DefinitionNotFound`` when an interface file is not installed.
    """
    description = json.loads(_interface_file(msgtype, ".json").read_text(encoding="utf-8"))
    hashes = {entry["type_name"]: entry["hash_string"] for entry in description["type_hashes"]}
    referenced = sorted(
        entry["type_name"]
        for entry in description["type_description_msg"]["referenced_type_descriptions"]
    )
    sections = [
        f"{SEPARATOR}\nIDL: {name}\n"
        + _PREPROCESSOR_LINE.sub("", _interface_file(name, ".idl").read_text(encoding="utf-8"))
        for name in (msgtype, *referenced)
    ]
    return MessageDefinition(msgtype, "".join(sections), hashes[msgtype])
