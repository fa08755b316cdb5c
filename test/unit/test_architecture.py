"""The import rules of docs/architecture.md, read from its table and checked on parsed imports."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = "pose_estimation_ros"
REPO = Path(__file__).resolve().parents[2]
SOURCE = REPO / PACKAGE
DOC = REPO / "docs" / "architecture.md"
# Checked beside the package: its executables and its launch file (Python without a suffix too).
OUTSIDE_PACKAGE = [REPO / "launch" / "pose.launch.py", *sorted((REPO / "scripts").iterdir())]
RAW_CDR = SOURCE / "nodes" / "raw_cdr"


@dataclass(frozen=True)
class Layer:
    """A row of the doc's table."""

    modules: tuple[str, ...]  # under pose_estimation_ros/, or launch/ and scripts/ at the root
    imports: frozenset[str]  # the layers it may import, itself included
    ros: bool


def _read_layers(doc: str) -> dict[str, Layer]:
    """Parse the table whose header starts ``| layer | modules |``: one ``Layer`` per row."""
    lines = iter(doc.splitlines())
    next(line for line in lines if line.startswith("| layer | modules |"))
    next(lines)  # |---|
    layers = {}
    for line in lines:
        if not line.startswith("|"):
            break
        name, modules, imports, ros = (cell.strip() for cell in line.strip("|").split("|"))
        layers[name] = Layer(
            tuple(re.findall(r"`([^`]+)`", modules)),
            frozenset({name, *re.findall(r"`([^`]+)`", imports)}),
            {"yes": True, "no": False}[ros],
        )
    return layers


LAYER_TABLE = _read_layers(DOC.read_text())
# The layer of each first path component (under pose_estimation_ros/, or at the root outside it).
LAYERS = {
    Path(module).parts[0].removesuffix(".py"): name
    for name, layer in LAYER_TABLE.items()
    for module in layer.modules
}
NO_ROS = {name for name, layer in LAYER_TABLE.items() if not layer.ros}
ROS_TOP_LEVEL = {
    "rclpy", "launch", "launch_ros", "ament_index_python", "rcl_interfaces", "rosidl_runtime_py",
    "builtin_interfaces", "message_filters", "cv_bridge", "tf2_ros", "rosbag2_py",
}
ROS_SUFFIXES = ("_msgs", "_srvs", "_interfaces")
# The one ROS import core has, inside the function that resolves package:// URLs.
CORE_ROS_EXCEPTIONS = {("core/capture/calibration.py", "ament_index_python")}


@dataclass(frozen=True)
class Import:
    """One imported module, where it is imported, and whether at module level."""

    path: str  # relative to pose_estimation_ros/, e.g. "core/assets.py"
    module: str
    top_level: bool


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, root: Path = SOURCE) -> list[Import]:
    """Parse ``path``, a module under package directory ``root`` or a file outside the package."""
    tree = ast.parse(path.read_text(), str(path))
    inside = path.is_relative_to(root)
    here = _module_name(path, root).split(".") if inside else []
    package = here if path.name == "__init__.py" else here[:-1]
    top_level = {id(node) for node in tree.body}
    relative = str(path.relative_to(root if inside else REPO))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package[: len(package) - node.level + 1], *filter(None, [base])])
            # ``from pkg import name`` may import the submodule pkg.name.
            names = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        found += [Import(relative, name, id(node) in top_level) for name in names]
    return found


MODULES = sorted(SOURCE.rglob("*.py"))
ALL_IMPORTS = [i for path in [*MODULES, *OUTSIDE_PACKAGE] for i in _imports(path)]


def _layer_of_path(path: str) -> str | None:
    return LAYERS.get(Path(path).parts[0].removesuffix(".py"))


def _layer_of_module(module: str) -> str | None:
    parts = module.split(".")
    return LAYERS.get(parts[1]) if parts[0] == PACKAGE and len(parts) > 1 else None


def _is_ros(module: str) -> bool:
    top = module.split(".")[0]
    return top in ROS_TOP_LEVEL or top.endswith(ROS_SUFFIXES) or _layer_of_module(module) == "msg"


def _excepted(i: Import) -> bool:
    return (i.path, i.module.split(".")[0]) in CORE_ROS_EXCEPTIONS


def test_the_table_names_existing_modules_and_layers():
    assert {"core", "nodes", "msg", "dev"} <= set(LAYER_TABLE)  # the table was found and read
    missing = [
        module
        for layer in LAYER_TABLE.values()
        for module in layer.modules
        if not (SOURCE / module).exists() and not (REPO / module).exists()
    ]
    unknown = set().union(*(layer.imports for layer in LAYER_TABLE.values())) - set(LAYER_TABLE)
    named = [Path(module).parts[0] for layer in LAYER_TABLE.values() for module in layer.modules]
    assert not missing, f"docs/architecture.md names modules that do not exist: {missing}"
    assert not unknown, f"docs/architecture.md allows imports of unknown layers: {unknown}"
    assert len(set(named)) == len(named), f"a module is in two rows: {sorted(named)}"


