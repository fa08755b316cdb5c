"""Write or check ``config/params.yaml`` and the docs' tables against the specs.

``python -m pose_estimation_ros.tools.params --check`` (exit 1, naming the
stale files) or ``--write``. The params file holds one block per graph node
(``graph.NODES``), every parameter at its default under its description. In
README.md and docs/*.md, a table between ``<!-- params: KEY -->`` and
``<!-- end params -->`` lists the parameters of KEY, a node (its ``PARAMS``)
or a model family (its own options); one between ``<!-- launch arguments -->``
and ``<!-- end launch arguments -->`` the launch arguments (``graph.ARGUMENTS``).
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from pathlib import Path

from pose_estimation_ros import graph
from pose_estimation_ros.core.families import FAMILIES
from pose_estimation_ros.core.options import field_specs
from pose_estimation_ros.core.param_spec import ParamSpec
from pose_estimation_ros.tools.param_tables import markdown_table, params_block

ROOT = Path(__file__).resolve().parents[2]
PARAMS_FILE = Path("config/params.yaml")
HEADER = (
    "# Parameters, one block per node (ros2 launch and make run both load this file).\n"
    "# Written from the nodes' parameter specs: python -m pose_estimation_ros.tools.params "
    "--write\n"
)
TABLE = re.compile(r"(<!-- params: (\S+) -->\n)(.*?)(<!-- end params -->)", re.DOTALL)
ARGUMENTS_TABLE = re.compile(
    r"(<!-- launch arguments -->\n)(.*?)(<!-- end launch arguments -->)", re.DOTALL
)
MARKDOWN = ("README.md", "docs/*.md")  # where generated tables may sit


def node_specs(node: str) -> tuple[ParamSpec, ...]:
    """Return the parameters ``node`` declares (its module's ``PARAMS``)."""
    return importlib.import_module(f"pose_estimation_ros.nodes.{node}").PARAMS


def table_specs(key: str) -> tuple[ParamSpec, ...]:
    """Return the specs a docs table shows: a node's parameters or a family's options."""
    families = {family.name: family for family in FAMILIES}
    if key in families:
        return field_specs(families[key].options)
    if key in {spec.name for spec in graph.NODES}:
        return node_specs(key)
    raise ValueError(f"no parameters named {key!r}: not a graph node nor a model family")


def params_file() -> str:
    """Return the text ``config/params.yaml`` must have."""
    blocks = [params_block(spec.name, node_specs(spec.name)) for spec in graph.NODES]
    return HEADER + "\n" + "\n".join(blocks)


def arguments_table() -> str:
    """Return the launch arguments as a Markdown table: name, default, parameter set, meaning."""
    lines = ["| argument | default | sets | meaning |", "|---|---|---|---|"]
    for arg in graph.ARGUMENTS:
        cells = (
            f"`{arg.name}`",
            f"`{arg.default}`" if arg.default else '`""`',
            f"`{arg.node}.{arg.parameter}`" if arg.node else "",
            arg.description,
        )
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def with_tables(text: str) -> str:
    """Return the Markdown ``text`` with every marked table written from its specs."""
    text = TABLE.sub(
        lambda m: m.group(1) + markdown_table(table_specs(m.group(2))) + m.group(4), text
    )
    return ARGUMENTS_TABLE.sub(lambda m: m.group(1) + arguments_table() + m.group(3), text)


def expected(root: Path = ROOT) -> dict[Path, str]:
    """Return each generated file's path (under ``root``) and the text it must have."""
    files = {root / PARAMS_FILE: params_file()}
    for path in sorted(path for pattern in MARKDOWN for path in root.glob(pattern)):
        text = path.read_text(encoding="utf-8")
        if TABLE.search(text) or ARGUMENTS_TABLE.search(text):
            files[path] = with_tables(text)
    return files


def stale(root: Path = ROOT) -> list[Path]:
    """Return the generated files whose text differs from their specs'."""
    return [
        path
        for path, text in expected(root).items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]


def main(argv: list[str] | None = None) -> int:
    """Check (default) or write the params file and docs tables; 1 when any is stale."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the stale files")
    parser.add_argument("--check", action="store_true", help="only report them (default)")
    args = parser.parse_args(argv)
    if args.write:
        for path, text in expected().items():
            path.write_text(text, encoding="utf-8")
        return 0
    paths = stale()
    for path in paths:
        print(f"{path} is out of date: python -m pose_estimation_ros.tools.params --write")
    return 1 if paths else 0


if __name__ == "__main__":
    sys.exit(main())