def test_every_module_belongs_to_a_layer():
    paths = {str(path.relative_to(SOURCE)) for path in MODULES}
    paths |= {str(path.relative_to(REPO)) for path in OUTSIDE_PACKAGE}
    unplaced = {path for path in paths if _layer_of_path(path) is None}
    assert unplaced <= {"__init__.py"}, f"add these to docs/architecture.md's table: {unplaced}"
    assert len(paths) > 50  # the walk found the package


def test_layers_import_only_what_the_table_allows():
    wrong = sorted(
        f"{i.path} imports {i.module} ({_layer_of_module(i.module)})"
        for i in ALL_IMPORTS
        if (target := _layer_of_module(i.module)) is not None
        and target not in _allowed(i.path)
    )
    assert not wrong, "\n".join(wrong)


def _allowed(path: str) -> frozenset[str]:
    layer = _layer_of_path(path)
    return LAYER_TABLE[layer].imports if layer else frozenset()


def test_the_raw_codecs_are_reached_through_their_package():
    codecs = {f"{PACKAGE}.nodes.raw_cdr.{path.stem}" for path in RAW_CDR.glob("*.py")}
    codecs.discard(f"{PACKAGE}.nodes.raw_cdr.__init__")
    assert len(codecs) >= 4  # header, image, layout, pose_array, stream
    wrong = sorted(
        f"{i.path} imports {i.module}: import its names from nodes.raw_cdr"
        for i in ALL_IMPORTS
        if i.module in codecs and not i.path.startswith("nodes/raw_cdr/")
    )
    assert not wrong, "\n".join(wrong)


def test_core_graph_and_clients_import_no_ros():
    wrong = sorted(
        f"{i.path} imports {i.module}"
        for i in ALL_IMPORTS
        if _layer_of_path(i.path) in NO_ROS
        and _is_ros(i.module)
        and not _excepted(i)
    )
    assert not wrong, "\n".join(wrong)


def test_the_core_ros_exception_stays_inside_its_function():
    found = [i for i in ALL_IMPORTS if _excepted(i)]
    assert found, "the exception is gone: remove it from CORE_ROS_EXCEPTIONS and the doc"
    assert not [i for i in found if i.top_level]


def _family_packages() -> set[str]:
    """Read core/families.py's estimator module names: ``pose_estimation_ros.core.X.estimator``."""
    tree = ast.parse((SOURCE / "core" / "families.py").read_text())
    prefix = f"{PACKAGE}.core."
    return {
        node.value.removeprefix(prefix).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.startswith(prefix)
    }


def test_model_families_are_reached_through_the_registry():
    families = _family_packages()
    assert {"movenet", "openpose"} <= families
    wrong = []
    for i in ALL_IMPORTS:
        parts = i.module.split(".")
        if parts[:2] != [PACKAGE, "core"] or len(parts) < 3 or parts[2] not in families:
            continue
        inside = Path(i.path).parts[:2]
        if inside[0] == "core" and inside[1] == parts[2]:
            continue  # a family's own modules
        if inside[0] == "core" and inside[1] in families:
            wrong.append(f"{i.path} imports another family: {i.module}")
        elif inside[0] == "core" and i.path != "core/families.py":
            wrong.append(f"{i.path} imports {i.module}: go through core.estimator")
        elif _layer_of_path(i.path) not in ("core", "dev"):
            wrong.append(f"{i.path} imports {i.module}: go through core.estimator")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    ("source", "module"),
    [
        ("from pose_estimation_ros import graph", "pose_estimation_ros.graph"),
        ("import rclpy.qos", "rclpy.qos"),
        ("from ...nodes import markers", "pose_estimation_ros.nodes.markers"),
        ("from .sources import open_source", "pose_estimation_ros.core.capture.sources"),
        ("from .. import assets", "pose_estimation_ros.core.assets"),
    ],
)
def test_import_parsing_resolves_absolute_and_relative_imports(tmp_path, source, module):
    """Parse ``source`` as if it were a module of core/capture."""
    fake = tmp_path / PACKAGE / "core" / "capture" / "probe.py"
    fake.parent.mkdir(parents=True)
    fake.write_text(f"def read():\n    {source}\n")
    found = _imports(fake, tmp_path / PACKAGE)
    assert module in {i.module for i in found}
    assert {i.path for i in found} == {"core/capture/probe.py"}
    assert not any(i.top_level for i in found)
